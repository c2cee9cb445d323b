//! OAuth accounts. The access token (24 h at amoCRM) is refreshed before
//! it expires (with a tenth of its life left, at most 10 minutes before)
//! or when amoCRM refuses it; the refresh token, which amoCRM takes once
//! and replaces, is spent under the account's refresh lock in the state,
//! so two instances never spend it twice. The tokens live in the state
//! sealed (ChaCha20-Poly1305, the key derived from the client secret,
//! which only the instances' files hold), and the latest refresh token is
//! written back to its file, so a restart with in-process state starts
//! from it.
//!
//! A refresh whose answer is lost (the instance killed between amoCRM's
//! answer and the state's write) leaves amoCRM holding a refresh token
//! nobody has: the next refresh is refused, and the account halts with a
//! message to authorize the integration again.

use std::sync::Mutex;
use std::time::Duration;

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::amocrm::{Amo, CallError, Caller};
use crate::config::OAuth;
use crate::store::Store;
use crate::worker::now_ms;

/// The tokens of an OAuth account.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Tokens {
    access: String,
    refresh: String,
    expires_at_ms: i64,
    lifetime_ms: i64,
}

impl Tokens {
    fn fresh(&self, now_ms: i64) -> bool {
        self.expires_at_ms - now_ms > (self.lifetime_ms / 10).min(600_000)
    }
}

/// An OAuth account's credentials and its tokens as this instance knows them.
pub(crate) struct Session {
    oauth: OAuth,
    key: LessSafeKey,
    cached: Mutex<Option<Tokens>>,
}

impl Session {
    pub(crate) fn new(oauth: OAuth) -> Self {
        let derived = Sha256::new()
            .chain_update(b"chatroute oauth tokens\0")
            .chain_update(oauth.client_secret.expose())
            .finalize();
        let key = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &derived).expect("a 32-byte key"));
        Session { oauth, key, cached: Mutex::new(None) }
    }

    /// Nonce and ciphertext, hex.
    fn seal(&self, tokens: &Tokens) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).expect("the system's randomness");
        let mut sealed = serde_json::to_vec(tokens).expect("tokens serialise");
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut sealed)
            .expect("sealing");
        nonce.iter().chain(&sealed).map(|b| format!("{b:02x}")).collect()
    }

    /// `None` for what this client secret did not seal.
    fn open(&self, sealed: &str) -> Option<Tokens> {
        let bytes: Vec<u8> = (0..sealed.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(sealed.get(i..i + 2)?, 16).ok())
            .collect::<Option<_>>()?;
        let (nonce, body) = bytes.split_at_checked(NONCE_LEN)?;
        let mut body = body.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self.key.open_in_place(nonce, Aad::empty(), &mut body).ok()?;
        serde_json::from_slice(plain).ok()
    }

    /// When the access token this instance holds expires.
    pub(crate) fn expires_ms(&self) -> Option<i64> {
        self.cached().map(|t| t.expires_at_ms)
    }

    fn cached(&self) -> Option<Tokens> {
        self.cached.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn remember(&self, tokens: Option<Tokens>) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = tokens;
    }
}

impl Amo {
    /// A fresh access token: this instance's, the state's, or a new one.
    pub(crate) async fn oauth_bearer(
        &self,
        session: &Session,
        by: &Caller<'_, impl Store>,
    ) -> Result<String, CallError> {
        let now = now_ms();
        if let Some(tokens) = session.cached().filter(|t| t.fresh(now)) {
            return Ok(tokens.access);
        }
        let stored = by.store.oauth(&self.account).await?.and_then(|s| session.open(&s));
        if let Some(tokens) = stored.filter(|t| t.fresh(now)) {
            session.remember(Some(tokens.clone()));
            return Ok(tokens.access);
        }
        self.refresh(session, by, None).await
    }

