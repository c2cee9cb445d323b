//! amoCRM's REST API v4 as the worker uses it: contacts found by a phone's
//! digits, a contact's deals, deals found by a dialog's chat, a deal with
//! its contact created in one call (`leads/complex`), its responsible
//! changed. Every request first takes a slot of the account's window in
//! the state (7 a second across instances, refused and failed requests
//! counted too). Answers are sorted once, here, into what the worker does
//! next (`CallError`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Account, Auth};
use crate::oauth::Session;
use crate::store::{Store, StoreError};

/// amoCRM's limit per integration and account.
pub const REQUESTS_PER_SECOND: u32 = 7;
/// Statuses every pipeline has: won and lost.
pub const WON: u64 = 142;
pub const LOST: u64 = 143;
/// Notes added in one request.
pub const NOTES_PER_CALL: usize = 50;
/// The tag of every deal the worker creates.
pub const TAG: &str = "chatroute";

/// Why a call has no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Worth trying again later: 429, 5xx, no answer, the state down.
    #[error("{why}")]
    Transient { why: String, retry_after: Option<Duration> },
    /// The account is blocked (403 with amoCRM's HTML page) or the token
    /// refused (401): no call to it makes sense until an operator acts.
    #[error("{0}")]
    Halted(String),
    /// This request will never succeed (a validation error, a 4xx).
    #[error("{0}")]
    Permanent(String),
}

impl From<StoreError> for CallError {
    fn from(err: StoreError) -> Self {
        CallError::Transient { why: format!("state: {err}"), retry_after: None }
    }
}

/// A deal as the worker reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct Lead {
    pub id: u64,
    pub pipeline_id: u64,
    pub status_id: u64,
    #[serde(default)]
    pub responsible_user_id: Option<u64>,
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub closed_at: Option<i64>,
    #[serde(default)]
    pub updated_at: i64,
    #[serde(default, rename = "_embedded")]
    pub embedded: Embedded,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Embedded {
    #[serde(default)]
    pub tags: Vec<Named>,
    #[serde(default)]
    pub contacts: Vec<Id>,
    #[serde(default)]
    pub leads: Vec<Id>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Id {
    pub id: u64,
}

impl Lead {
    pub fn is_closed(&self) -> bool {
        self.status_id == WON || self.status_id == LOST
    }

    pub fn is_ours(&self) -> bool {
        self.embedded.tags.iter().any(|t| t.name == TAG)
    }
}

/// A contact with its phone numbers and deals.
#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    pub id: u64,
    #[serde(default)]
    pub custom_fields_values: Option<Vec<Field>>,
    #[serde(default, rename = "_embedded")]
    pub embedded: Embedded,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    #[serde(default)]
    pub field_code: Option<String>,
    #[serde(default)]
    pub values: Vec<FieldValue>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldValue {
    #[serde(default)]
    pub value: Value,
}

impl Contact {
    /// The values of its `PHONE` field.
    pub fn phones(&self) -> impl Iterator<Item = &str> {
        self.custom_fields_values
            .iter()
            .flatten()
            .filter(|f| f.field_code.as_deref() == Some("PHONE"))
            .flat_map(|f| f.values.iter().filter_map(|v| v.value.as_str()))
    }
}

/// What a new deal is made of.
#[derive(Debug, Clone)]
pub struct NewLead<'a> {
    pub name: &'a str,
    pub pipeline: u64,
    pub status: u64,
    pub responsible: Option<u64>,
    /// The contact found, or one to create with this name and phone.
    pub contact: Result<u64, (&'a str, Option<&'a str>)>,
}

/// Who makes a request: the state whose window it takes a slot of, and
/// the worker whose lease it needs.
pub struct Caller<'a, St: Store> {
    pub store: &'a St,
    pub worker: &'a str,
}

/// How requests are authorized.
enum Credentials {
    Token(String),
    OAuth(Box<Session>),
}

/// One account's amoCRM.
pub struct Amo {
    pub(crate) account: String,
    base: String,
    credentials: Credentials,
    agent: ureq::Agent,
    /// Requests by what came of them (`OUTCOMES`).
    outcomes: [AtomicU64; 4],
}

/// What a request came to, as `/metrics` counts them.
pub const OUTCOMES: [&str; 4] = ["ok", "transient", "halted", "permanent"];

