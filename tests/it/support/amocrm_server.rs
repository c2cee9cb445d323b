//! A tiny HTTP/1.1 server on loopback that answers like amoCRM's API v4,
//! from recorded responses. Each path has a queue of answers; the last one
//! repeats. `{base}` in a body becomes the server's own base URL, as the
//! absolute `_links` of real answers do.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use super::http::{read, respond};

#[derive(Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub(crate) fn json(body: impl Into<String>) -> Answer {
        Answer { status: 200, body: body.into(), headers: Vec::new() }
    }

    pub(crate) fn status(status: u16) -> Answer {
        Answer { status, body: String::new(), headers: Vec::new() }
    }

    pub(crate) fn fixture(name: &str) -> Answer {
        Answer::json(std::fs::read_to_string(format!("tests/fixtures/crm/api/{name}")).unwrap())
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub path: String,
    pub authorization: Option<String>,
}

pub(crate) struct FakeAmo {
    pub base_url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeAmo {
    pub(crate) fn start(routes: Vec<(&str, Vec<Answer>)>) -> FakeAmo {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut queues: HashMap<String, Vec<Answer>> = routes.into_iter().map(|(p, a)| (p.to_owned(), a)).collect();
        let (base, log) = (base_url.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read(&stream) else { continue };
                let path = request.target;
                log.lock().unwrap().push(Seen { path: path.clone(), authorization: request.authorization });
                let answer = match queues.get_mut(&path) {
                    Some(q) if q.len() > 1 => q.remove(0),
                    Some(q) => q[0].clone(),
                    None => Answer { status: 404, body: "{\"title\":\"Not found\"}".into(), headers: Vec::new() },
                };
                let body = answer.body.replace("{base}", &base);
                respond(&mut stream, answer.status, "application/hal+json", &answer.headers, &body);
            }
        });
        FakeAmo { base_url, seen }
    }

    /// The recorded account: two pages of users, pipelines, one page of
    /// contacts and an empty (204) second page.
    pub(crate) fn account() -> FakeAmo {
        FakeAmo::start(Self::account_routes())
    }

    pub(crate) fn account_routes() -> Vec<(&'static str, Vec<Answer>)> {
        vec![
            ("/api/v4/users?limit=250", vec![Answer::fixture("users-1.json")]),
            ("/api/v4/users?limit=250&page=2", vec![Answer::fixture("users-2.json")]),
            ("/api/v4/leads/pipelines", vec![Answer::fixture("pipelines.json")]),
            ("/api/v4/contacts?limit=250", vec![Answer::fixture("contacts-1.json")]),
            ("/api/v4/contacts?limit=250&page=2", vec![Answer::status(204)]),
        ]
    }

    pub(crate) fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|s| s.path.clone()).collect()
    }
}