    /// Refreshes under the account's lock; `rejected`: the access token
    /// amoCRM refused (refreshed even if its time is not up, unless
    /// another instance replaced it already).
    pub(crate) async fn refresh(
        &self,
        session: &Session,
        by: &Caller<'_, impl Store>,
        rejected: Option<&str>,
    ) -> Result<String, CallError> {
        session.remember(None);
        if !by.store.lock_refresh(&self.account, by.worker).await? {
            let why = "another instance is refreshing the OAuth token".to_owned();
            return Err(CallError::Transient { why, retry_after: Some(Duration::from_secs(1)) });
        }
        let refreshed = self.refresh_locked(session, by, rejected).await;
        let unlocked = by.store.unlock_refresh(&self.account, by.worker).await;
        let access = refreshed?;
        unlocked?;
        Ok(access)
    }

    async fn refresh_locked(
        &self,
        session: &Session,
        by: &Caller<'_, impl Store>,
        rejected: Option<&str>,
    ) -> Result<String, CallError> {
        let stored = by.store.oauth(&self.account).await?.and_then(|s| session.open(&s));
        // Replaced by another instance while this one waited: use it.
        if let Some(tokens) = stored.as_ref().filter(|t| t.fresh(now_ms()) && Some(t.access.as_str()) != rejected) {
            session.remember(Some(tokens.clone()));
            return Ok(tokens.access.clone());
        }
        let refresh = stored.map(|t| t.refresh).unwrap_or_else(|| session.oauth.refresh_token.expose().to_owned());
        let body = json!({
            "client_id": session.oauth.client_id,
            "client_secret": session.oauth.client_secret.expose(),
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "redirect_uri": session.oauth.redirect_uri,
        });
        let answer = self.exchange(by, body).await.map_err(|err| match err {
            CallError::Permanent(why) | CallError::Halted(why) => CallError::Halted(format!(
                "amoCRM refused the OAuth refresh token ({why}): it was spent or revoked; authorize the integration again and put the new refresh token in {}",
                session.oauth.refresh_token_file.display()
            )),
            transient => transient,
        })?;
        let tokens = tokens_of(&answer).ok_or_else(|| CallError::Transient {
            why: "POST /oauth2/access_token answered without tokens".into(),
            retry_after: None,
        })?;
        by.store.save_oauth(&self.account, &session.seal(&tokens)).await?;
        // The file follows, for a restart on in-process state (the state's
        // copy is the one instances share).
        let file = session.oauth.refresh_token_file.clone();
        let refresh = format!("{}\n", tokens.refresh);
        let _ =
            tokio::task::spawn_blocking(move || chatroute_table::artifact::write_atomically(&file, refresh.as_bytes()))
                .await;
        session.remember(Some(tokens.clone()));
        Ok(tokens.access)
    }

    /// `POST /oauth2/access_token`, in the account's window like any request.
    async fn exchange(&self, by: &Caller<'_, impl Store>, body: Value) -> Result<Value, CallError> {
        let (_, answer) = self.request(by, "POST", "/oauth2/access_token", None, Some(body)).await?;
        answer?.ok_or_else(|| CallError::Transient { why: "an empty answer".into(), retry_after: None })
    }
}

fn tokens_of(answer: &Value) -> Option<Tokens> {
    let lifetime_ms = answer.get("expires_in")?.as_i64()? * 1000;
    Some(Tokens {
        access: answer.get("access_token")?.as_str()?.to_owned(),
        refresh: answer.get("refresh_token")?.as_str()?.to_owned(),
        expires_at_ms: now_ms() + lifetime_ms,
        lifetime_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn session(secret: &str) -> Session {
        Session::new(OAuth {
            client_id: "id".into(),
            client_secret: Secret::new(secret),
            redirect_uri: "https://example.org".into(),
            refresh_token_file: "unused".into(),
            refresh_token: Secret::new("r0"),
        })
    }

    #[test]
    fn tokens_are_sealed_for_the_client_secret_alone() {
        let access = "access-token-of-the-account";
        let tokens = Tokens { access: access.into(), refresh: "r1".into(), expires_at_ms: 5, lifetime_ms: 9 };
        let sealed = session("s3cret").seal(&tokens);
        let in_hex: String = access.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(!sealed.contains(access) && !sealed.contains(&in_hex));
        let opened = session("s3cret").open(&sealed).unwrap();
        assert_eq!((opened.access.as_str(), opened.refresh.as_str()), (access, "r1"));
        assert!(session("another").open(&sealed).is_none());
        assert!(session("s3cret").open("zz").is_none());
    }
}
