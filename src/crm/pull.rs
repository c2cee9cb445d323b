//! `chatroute crm pull`: reads users, pipelines (statuses embedded) and,
//! on request, contacts' phone numbers from amoCRM's REST API v4.
//!
//! The token goes only into the `Authorization: Bearer` header: never into
//! a URL, the snapshot, a log line or an error message. Requests are spaced
//! to stay within amoCRM's 7 requests a second; 429 and 5xx answers are
//! retried with exponential backoff (honouring `Retry-After`); redirects are
//! not followed and `_links.next` must stay on the same origin, so the token
//! is never sent elsewhere. The account must be a subdomain and the base URL
//! `https` (plain `http` only to a loopback host, for tests), so the token
//! never travels in clear or to a host an argument smuggled in. Pagination
//! stops on a link already followed and after `max_pages`.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use super::snapshot::{Contact, Pipeline, Snapshot, Status, User};

/// How to reach the account.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// `https://<account>.amocrm.ru` unless given.
    pub base_url: String,
    pub token: String,
    pub contacts: bool,
    /// Bound of each request, connect to last byte.
    pub timeout: Duration,
    /// First retry delay; doubles on each retry.
    pub backoff: Duration,
    pub max_attempts: u32,
    /// Minimum spacing of requests (amoCRM allows 7 a second).
    pub min_interval: Duration,
    /// Most pages read of one collection (250 items each).
    pub max_pages: u32,
}

impl PullOptions {
    pub fn new(account: &str, token: String) -> Self {
        PullOptions {
            base_url: format!("https://{account}.amocrm.ru"),
            token,
            contacts: false,
            timeout: Duration::from_secs(30),
            backoff: Duration::from_millis(500),
            max_attempts: 5,
            min_interval: Duration::from_millis(1000 / 7 + 1),
            max_pages: 10_000,
        }
    }
}

/// Why a pull failed. Messages name the endpoint, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    #[error("amoCRM refused the token (HTTP {status} on {path}); listing users needs an account administrator's token")]
    Auth { status: u16, path: String },
    #[error("amoCRM answered HTTP {status} on {path}")]
    Status { status: u16, path: String },
    #[error("amoCRM kept answering HTTP {status} on {path}; gave up after {attempts} attempts")]
    RetriesExhausted { status: u16, path: String, attempts: u32 },
    #[error("unexpected response from {path}: {why}")]
    BadResponse { path: String, why: String },
    #[error("cannot reach amoCRM ({path}): {why}")]
    Transport { path: String, why: String },
    #[error("the next page link points to another host ({href}); refusing to send the token there")]
    ForeignLink { href: String },
    /// `_links.next` names a page already read: the server loops.
    #[error("the next page link {href} was already read; amoCRM's pagination loops, stopping")]
    RepeatedLink { href: String },
    #[error("{path} has more than {pages} pages; stopping (is the server paginating correctly?)")]
    TooManyPages { path: String, pages: u32 },
    /// The account is not a subdomain (`acme`).
    #[error(
        "account `{account}` is not an amoCRM subdomain (lowercase letters, digits, hyphens: `acme` of acme.amocrm.ru)"
    )]
    BadAccount { account: String },
    /// The base URL would send the token in clear or is not a URL.
    #[error("base URL {url} would send the token in clear; use https:// (plain http:// only to a loopback address)")]
    InsecureUrl { url: String },
}

struct Client<'o> {
    agent: ureq::Agent,
    opts: &'o PullOptions,
    last: Option<Instant>,
}

impl Client<'_> {
    /// One GET with pacing and retries; `None` for 204 No Content.
    fn get(&mut self, url: &str) -> Result<Option<Value>, PullError> {
        let path = url.strip_prefix(&self.opts.base_url).unwrap_or(url).to_owned();
        let mut delay = self.opts.backoff;
        for attempt in 1..=self.opts.max_attempts.max(1) {
            if let Some(last) = self.last {
                std::thread::sleep(self.opts.min_interval.saturating_sub(last.elapsed()));
            }
            self.last = Some(Instant::now());
            let mut response = self
                .agent
                .get(url)
                .header("Authorization", &format!("Bearer {}", self.opts.token))
                .header("Accept", "application/json")
                .call()
                .map_err(|e| PullError::Transport { path: path.clone(), why: e.to_string() })?;
            let status = response.status().as_u16();
            match status {
                200 => {
                    let body = response
                        .body_mut()
                        .read_to_vec()
                        .map_err(|e| PullError::Transport { path: path.clone(), why: e.to_string() })?;
                    return serde_json::from_slice(&body)
                        .map(Some)
                        .map_err(|e| PullError::BadResponse { path, why: format!("not JSON: {e}") });
                }
                204 => return Ok(None),
                401 | 403 => return Err(PullError::Auth { status, path }),
                429 | 500..=599 if attempt < self.opts.max_attempts => {
                    let retry_after = response
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(30)));
                    std::thread::sleep(retry_after.unwrap_or(delay));
                    delay *= 2;
                }
                429 | 500..=599 => {
                    return Err(PullError::RetriesExhausted { status, path, attempts: attempt });
                }
                _ => return Err(PullError::Status { status, path }),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Every item of a paginated collection, following `_links.next`.
    fn collect<T: for<'de> Deserialize<'de>>(&mut self, first: &str, key: &str) -> Result<Vec<T>, PullError> {
        let mut url = format!("{}{first}", self.opts.base_url);
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while let Some(page) = self.get(&url)? {
            seen.insert(url.clone());
            if seen.len() as u32 >= self.opts.max_pages.max(1) && page.pointer("/_links/next/href").is_some() {
                return Err(PullError::TooManyPages { path: first.to_owned(), pages: self.opts.max_pages });
            }
            let path = url.strip_prefix(&self.opts.base_url).unwrap_or(&url).to_owned();
            let bad = |why: String| PullError::BadResponse { path: path.clone(), why };
            let embedded = page.pointer(&format!("/_embedded/{key}")).cloned().unwrap_or(Value::Array(Vec::new()));
            let mut page_items: Vec<T> =
                serde_json::from_value(embedded).map_err(|e| bad(format!("`_embedded.{key}`: {e}")))?;
            items.append(&mut page_items);
            match page.pointer("/_links/next/href").and_then(Value::as_str) {
                Some(next) if seen.contains(next) => return Err(PullError::RepeatedLink { href: next.to_owned() }),
                Some(next) if next.starts_with(&format!("{}/", self.opts.base_url)) => url = next.to_owned(),
                Some(next) => return Err(PullError::ForeignLink { href: next.to_owned() }),
                None => break,
            }
        }
        Ok(items)
    }
}

