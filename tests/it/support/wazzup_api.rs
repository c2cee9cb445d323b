//! A fake Wazzup API v3 for `connect register`: `PATCH /v3/webhooks` with
//! the account's key probes the new URL with `{"test": true}` as Wazzup
//! does, and takes it only if the probe is answered 200.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::http::{Request, read, respond};

pub(crate) struct FakeWazzup {
    pub base_url: String,
    /// The bodies of webhook registrations it took.
    pub registered: Arc<Mutex<Vec<Value>>>,
}

impl FakeWazzup {
    pub(crate) fn start(key: &str) -> FakeWazzup {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let registered = Arc::new(Mutex::new(Vec::new()));
        let (taken, auth) = (registered.clone(), format!("Bearer {key}"));
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let Some(request) = read(&stream) else { continue };
                let authorized = request.authorization.as_deref() == Some(auth.as_str());
                let (status, answer) = register(&request, authorized, &taken);
                respond(&mut stream, status, "application/json", &[], &answer);
            }
        });
        FakeWazzup { base_url, registered }
    }
}

fn register(request: &Request, authorized: bool, taken: &Mutex<Vec<Value>>) -> (u16, String) {
    if (request.method.as_str(), request.path.as_str()) != ("PATCH", "/v3/webhooks") {
        return (404, r#"{"error":"notFound"}"#.into());
    }
    if !authorized {
        return (401, r#"{"error":"unauthorized"}"#.into());
    }
    let body = &request.body;
    let Some(uri) = body["webhooksUri"].as_str().filter(|u| u.len() <= 200) else {
        return (400, r#"{"error":"validationError"}"#.into());
    };
    // The probe: exactly 200 to `{"test": true}`.
    let probe = ureq::post(uri).config().http_status_as_error(false).build().send(r#"{"test": true}"#);
    match probe.map(|r| r.status().as_u16()) {
        Ok(200) => {
            taken.lock().unwrap().push(body.clone());
            (200, r#"{"ok":true}"#.into())
        }
        other => (400, format!(r#"{{"error":"webhooksUriTestFailed","status":"{other:?}"}}"#)),
    }
}
