//! A fake amoCRM that keeps state and answers as API v4 documents it:
//! contacts found by full-text `query` (with their deals), deals by id or
//! `query` (with their contacts), `leads/complex` creating a deal with its
//! contact, `PATCH /api/v4/leads`, `problem+json` validation errors, 401
//! for another token, 429 above 7 requests in a second, and the HTML 403
//! of a blocked account after sustained abuse. Tests switch failures on
//! (`Faults`) and read what it holds and saw.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{Request, read, respond};

/// Requests a second amoCRM answers; more get 429.
pub(crate) const PER_SECOND: usize = 7;
/// 429s after which the account is blocked (every request then 403).
const ABUSE: usize = 50;

#[derive(Debug, Clone)]
pub(crate) struct Lead {
    pub id: u64,
    pub name: String,
    pub pipeline_id: u64,
    pub status_id: u64,
    pub responsible_user_id: Option<u64>,
    pub tags: Vec<String>,
    pub contacts: Vec<u64>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub id: u64,
    pub name: String,
    pub phones: Vec<String>,
}

/// Failures a test switches on.
#[derive(Debug, Default, Clone)]
pub(crate) struct Faults {
    /// Every request answers 503 (with `Retry-After: 1`).
    pub down: bool,
    /// `leads/complex` answers 400 with validation errors.
    pub refuse_create: bool,
    /// A request to this method and path is done (a deal created, tokens
    /// issued) and never answered: the moment an instance is killed.
    pub hang: Option<(&'static str, &'static str)>,
    /// Every request answers the blocked account's HTML 403.
    pub banned: bool,
    /// The next this many requests answer 429 with `Retry-After: 1`.
    pub throttle: usize,
}

/// An OAuth integration: one valid refresh token at a time, spent once.
#[derive(Debug, Default)]
pub(crate) struct OAuthFake {
    pub client_id: String,
    pub client_secret: String,
    pub refresh: String,
    pub access: Vec<String>,
    pub refreshes: usize,
    /// Refresh tokens presented after they were spent.
    pub reused: usize,
    spent: Vec<String>,
}

impl OAuthFake {
    /// amoCRM forgets every access token it issued (as if expired).
    pub(crate) fn expire_access(&mut self) {
        self.access.clear();
    }
}

#[derive(Default)]
pub(crate) struct Account {
    pub oauth: OAuthFake,
    pub leads: BTreeMap<u64, Lead>,
    pub contacts: BTreeMap<u64, Contact>,
    pub faults: Faults,
    /// (when, method, path) of every request.
    pub seen: Vec<(Instant, String, String)>,
    /// Stages of each pipeline.
    pub pipelines: BTreeMap<u64, Vec<u64>>,
    /// The bodies of webhook registrations.
    pub webhooks: Vec<Value>,
    /// Common notes: (deal, text), in the order they were added.
    pub notes: Vec<(u64, String)>,
    too_many: usize,
    next_id: u64,
}

impl Account {
    pub(crate) fn add_contact(&mut self, name: &str, phones: &[&str]) -> u64 {
        self.next_id += 1;
        let contact =
            Contact { id: self.next_id, name: name.into(), phones: phones.iter().map(|p| p.to_string()).collect() };
        self.contacts.insert(contact.id, contact);
        self.next_id
    }

    pub(crate) fn add_lead(&mut self, pipeline: u64, status: u64, contact: u64) -> u64 {
        self.next_id += 1;
        let lead = Lead {
            id: self.next_id,
            name: format!("deal {}", self.next_id),
            pipeline_id: pipeline,
            status_id: status,
            responsible_user_id: None,
            tags: Vec::new(),
            contacts: vec![contact],
            created_at: now(),
        };
        self.leads.insert(lead.id, lead);
        self.next_id
    }

    /// The most requests any one-second window saw.
    pub(crate) fn busiest_second(&self) -> usize {
        let times: Vec<Instant> = self.seen.iter().map(|s| s.0).collect();
        (0..times.len())
            .map(|i| times[i..].iter().take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1)).count())
            .max()
            .unwrap_or(0)
    }

    pub(crate) fn requests(&self, method: &str, path_start: &str) -> usize {
        self.seen.iter().filter(|(_, m, p)| m == method && p.starts_with(path_start)).count()
    }
}