impl Amo {
    pub fn new(account: &Account) -> Self {
        Amo {
            account: account.name.clone(),
            base: account.amocrm.clone(),
            credentials: match &account.auth {
                Auth::Token(token) => Credentials::Token(token.expose().to_owned()),
                Auth::OAuth(oauth) => Credentials::OAuth(Box::new(Session::new(oauth.clone()))),
            },
            agent: agent(Duration::from_secs(10)),
            outcomes: Default::default(),
        }
    }

    /// Requests made, by `OUTCOMES`.
    pub fn outcomes(&self) -> [u64; 4] {
        self.outcomes.each_ref().map(|n| n.load(Ordering::Relaxed))
    }

    /// When an OAuth account's access token expires (ms since the Unix
    /// epoch), as this instance knows it.
    pub fn token_expires_ms(&self) -> Option<i64> {
        match &self.credentials {
            Credentials::OAuth(session) => session.expires_ms(),
            Credentials::Token(_) => None,
        }
    }

    fn count(&self, answer: &Result<Option<Value>, CallError>) {
        let outcome = match answer {
            Ok(_) => 0,
            Err(CallError::Transient { .. }) => 1,
            Err(CallError::Halted(_)) => 2,
            Err(CallError::Permanent(_)) => 3,
        };
        self.outcomes[outcome].fetch_add(1, Ordering::Relaxed);
    }

    /// Contacts whose fields hold `query` (full text), with their deals.
    pub async fn contacts(&self, by: &Caller<'_, impl Store>, query: &str) -> Result<Vec<Contact>, CallError> {
        let path = format!("/api/v4/contacts?{}", encode(&[("with", "leads"), ("query", query)]));
        self.list(by, &path, "contacts").await
    }

    /// Deals by id.
    pub async fn leads(&self, by: &Caller<'_, impl Store>, ids: &[u64]) -> Result<Vec<Lead>, CallError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let filter: Vec<String> = ids.iter().map(|id| format!("filter[id][]={id}")).collect();
        self.list(by, &format!("/api/v4/leads?{}", filter.join("&")), "leads").await
    }

    /// Deals whose fields hold `query`, with their contacts.
    pub async fn search_leads(&self, by: &Caller<'_, impl Store>, query: &str) -> Result<Vec<Lead>, CallError> {
        let path = format!("/api/v4/leads?{}", encode(&[("with", "contacts"), ("query", query)]));
        self.list(by, &path, "leads").await
    }

    /// A contact with its deals; `None` if it is gone.
    pub async fn contact(&self, by: &Caller<'_, impl Store>, id: u64) -> Result<Option<Contact>, CallError> {
        self.one(by, &format!("/api/v4/contacts/{id}?with=leads")).await
    }

    pub async fn lead(&self, by: &Caller<'_, impl Store>, id: u64) -> Result<Option<Lead>, CallError> {
        self.one(by, &format!("/api/v4/leads/{id}")).await
    }

