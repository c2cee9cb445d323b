//! `chatroute crm pull`: reads users, pipelines (statuses embedded) and,
//! on request, contacts' phone numbers from amoCRM's REST API v4.
//!
//! Requests go through `http::Client` (token only in the header, paced to
//! amoCRM's 7 requests a second, 429 and 5xx retried with bounded backoff,
//! no redirects, `https` only). `_links.next` must stay on the same origin,
//! so the token is never sent elsewhere; the account must be a subdomain,
//! so no argument can smuggle in another host. Pagination stops on a link
//! already followed and after `max_pages`. Russian accounts live on
//! `<sub>.amocrm.ru`, international (Kommo) ones on `<sub>.kommo.com`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::http::{self, Answer, Policy};
use crate::i18n::t;
use chatroute_check::crm::{Contact, Pipeline, Snapshot, Status, User};

/// Where an account lives: amoCRM (Russia) or Kommo (international).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Domain {
    #[default]
    AmoCrm,
    Kommo,
}

impl Domain {
    pub fn host(self, account: &str) -> String {
        match self {
            Domain::AmoCrm => format!("{account}.amocrm.ru"),
            Domain::Kommo => format!("{account}.kommo.com"),
        }
    }
}

/// How to reach the account.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// `https://<account>.amocrm.ru` (or `.kommo.com`) unless given.
    pub base_url: String,
    pub token: String,
    pub contacts: bool,
    /// Stop reading contacts after this many (the newest pages first).
    pub max_contacts: Option<usize>,
    pub http: Policy,
    /// Most pages read of one collection (250 items each).
    pub max_pages: u32,
}

impl PullOptions {
    pub fn new(account: &str, token: String) -> Self {
        Self::on(Domain::AmoCrm, account, token)
    }

    pub fn on(domain: Domain, account: &str, token: String) -> Self {
        PullOptions {
            base_url: format!("https://{}", domain.host(account)),
            token,
            contacts: false,
            max_contacts: None,
            http: Policy {
                timeout: Duration::from_secs(30),
                backoff: Duration::from_millis(500),
                max_attempts: 5,
                min_interval: Duration::from_millis(1000 / 7 + 1),
            },
            max_pages: 10_000,
        }
    }
}

/// Why a pull failed. Messages name the endpoint, never the token.
/// `Display` says it in the current language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullError {
    Expired {
        path: String,
    },
    Forbidden {
        path: String,
    },
    NotPaid {
        path: String,
    },
    Status {
        status: u16,
        path: String,
    },
    RetriesExhausted {
        status: u16,
        path: String,
        attempts: u32,
    },
    BadResponse {
        path: String,
        why: String,
    },
    Transport {
        path: String,
        why: String,
    },
    ForeignLink {
        href: String,
    },
    /// `_links.next` names a page already read: the server loops.
    RepeatedLink {
        href: String,
    },
    TooManyPages {
        path: String,
        pages: u32,
    },
    /// The account is not a subdomain (`acme`).
    BadAccount {
        account: String,
    },
    /// The base URL would send the token in clear or is not a URL.
    InsecureUrl {
        url: String,
    },
}

impl std::fmt::Display for PullError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            PullError::Expired { path } => t!("crm-expired", path = path.as_str()),
            PullError::Forbidden { path } => t!("crm-forbidden", path = path.as_str()),
            PullError::NotPaid { path } => t!("crm-not-paid", path = path.as_str()),
            PullError::Status { status, path } => t!("crm-status", status = status.to_owned(), path = path.as_str()),
            PullError::RetriesExhausted { status, path, attempts } => {
                t!(
                    "crm-retries-exhausted",
                    status = status.to_owned(),
                    path = path.as_str(),
                    attempts = attempts.to_owned()
                )
            }
            PullError::BadResponse { path, why } => t!("crm-bad-response", path = path.as_str(), why = why.as_str()),
            PullError::Transport { path, why } => t!("crm-transport", path = path.as_str(), why = why.as_str()),
            PullError::ForeignLink { href } => t!("crm-foreign-link", href = href.as_str()),
            PullError::RepeatedLink { href } => t!("crm-repeated-link", href = href.as_str()),
            PullError::TooManyPages { path, pages } => {
                t!("crm-too-many-pages", path = path.as_str(), pages = pages.to_owned())
            }
            PullError::BadAccount { account } => t!("crm-bad-account", account = account.as_str()),
            PullError::InsecureUrl { url } => t!("insecure-url-token", url = url.as_str()),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for PullError {}

