//! A fake Wazzup API v3 for `connect register`: `PATCH /v3/webhooks` with
//! the account's key probes the new URL with `{"test": true}` as Wazzup
//! does, and takes it only if the probe is answered 200.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

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
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut line, mut length, mut authorization) = (String::new(), 0, String::new());
                reader.read_line(&mut line).unwrap();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                        break;
                    }
                    let (name, value) = header.split_once(':').unwrap();
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "authorization" => authorization = value.trim().to_owned(),
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let (status, answer) = register(&line, authorization == auth, &body, &taken);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        FakeWazzup { base_url, registered }
    }
}

fn register(line: &str, authorized: bool, body: &[u8], taken: &Mutex<Vec<Value>>) -> (u16, String) {
    if !line.starts_with("PATCH /v3/webhooks ") {
        return (404, r#"{"error":"notFound"}"#.into());
    }
    if !authorized {
        return (401, r#"{"error":"unauthorized"}"#.into());
    }
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(uri) = body["webhooksUri"].as_str().filter(|u| u.len() <= 200) else {
        return (400, r#"{"error":"validationError"}"#.into());
    };
    // The probe: exactly 200 to `{"test": true}`.
    let probe = ureq::post(uri).config().http_status_as_error(false).build().send(r#"{"test": true}"#);
    match probe.map(|r| r.status().as_u16()) {
        Ok(200) => {
            taken.lock().unwrap().push(body);
            (200, r#"{"ok":true}"#.into())
        }
        other => (400, format!(r#"{{"error":"webhooksUriTestFailed","status":"{other:?}"}}"#)),
    }
}