pub(crate) struct FakeAmoCrm {
    pub base_url: String,
    pub account: Arc<Mutex<Account>>,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

impl FakeAmoCrm {
    /// A fake on loopback accepting `token`, with acme's pipelines.
    pub(crate) fn start(token: &str) -> FakeAmoCrm {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let mut account = Account::default();
        account.pipelines.insert(5001, vec![50010, 50011, 50012, 50013, 50014, 50015, 142, 143]);
        account.pipelines.insert(5002, vec![50020, 50021, 50022, 142, 143]);
        account.next_id = 100;
        let account = Arc::new(Mutex::new(account));
        let (shared, token) = (account.clone(), format!("Bearer {token}"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (shared, token) = (shared.clone(), token.clone());
                std::thread::spawn(move || serve(stream, &shared, &token));
            }
        });
        FakeAmoCrm { base_url, account }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Account) -> T) -> T {
        f(&mut self.account.lock().unwrap())
    }
}

type Reply = (u16, &'static str, String);

fn problem(status: u16, title: &str, extra: Value) -> Reply {
    let mut body = json!({ "title": title, "type": "https://httpstatus.es/", "status": status, "detail": title });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    (status, "application/problem+json", body.to_string())
}

fn serve(mut stream: TcpStream, shared: &Mutex<Account>, token: &str) {
    let Some(request) = read(&stream) else { return };
    let reply = {
        let mut account = shared.lock().unwrap();
        let reply = answer(&mut account, &request, token);
        if account.faults.hang.is_some_and(|(m, p)| m == request.method && p == request.path) {
            drop(account);
            std::thread::sleep(Duration::from_secs(3600));
            return;
        }
        reply
    };
    let (status, kind, body) = reply;
    let retry = [("Retry-After".to_owned(), "1".to_owned())];
    let headers: &[(String, String)] = if status == 503 || status == 429 { &retry } else { &[] };
    respond(&mut stream, status, kind, headers, &body);
}

fn answer(account: &mut Account, request: &Request, token: &str) -> Reply {
    let at = Instant::now();
    account.seen.push((at, request.method.clone(), request.path.clone()));
    if account.faults.banned || account.too_many >= ABUSE {
        return (403, "text/html", "<html><body><h1>403 Forbidden</h1>nginx</body></html>".into());
    }
    let last_second = account.seen.iter().filter(|s| at.duration_since(s.0) < Duration::from_secs(1)).count();
    if last_second > PER_SECOND {
        account.too_many += 1;
        return problem(429, "Too Many Requests", json!({}));
    }
    if account.faults.down {
        return problem(503, "Service Unavailable", json!({}));
    }
    if account.faults.throttle > 0 {
        account.faults.throttle -= 1;
        return problem(429, "Too Many Requests", json!({}));
    }
    if request.path == "/oauth2/access_token" {
        return refresh(&mut account.oauth, &request.body);
    }
    let bearer = request.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("");
    if request.authorization.as_deref() != Some(token) && !account.oauth.access.iter().any(|a| a == bearer) {
        return problem(401, "Unauthorized", json!({}));
    }
    route(account, request)
}

fn route(account: &mut Account, request: &Request) -> Reply {
    let q = |key: &str| request.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let segments: Vec<&str> = request.path.trim_start_matches("/api/v4/").split('/').collect();
    let list = |key: &str, items: Vec<Value>| match items.is_empty() {
        true => (204, "application/hal+json", String::new()),
        false => (200, "application/hal+json", json!({ "_embedded": { key: items } }).to_string()),
    };
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["contacts"]) => {
            let query = q("query").unwrap_or_default();
            let found =
                account.contacts.values().filter(|c| matches(c, &query)).map(|c| contact_json(account, c)).collect();
            list("contacts", found)
        }
        ("GET", ["contacts", id]) => match id.parse().ok().and_then(|id: u64| account.contacts.get(&id)) {
            Some(c) => (200, "application/hal+json", contact_json(account, c).to_string()),
            None => problem(404, "Not Found", json!({})),
        },
        ("GET", ["leads"]) => {
            let ids: Vec<u64> =
                request.query.iter().filter(|(k, _)| k == "filter[id][]").filter_map(|(_, v)| v.parse().ok()).collect();
            let query = q("query");
            let found = account
                .leads
                .values()
                .filter(|l| {
                    (ids.is_empty() || ids.contains(&l.id))
                        && query.as_ref().is_none_or(|q| l.name.contains(q.as_str()))
                })
                .map(lead_json)
                .collect();
            list("leads", found)
        }
        ("GET", ["leads", id]) => match id.parse().ok().and_then(|id: u64| account.leads.get(&id)) {
            Some(l) => (200, "application/hal+json", lead_json(l).to_string()),
            None => problem(404, "Not Found", json!({})),
        },
        ("POST", ["leads", "complex"]) => complex(account, &request.body),
        ("POST", ["leads", "notes"]) => add_notes(account, &request.body),
        ("GET", ["leads", id, "notes"]) => {
            let deal: u64 = id.parse().unwrap_or(0);
            let notes = account.notes.iter().enumerate().filter(|(_, (d, _))| *d == deal).rev();
            let found = notes.map(|(i, (d, text))| json!({ "id": i + 1, "entity_id": d, "note_type": "common", "params": { "text": text } }));
            list("notes", found.collect())
        }
        ("PATCH", ["leads"]) => patch(account, &request.body),
        ("POST", ["webhooks"]) => {
            let destination = request.body["destination"].as_str().unwrap_or("").to_owned();
            account.webhooks.push(request.body.clone());
            let answer =
                json!({ "id": 1, "destination": destination, "settings": request.body["settings"], "disabled": false });
            (200, "application/hal+json", answer.to_string())
        }
        _ => problem(404, "Not Found", json!({})),
    }
}

