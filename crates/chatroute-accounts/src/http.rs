//! The HTTP client both account APIs (amoCRM, Wazzup) are read with: a
//! bearer token that goes only into the `Authorization` header, requests
//! spaced to the API's rate, 429 and 5xx retried with bounded exponential
//! backoff (honouring `Retry-After`, at most 30 s), redirects never
//! followed, and a base URL that must be `https` (plain `http` only to a
//! loopback host, for tests) so the token never travels in clear.

use std::time::{Duration, Instant};

/// How requests are made and retried.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Bound of each request, connect to last byte.
    pub timeout: Duration,
    /// First retry delay; doubles on each retry.
    pub backoff: Duration,
    pub max_attempts: u32,
    /// Minimum spacing of requests.
    pub min_interval: Duration,
}

/// The outcome of a GET after retries.
#[derive(Debug)]
pub enum Answer {
    /// 200, with the body.
    Body(Vec<u8>),
    /// 204 No Content.
    Empty,
    /// Any other status, not retried (or no longer: `attempts` made).
    Status { status: u16, attempts: u32 },
}

/// Why a request has no answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError(pub String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransportError {}

/// Whether `base_url` may carry a token: `https://` (`Some(false)`), or
/// `http://` to a loopback host (`Some(true)`, so the caller can say the
/// token travels unencrypted); `None` for anything else.
pub fn check_base_url(base_url: &str) -> Option<bool> {
    let uri: ureq::http::Uri = base_url.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    match uri.scheme_str() {
        Some("https") => Some(false),
        Some("http") if host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()) => {
            Some(true)
        }
        _ => None,
    }
}

/// A paced, retrying client for one API and token.
pub struct Client {
    agent: ureq::Agent,
    token: String,
    policy: Policy,
    last: Option<Instant>,
}

impl Client {
    pub fn new(token: &str, policy: &Policy) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("chatroute/", env!("CARGO_PKG_VERSION")))
            .build();
        Client { agent: config.into(), token: token.to_owned(), policy: policy.clone(), last: None }
    }

    /// One GET with pacing and retries of 429 and 5xx.
    pub fn get(&mut self, url: &str) -> Result<Answer, TransportError> {
        let mut delay = self.policy.backoff;
        let attempts = self.policy.max_attempts.max(1);
        for attempt in 1..=attempts {
            if let Some(last) = self.last {
                std::thread::sleep(self.policy.min_interval.saturating_sub(last.elapsed()));
            }
            self.last = Some(Instant::now());
            let mut response = self
                .agent
                .get(url)
                .header("Authorization", &format!("Bearer {}", self.token))
                .header("Accept", "application/json")
                .call()
                .map_err(|e| TransportError(e.to_string()))?;
            let status = response.status().as_u16();
            match status {
                200 => {
                    let body = response.body_mut().read_to_vec().map_err(|e| TransportError(e.to_string()))?;
                    return Ok(Answer::Body(body));
                }
                204 => return Ok(Answer::Empty),
                429 | 500..=599 if attempt < attempts => {
                    let retry_after = response
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(30)));
                    std::thread::sleep(retry_after.unwrap_or(delay));
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
                _ => return Ok(Answer::Status { status, attempts: attempt }),
            }
        }
        unreachable!("the last attempt returns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_go_over_https_or_to_loopback_only() {
        assert_eq!(check_base_url("https://acme.amocrm.ru"), Some(false));
        for url in ["http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1"] {
            assert_eq!(check_base_url(url), Some(true), "{url}");
        }
        for url in ["http://acme.example", "ftp://x", "not a url", "http://127.0.0.2.example"] {
            assert_eq!(check_base_url(url), None, "{url}");
        }
    }
}
