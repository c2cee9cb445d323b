//! `ACCOUNTS.toml`: for each account, where its amoCRM is and the files
//! holding its secrets (a long-lived token, or an OAuth integration's). Secrets are read once at start, trimmed of a
//! trailing newline, and kept out of every log, error and answer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Shortest webhook secret accepted: it is the only credential of the
/// webhook URLs.
pub const MIN_WEBHOOK_SECRET: usize = 16;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    accounts: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    amocrm: String,
    token_file: Option<PathBuf>,
    oauth: Option<OAuthEntry>,
    webhook_secret_file: PathBuf,
    wazzup_key_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuthEntry {
    client_id: String,
    client_secret_file: PathBuf,
    redirect_uri: String,
    refresh_token_file: PathBuf,
}

/// A value read from a secret file: shown as `***` everywhere.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// One account of the integration.
#[derive(Debug, Clone)]
pub struct Account {
    /// The account of its routing table (the amoCRM subdomain).
    pub name: String,
    /// amoCRM's base URL, without a trailing slash.
    pub amocrm: String,
    /// How requests to amoCRM are authorized.
    pub auth: Auth,
    /// The `?key=` of the webhook URLs.
    pub webhook_secret: Secret,
    /// Wazzup's API key (`register`).
    pub wazzup_key: Option<Secret>,
}

/// A long-lived token, or an OAuth integration's credentials.
#[derive(Debug, Clone)]
pub enum Auth {
    Token(Secret),
    OAuth(OAuth),
}

/// An OAuth integration of amoCRM: the access token is refreshed with the
/// refresh token, which amoCRM takes once and replaces.
#[derive(Debug, Clone)]
pub struct OAuth {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// Where the latest refresh token is kept (rewritten at each refresh).
    pub refresh_token_file: PathBuf,
    /// The refresh token the file held at start.
    pub refresh_token: Secret,
}

/// Why `ACCOUNTS.toml` cannot be used; the message names the file and the
/// account, never a secret.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Reads `ACCOUNTS.toml` and every secret it names (paths relative to it).
pub fn load(path: &Path) -> Result<Vec<Account>, ConfigError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("cannot read {shown}: {e}")))?;
    let file: File = toml::from_str(&text).map_err(|e| ConfigError(format!("{shown}: {e}")))?;
    if file.accounts.is_empty() {
        return Err(ConfigError(format!("{shown}: no [accounts.NAME] table")));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    file.accounts
        .into_iter()
        .map(|(name, entry)| {
            account(base, name, entry).map_err(|e| ConfigError(format!("{shown}: account `{}`: {}", e.0, e.1)))
        })
        .collect()
}

fn account(base: &Path, name: String, entry: Entry) -> Result<Account, (String, String)> {
    let fail = |why: String| (name.clone(), why);
    if chatroute_accounts::http::check_base_url(&entry.amocrm).is_none() {
        return Err(fail(format!(
            "`amocrm = \"{}\"` must be an https:// URL (plain http only to loopback)",
            entry.amocrm
        )));
    }
    let read = |file: &Path| secret(&base.join(file)).map_err(fail);
    let webhook_secret = read(&entry.webhook_secret_file)?;
    if webhook_secret.expose().chars().count() < MIN_WEBHOOK_SECRET {
        return Err(fail(format!("the webhook secret must be at least {MIN_WEBHOOK_SECRET} characters")));
    }
    let auth = auth(base, entry.token_file.as_deref(), entry.oauth).map_err(fail)?;
    Ok(Account {
        amocrm: entry.amocrm.trim_end_matches('/').to_owned(),
        auth,
        webhook_secret,
        wazzup_key: entry.wazzup_key_file.as_deref().map(read).transpose()?,
        name,
    })
}

fn auth(base: &Path, token_file: Option<&Path>, oauth: Option<OAuthEntry>) -> Result<Auth, String> {
    Ok(match (token_file, oauth) {
        (Some(file), None) => Auth::Token(secret(&base.join(file))?),
        (None, Some(oauth)) => Auth::OAuth(OAuth {
            client_secret: secret(&base.join(&oauth.client_secret_file))?,
            refresh_token: secret(&base.join(&oauth.refresh_token_file))?,
            refresh_token_file: base.join(&oauth.refresh_token_file),
            client_id: oauth.client_id,
            redirect_uri: oauth.redirect_uri,
        }),
        _ => return Err("give either `token_file` or `oauth = { ... }`".into()),
    })
}

/// A secret file's text, trimmed (as every command reads its token), and
/// not empty.
fn secret(path: &Path) -> Result<Secret, String> {
    match chatroute_table::artifact::read_secret(path)? {
        value if value.is_empty() => Err(format!("cannot read the secret file {}: empty", path.display())),
        value => Ok(Secret::new(value)),
    }
}