struct Client<'o> {
    http: http::Client,
    opts: &'o PullOptions,
}

impl Client<'_> {
    /// One GET; `None` for 204 No Content.
    fn get(&mut self, url: &str) -> Result<Option<Value>, PullError> {
        let path = url.strip_prefix(&self.opts.base_url).unwrap_or(url).to_owned();
        match self.http.get(url).map_err(|e| PullError::Transport { path: path.clone(), why: e.0 })? {
            Answer::Body(body) => serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| PullError::BadResponse { path, why: format!("not JSON: {e}") }),
            Answer::Empty => Ok(None),
            Answer::Status { status: 401, .. } => Err(PullError::Expired { path }),
            Answer::Status { status: 402, .. } => Err(PullError::NotPaid { path }),
            Answer::Status { status: 403, .. } => Err(PullError::Forbidden { path }),
            Answer::Status { status: status @ (429 | 500..=599), attempts } => {
                Err(PullError::RetriesExhausted { status, path, attempts })
            }
            Answer::Status { status, .. } => Err(PullError::Status { status, path }),
        }
    }

    /// Every item of a paginated collection, following `_links.next`.
    fn collect<T: for<'de> Deserialize<'de>>(&mut self, first: &str, key: &str) -> Result<Vec<T>, PullError> {
        self.collect_up_to(first, key, usize::MAX, &|_| {})
    }

    /// At most `limit` items (whole pages are read), reporting the count
    /// after each page.
    fn collect_up_to<T: for<'de> Deserialize<'de>>(
        &mut self,
        first: &str,
        key: &str,
        limit: usize,
        progress: &dyn Fn(usize),
    ) -> Result<Vec<T>, PullError> {
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
            progress(items.len());
            if items.len() >= limit {
                items.truncate(limit);
                break;
            }
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
    /// A user without a name (seen on invited, never-logged-in users) is
    /// kept, named by id, rather than aborting the pull.
    #[serde(default)]
    name: Option<String>,
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
    #[serde(default)]
    is_archive: bool,
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

/// Whether `base_url` may carry the token (`http::check_base_url`).
pub fn check_base_url(base_url: &str) -> Result<bool, PullError> {
    http::check_base_url(base_url)
        .ok_or_else(|| PullError::InsecureUrl { url: chatroute_check::text::printable(base_url).into_owned() })
}

/// Pulls the snapshot of `account`.
pub fn pull(account: &str, opts: &PullOptions) -> Result<Snapshot, PullError> {
    pull_reporting(account, opts, &|_| {})
}

/// Pulls the snapshot of `account`, calling `progress` with the number of
/// contacts read after each page of them.
pub fn pull_reporting(account: &str, opts: &PullOptions, progress: &dyn Fn(usize)) -> Result<Snapshot, PullError> {
    if !chatroute_check::text::is_subdomain(account) {
        return Err(PullError::BadAccount { account: chatroute_check::text::printable(account).into_owned() });
    }
    check_base_url(&opts.base_url)?;
    let mut client = Client { http: http::Client::new(&opts.token, &opts.http), opts };
    let users: Vec<ApiUser> = client.collect("/api/v4/users?limit=250", "users")?;
    let pipelines: Vec<ApiPipeline> = client.collect("/api/v4/leads/pipelines", "pipelines")?;
    let contacts = if opts.contacts {
        let limit = opts.max_contacts.unwrap_or(usize::MAX);
        let contacts: Vec<ApiContact> =
            client.collect_up_to("/api/v4/contacts?limit=250", "contacts", limit, progress)?;
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
        .map(|u| User {
            id: u.id,
            name: u.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| format!("user {}", u.id)),
            email: u.email,
            active: u.rights.is_none_or(|r| r.is_active),
        })
        .collect();
    let pipelines = pipelines
        .into_iter()
        .map(|p| Pipeline {
            id: p.id,
            name: p.name,
            is_main: p.is_main,
            is_archive: p.is_archive,
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