/// `POST /oauth2/access_token`: a new pair for the valid refresh token;
/// 401 "Token has been revoked" for one already spent.
fn refresh(oauth: &mut OAuthFake, body: &Value) -> Reply {
    let given = |key: &str| body[key].as_str().unwrap_or("").to_owned();
    if given("client_id") != oauth.client_id
        || given("client_secret") != oauth.client_secret
        || given("grant_type") != "refresh_token"
    {
        return problem(400, "Bad Request", json!({ "hint": "client or grant" }));
    }
    let presented = given("refresh_token");
    if presented.is_empty() || presented != oauth.refresh {
        if oauth.spent.contains(&presented) {
            oauth.reused += 1;
        }
        return problem(401, "Unauthorized", json!({ "hint": "Token has been revoked" }));
    }
    oauth.refreshes += 1;
    oauth.spent.push(presented);
    oauth.refresh = format!("refresh-{}", oauth.refreshes);
    let access = format!("access-{}", oauth.refreshes);
    oauth.access.push(access.clone());
    let answer =
        json!({ "token_type": "Bearer", "expires_in": 86400, "access_token": access, "refresh_token": oauth.refresh });
    (200, "application/json", answer.to_string())
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Full text, as amoCRM's: the query's characters in a phone or the name;
/// `8...` and `+7...` do not match each other.
fn matches(contact: &Contact, query: &str) -> bool {
    let wanted = digits(query);
    contact.name.contains(query) || (!wanted.is_empty() && contact.phones.iter().any(|p| digits(p).contains(&wanted)))
}

fn contact_json(account: &Account, c: &Contact) -> Value {
    let leads: Vec<Value> =
        account.leads.values().filter(|l| l.contacts.contains(&c.id)).map(|l| json!({ "id": l.id })).collect();
    let phones: Vec<Value> = c.phones.iter().map(|p| json!({ "value": p, "enum_code": "WORK" })).collect();
    json!({
        "id": c.id, "name": c.name,
        "custom_fields_values": [{ "field_id": 1, "field_code": "PHONE", "values": phones }],
        "_embedded": { "leads": leads },
    })
}

fn lead_json(l: &Lead) -> Value {
    let tags: Vec<Value> = l.tags.iter().map(|t| json!({ "id": 1, "name": t })).collect();
    let contacts: Vec<Value> = l.contacts.iter().map(|c| json!({ "id": c })).collect();
    json!({
        "id": l.id, "name": l.name, "pipeline_id": l.pipeline_id, "status_id": l.status_id,
        "responsible_user_id": l.responsible_user_id.unwrap_or(1), "created_at": l.created_at, "updated_at": l.created_at,
        "closed_at": if l.status_id == 142 || l.status_id == 143 { json!(l.created_at) } else { Value::Null },
        "_embedded": { "tags": tags, "contacts": contacts },
    })
}

fn complex(account: &mut Account, body: &Value) -> Reply {
    let Some(items) = body.as_array().filter(|a| !a.is_empty() && a.len() <= 50) else {
        return problem(
            400,
            "Bad Request",
            json!({ "validation-errors": [{ "request_id": "0", "errors": [{ "code": "NotSupportedChoice", "path": "", "detail": "1 to 50 leads" }] }] }),
        );
    };
    let lead = &items[0];
    let (pipeline, status) = (lead["pipeline_id"].as_u64().unwrap_or(0), lead["status_id"].as_u64().unwrap_or(0));
    if account.faults.refuse_create || !account.pipelines.get(&pipeline).is_some_and(|s| s.contains(&status)) {
        return problem(
            400,
            "Bad Request",
            json!({ "validation-errors": [{ "request_id": "0", "errors": [{ "code": "NotSupportedChoice", "path": "status_id", "detail": "The value you selected is not a valid choice." }] }] }),
        );
    }
    let contact = &lead["_embedded"]["contacts"][0];
    let contact_id = match contact["id"].as_u64() {
        Some(id) => id,
        None => {
            let phones: Vec<String> = contact["custom_fields_values"][0]["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["value"].as_str().map(str::to_owned))
                .collect();
            let phones: Vec<&str> = phones.iter().map(String::as_str).collect();
            account.add_contact(contact["name"].as_str().unwrap_or(""), &phones)
        }
    };
    let id = account.add_lead(pipeline, status, contact_id);
    let stored = account.leads.get_mut(&id).unwrap();
    stored.name = lead["name"].as_str().unwrap_or("").to_owned();
    stored.responsible_user_id = lead["responsible_user_id"].as_u64();
    stored.tags = lead["_embedded"]["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    (
        200,
        "application/json",
        json!([{ "id": id, "contact_id": contact_id, "company_id": null, "request_id": ["0"], "merged": false }])
            .to_string(),
    )
}

/// `POST /api/v4/leads/notes`: common notes of existing deals.
fn add_notes(account: &mut Account, body: &Value) -> Reply {
    let items = body.as_array().cloned().unwrap_or_default();
    let known = |item: &Value| item["entity_id"].as_u64().is_some_and(|d| account.leads.contains_key(&d));
    if items.is_empty() || !items.iter().all(known) {
        return problem(
            400,
            "Bad Request",
            json!({ "validation-errors": [{ "request_id": "0", "errors": [{ "code": "NotFound", "path": "entity_id", "detail": "no such lead" }] }] }),
        );
    }
    let mut added = Vec::new();
    for item in items {
        let deal = item["entity_id"].as_u64().unwrap();
        account.notes.push((deal, item["params"]["text"].as_str().unwrap_or("").to_owned()));
        added.push(json!({ "id": account.notes.len(), "entity_id": deal }));
    }
    (200, "application/hal+json", json!({ "_embedded": { "notes": added } }).to_string())
}

fn patch(account: &mut Account, body: &Value) -> Reply {
    let mut updated = Vec::new();
    for item in body.as_array().into_iter().flatten() {
        let Some(lead) = item["id"].as_u64().and_then(|id| account.leads.get_mut(&id)) else {
            return problem(
                400,
                "Bad Request",
                json!({ "validation-errors": [{ "request_id": "0", "errors": [{ "code": "NotFound", "path": "id", "detail": "no such lead" }] }] }),
            );
        };
        if let Some(user) = item["responsible_user_id"].as_u64() {
            lead.responsible_user_id = Some(user);
        }
        updated.push(json!({ "id": lead.id, "updated_at": now() }));
    }
    (200, "application/hal+json", json!({ "_embedded": { "leads": updated } }).to_string())
}