    /// One entity; `None` if it is gone (or amoCRM refuses it for good).
    async fn one<T: serde::de::DeserializeOwned>(
        &self,
        by: &Caller<'_, impl Store>,
        path: &str,
    ) -> Result<Option<T>, CallError> {
        match self.call(by, "GET", path, None).await {
            Ok(Some(body)) => Ok(serde_json::from_value(body).ok()),
            Ok(None) | Err(CallError::Permanent(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Creates a deal with its contact: (deal, contact).
    pub async fn create(&self, by: &Caller<'_, impl Store>, lead: &NewLead<'_>) -> Result<(u64, u64), CallError> {
        let contact = match lead.contact {
            Ok(id) => json!({ "id": id }),
            Err((name, phone)) => {
                let mut contact = json!({ "name": name });
                if let Some(phone) = phone {
                    contact["custom_fields_values"] =
                        json!([{ "field_code": "PHONE", "values": [{ "value": phone, "enum_code": "WORK" }] }]);
                }
                contact
            }
        };
        let mut body = json!({
            "name": lead.name,
            "pipeline_id": lead.pipeline,
            "status_id": lead.status,
            "_embedded": { "tags": [{ "name": TAG }], "contacts": [contact] },
        });
        if let Some(user) = lead.responsible {
            body["responsible_user_id"] = json!(user);
        }
        let answer = self.call(by, "POST", "/api/v4/leads/complex", Some(json!([body]))).await?;
        let first = answer.as_ref().and_then(|a| a.get(0));
        let id = |key: &str| first.and_then(|f| f.get(key)).and_then(Value::as_u64);
        match (id("id"), id("contact_id")) {
            (Some(deal), Some(contact)) => Ok((deal, contact)),
            _ => Err(CallError::Transient {
                why: "leads/complex answered without the deal's id".into(),
                retry_after: None,
            }),
        }
    }

    /// The first lines of the deal's common notes (a note's header), the
    /// latest 250.
    pub async fn note_headers(&self, by: &Caller<'_, impl Store>, deal: u64) -> Result<Vec<String>, CallError> {
        let path = format!("/api/v4/leads/{deal}/notes?filter[note_type]=common&limit=250&order[id]=desc");
        let notes: Vec<Value> = self.list(by, &path, "notes").await?;
        let text =
            |n: &Value| n.get("params")?.get("text")?.as_str().map(|t| t.lines().next().unwrap_or("").to_owned());
        Ok(notes.iter().filter_map(text).collect())
    }

    /// Adds common notes to deals, `NOTES_PER_CALL` a request. A request
    /// amoCRM refuses for good is tried again note by note, so only the
    /// notes it refuses are left out: those, with why.
    pub async fn add_notes(
        &self,
        by: &Caller<'_, impl Store>,
        notes: &[(u64, String)],
    ) -> Result<Vec<(u64, String)>, CallError> {
        let mut refused = Vec::new();
        for batch in notes.chunks(NOTES_PER_CALL) {
            match self.post_notes(by, batch).await {
                Err(CallError::Permanent(_)) if batch.len() > 1 => {
                    for note in batch {
                        match self.post_notes(by, std::slice::from_ref(note)).await {
                            Err(CallError::Permanent(why)) => refused.push((note.0, why)),
                            other => other?,
                        }
                    }
                }
                Err(CallError::Permanent(why)) => refused.push((batch[0].0, why)),
                other => other?,
            }
        }
        Ok(refused)
    }

    async fn post_notes(&self, by: &Caller<'_, impl Store>, notes: &[(u64, String)]) -> Result<(), CallError> {
        let body: Vec<Value> = notes
            .iter()
            .map(|(deal, text)| json!({ "entity_id": deal, "note_type": "common", "params": { "text": text } }))
            .collect();
        self.call(by, "POST", "/api/v4/leads/notes", Some(Value::Array(body))).await.map(drop)
    }

    pub async fn set_responsible(&self, by: &Caller<'_, impl Store>, deal: u64, user: u64) -> Result<(), CallError> {
        let body = json!([{ "id": deal, "responsible_user_id": user }]);
        self.call(by, "PATCH", "/api/v4/leads", Some(body)).await.map(|_| ())
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        by: &Caller<'_, impl Store>,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, CallError> {
        let Some(body) = self.call(by, "GET", path, None).await? else { return Ok(Vec::new()) };
        let items = body.get("_embedded").and_then(|e| e.get(key)).cloned().unwrap_or(Value::Array(Vec::new()));
        serde_json::from_value(items)
            .map_err(|e| CallError::Transient { why: format!("{path}: unexpected answer: {e}"), retry_after: None })
    }

    /// One request in the account's window: its JSON answer (`None` for
    /// 204), or why not.
    async fn call(
        &self,
        by: &Caller<'_, impl Store>,
        method: &'static str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Option<Value>, CallError> {
        let token = match &self.credentials {
            Credentials::Token(token) => token.clone(),
            Credentials::OAuth(session) => self.oauth_bearer(session, by).await?,
        };
        let (status, answer) = self.request(by, method, path, Some(token.clone()), body).await?;
        self.count(&answer);
        match (&self.credentials, answer) {
            // A refused access token is replaced, and the request tried again.
            (Credentials::OAuth(session), Err(CallError::Halted(_))) if status == 401 => {
                self.refresh(session, by, Some(&token)).await?;
                Err(CallError::Transient { why: format!("{method} {path}: 401, token refreshed"), retry_after: None })
            }
            (_, answer) => answer,
        }
    }

    /// One request in the account's window (a slot taken first, the lease
    /// checked): its status and what it came to.
    pub(crate) async fn request(
        &self,
        by: &Caller<'_, impl Store>,
        method: &'static str,
        path: &str,
        token: Option<String>,
        body: Option<Value>,
    ) -> Result<(u16, Result<Option<Value>, CallError>), CallError> {
        self.wait_for_slot(by).await?;
        let (agent, url) = (self.agent.clone(), format!("{}{path}", self.base));
        let sent = tokio::task::spawn_blocking(move || send(&agent, method, &url, token.as_deref(), body)).await;
        let (status, headers, text) = sent
            .map_err(|e| CallError::Transient { why: e.to_string(), retry_after: None })?
            .map_err(|why| CallError::Transient { why, retry_after: None })?;
        Ok((status, classify(method, path, status, &headers, &text)))
    }

    /// Waits for a slot of the account's window (the lease checked).
    async fn wait_for_slot(&self, by: &Caller<'_, impl Store>) -> Result<(), CallError> {
        while let Err(wait) = by.store.slot(&self.account, by.worker, REQUESTS_PER_SECOND).await? {
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        Ok(())
    }
}

pub(crate) type Answer = (u16, Vec<(String, String)>, String);

/// The HTTP client of amoCRM and Wazzup calls: statuses as answers (not
/// errors), no redirect followed, within `timeout`.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("chatroute/", env!("CARGO_PKG_VERSION")))
        .build();
    config.into()
}

/// One request; `token` goes only into the `Authorization` header.
pub(crate) fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Answer, String> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut response = match (method, body) {
        ("GET", _) => with_auth(agent.get(url), auth.as_deref()).call(),
        ("POST", b) => with_auth(agent.post(url), auth.as_deref())
            .content_type("application/json")
            .send(b.unwrap_or(Value::Null).to_string()),
        (_, b) => with_auth(agent.patch(url), auth.as_deref())
            .content_type("application/json")
            .send(b.unwrap_or(Value::Null).to_string()),
    }
    .map_err(|e| e.to_string())?;
    let headers = ["content-type", "retry-after"]
        .iter()
        .filter_map(|h| Some((h.to_string(), response.headers().get(*h)?.to_str().ok()?.to_owned())))
        .collect();
    let text = response.body_mut().with_config().limit(8 * 1024 * 1024).read_to_string().map_err(|e| e.to_string())?;
    Ok((response.status().as_u16(), headers, text))
}

fn with_auth<B>(request: ureq::RequestBuilder<B>, auth: Option<&str>) -> ureq::RequestBuilder<B> {
    match auth {
        Some(auth) => request.header("Authorization", auth),
        None => request,
    }
}

/// An answer sorted into what the worker does next.
pub(crate) fn classify(
    method: &str,
    path: &str,
    status: u16,
    headers: &[(String, String)],
    text: &str,
) -> Result<Option<Value>, CallError> {
    let header = |name: &str| headers.iter().find(|(h, _)| h == name).map(|(_, v)| v.as_str());
    let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
    match status {
        204 => Ok(None),
        200..=299 => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| CallError::Transient { why: format!("{what}: unreadable answer: {e}"), retry_after: None }),
        403 if header("content-type").is_some_and(|c| c.contains("html")) => {
            Err(CallError::Halted(format!("{what}: 403 with an HTML page: amoCRM blocked the account")))
        }
        401 => Err(CallError::Halted(format!("{what}: 401: the token is refused"))),
        429 | 500..=599 => Err(CallError::Transient {
            why: format!("{what}: {status}"),
            retry_after: header("retry-after").and_then(|v| v.trim().parse().ok()).map(Duration::from_secs),
        }),
        _ => Err(CallError::Permanent(format!("{what}: {status}: {}", problem(text)))),
    }
}

/// The readable part of a `problem+json` error: its title, detail and
/// validation errors.
fn problem(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return chatroute_table::text::printable(&text.chars().take(200).collect::<String>()).into_owned();
    };
    let mut parts: Vec<String> =
        ["title", "detail"].iter().filter_map(|k| body.get(*k)?.as_str().map(str::to_owned)).collect();
    if let Some(errors) = body.get("validation-errors") {
        parts.push(errors.to_string());
    }
    parts.join(": ")
}

/// A query string, form-encoded.
fn encode(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
