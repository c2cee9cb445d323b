//! The one mapping of redis-rs errors to the state's: what may pass is
//! `Unavailable` (the caller retries later), what asking again cannot mend
//! is `Refused`.

use redis::{ErrorKind, RedisError, ServerErrorKind};

use crate::state::StateError;

/// A redis-rs error as the state's: what may pass is `Unavailable` (the
/// caller retries later), what asking again cannot mend is `Refused`.
pub(super) fn fault(e: RedisError) -> StateError {
    let text = chatroute_table::text::printable(&e.to_string()).into_owned();
    if let Some(tls) = tls_error(&e) {
        return StateError::Refused(format!(
            "the Redis server's TLS certificate is not accepted ({tls}); for a private CA, set SSL_CERT_FILE to its PEM file"
        ));
    }
    let permanent = matches!(
        e.kind(),
        ErrorKind::AuthenticationFailed
            | ErrorKind::InvalidClientConfig
            | ErrorKind::UnexpectedReturnType
            | ErrorKind::Server(
                ServerErrorKind::ResponseError
                    | ServerErrorKind::NoPerm
                    | ServerErrorKind::CrossSlot
                    | ServerErrorKind::ExecAbort
            )
    );
    if permanent { StateError::Refused(text) } else { StateError::Unavailable(text) }
}

/// The rustls error under a redis-rs error, if the fault is the handshake
/// (redis-rs keeps the cause as an `Arc`, an I/O error around rustls's).
fn tls_error(e: &RedisError) -> Option<String> {
    type Cause = std::sync::Arc<dyn std::error::Error + Send + Sync>;
    let cause: &(dyn std::error::Error + 'static) = &**std::error::Error::source(e)?.downcast_ref::<Cause>()?;
    let tls = match cause.downcast_ref::<std::io::Error>() {
        Some(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        None => cause.downcast_ref::<rustls::Error>()?,
    };
    Some(tls.to_string())
}
