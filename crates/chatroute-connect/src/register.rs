//! `chatroute connect register`: each account's two webhooks pointed at
//! the service. Wazzup's (`PATCH /v3/webhooks`, new messages and statuses)
//! to `/v1/wazzup/{account}`, amoCRM's (`POST /api/v4/webhooks`: a deal's
//! status, responsible and deletion) to `/v1/amocrm/{account}`, both with
//! the account's secret as `?key=`. Wazzup probes its URL with `{"test":
//! true}` while registering, so the service must be up and reachable at
//! the public URL. What is printed shows the secret as `***`.

use serde_json::json;

use crate::amocrm::{classify, send};
use crate::config::{Account, Auth};

/// Wazzup's API.
pub const WAZZUP: &str = "https://api.wazzup24.com";
/// Wazzup's limit on a webhook URL's length.
const MAX_WAZZUP_URI: usize = 200;
/// amoCRM's events the integration takes.
const AMOCRM_EVENTS: [&str; 3] = ["status_lead", "responsible_lead", "delete_lead"];

/// Both webhooks of one account: a line per webhook, what was set or why not.
pub fn register(account: &Account, public_url: &str, wazzup: &str) -> Vec<Result<String, String>> {
    let public = public_url.trim_end_matches('/');
    if chatroute_accounts::http::check_base_url(public).is_none() {
        let why = format!("--public-url {public_url} must be an https:// URL (plain http only to loopback)");
        return vec![Err(why)];
    }
    let secret = account.webhook_secret.expose();
    let url = |path: &str| format!("{public}/v1/{path}/{}?key={secret}", account.name);
    let shown = |path: &str| format!("{public}/v1/{path}/{}?key=***", account.name);
    vec![
        wazzup_hook(account, wazzup, &url("wazzup"), &shown("wazzup")),
        amocrm_hook(account, &url("amocrm"), &shown("amocrm")),
    ]
}

/// Wazzup answers the registration after probing the URL: more time than a call.
fn agent() -> ureq::Agent {
    crate::amocrm::agent(std::time::Duration::from_secs(40))
}

fn wazzup_hook(account: &Account, base: &str, url: &str, shown: &str) -> Result<String, String> {
    let name = &account.name;
    let Some(key) = &account.wazzup_key else {
        return Err(format!("`{name}`: Wazzup not set: ACCOUNTS.toml names no wazzup_key_file"));
    };
    if url.chars().count() > MAX_WAZZUP_URI {
        return Err(format!(
            "`{name}`: Wazzup takes webhook URLs of at most {MAX_WAZZUP_URI} characters; {shown} is longer"
        ));
    }
    let body = json!({ "webhooksUri": url, "subscriptions": { "messagesAndStatuses": true, "contactsAndDealsCreation": false } });
    let endpoint = format!("{}/v3/webhooks", base.trim_end_matches('/'));
    let (status, _, text) = send(&agent(), "PATCH", &endpoint, Some(key.expose()), Some(body))
        .map_err(|e| format!("`{name}`: Wazzup: {e}"))?;
    match status {
        200..=299 => Ok(format!("`{name}`: Wazzup sends new messages to {shown}")),
        _ => Err(format!(
            "`{name}`: Wazzup answered {status}: {}",
            chatroute_table::text::printable(&text.chars().take(300).collect::<String>())
        )),
    }
}

fn amocrm_hook(account: &Account, url: &str, shown: &str) -> Result<String, String> {
    let name = &account.name;
    // Refreshing here would spend the refresh token outside the state the
    // running service shares: OAuth integrations set the webhook in
    // amoCRM's own settings of the integration.
    let Auth::Token(token) = &account.auth else {
        return Ok(format!(
            "`{name}`: amoCRM: set this OAuth integration's webhook in amoCRM (Settings, Integrations, the integration, Webhooks) to {shown} (the secret of webhook_secret_file) for deals' status, responsible and deletion"
        ));
    };
    let body = json!({ "destination": url, "settings": AMOCRM_EVENTS });
    let endpoint = format!("{}/api/v4/webhooks", account.amocrm);
    let (status, headers, text) = send(&agent(), "POST", &endpoint, Some(token.expose()), Some(body))
        .map_err(|e| format!("`{name}`: amoCRM: {e}"))?;
    match classify("POST", "/api/v4/webhooks", status, &headers, &text) {
        Ok(_) => Ok(format!("`{name}`: amoCRM sends deals' status, responsible and deletion to {shown}")),
        Err(err) => Err(format!("`{name}`: amoCRM: {err}")),
    }
}