#[derive(Deserialize)]
struct ApiUser {
    id: u64,
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    rights: Option<ApiRights>,
}

#[derive(Deserialize)]
struct ApiRights {
    #[serde(default = "active")]
    is_active: bool,
}

fn active() -> bool {
    true
}

#[derive(Deserialize)]
struct ApiPipeline {
    id: u64,
    name: String,
    #[serde(default)]
    is_main: bool,
    #[serde(rename = "_embedded", default)]
    embedded: ApiStatuses,
}

#[derive(Deserialize, Default)]
struct ApiStatuses {
    #[serde(default)]
    statuses: Vec<ApiStatus>,
}

#[derive(Deserialize)]
struct ApiStatus {
    id: u64,
    name: String,
    #[serde(default)]
    sort: i64,
    #[serde(rename = "type", default)]
    kind: u8,
}

#[derive(Deserialize)]
struct ApiContact {
    id: u64,
    #[serde(default)]
    custom_fields_values: Option<Vec<ApiField>>,
}

#[derive(Deserialize)]
struct ApiField {
    #[serde(default)]
    field_code: Option<String>,
    #[serde(default)]
    values: Vec<ApiValue>,
}

#[derive(Deserialize)]
struct ApiValue {
    value: Value,
}

/// Whether `base_url` may carry the token: `https://`, or `http://` to a
/// loopback host (a test server on this machine). `Ok(true)` for the
/// latter, so the caller can say the token travels unencrypted.
pub fn check_base_url(base_url: &str) -> Result<bool, PullError> {
    let insecure = || PullError::InsecureUrl { url: crate::text::printable(base_url).into_owned() };
    let uri: ureq::http::Uri = base_url.parse().map_err(|_| insecure())?;
    let host = uri.host().ok_or_else(insecure)?.trim_start_matches('[').trim_end_matches(']');
    match uri.scheme_str() {
        Some("https") => Ok(false),
        Some("http") if host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()) => {
            Ok(true)
        }
        _ => Err(insecure()),
    }
}

/// Pulls the snapshot of `account`.
pub fn pull(account: &str, opts: &PullOptions) -> Result<Snapshot, PullError> {
    if !crate::text::is_subdomain(account) {
        return Err(PullError::BadAccount { account: crate::text::printable(account).into_owned() });
    }
    check_base_url(&opts.base_url)?;
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("chatroute/", env!("CARGO_PKG_VERSION")))
        .build();
    let mut client = Client { agent: config.into(), opts, last: None };
    let users: Vec<ApiUser> = client.collect("/api/v4/users?limit=250", "users")?;
    let pipelines: Vec<ApiPipeline> = client.collect("/api/v4/leads/pipelines", "pipelines")?;
    let contacts = if opts.contacts {
        let contacts: Vec<ApiContact> = client.collect("/api/v4/contacts?limit=250", "contacts")?;
        Some(
            contacts
                .into_iter()
                .map(|c| Contact {
                    id: c.id,
                    phones: c
                        .custom_fields_values
                        .into_iter()
                        .flatten()
                        .filter(|f| f.field_code.as_deref() == Some("PHONE"))
                        .flat_map(|f| f.values)
                        .filter_map(|v| v.value.as_str().map(str::to_owned))
                        .collect(),
                })
                .collect(),
        )
    } else {
        None
    };
    let users = users
        .into_iter()
        .map(|u| User { id: u.id, name: u.name, email: u.email, active: u.rights.is_none_or(|r| r.is_active) })
        .collect();
    let pipelines = pipelines
        .into_iter()
        .map(|p| Pipeline {
            id: p.id,
            name: p.name,
            is_main: p.is_main,
            statuses: p
                .embedded
                .statuses
                .into_iter()
                .map(|s| Status { id: s.id, name: s.name, sort: s.sort, kind: s.kind })
                .collect(),
        })
        .collect();
    Ok(Snapshot::new(account, users, pipelines, contacts))
}
