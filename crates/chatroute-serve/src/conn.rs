//! Connections: accepted within a cap, each bounded in header size and in
//! the time it may sit idle or dribble a request head, and all of them
//! given a bounded grace period at shutdown. `axum::serve` has none of
//! these knobs; hyper's HTTP/1 server has them all.
//!
//! - `header_timeout` runs from the moment a connection is ready for a
//!   request head (accepted, or the last response written) until the head
//!   has been read, so it is also the keep-alive idle timeout;
//! - a request head is at most `MAX_HEAD_BYTES` (hyper answers 431);
//! - at most `max_connections` are open; the rest wait in the kernel's
//!   backlog, so `/healthz` is answered as soon as any slot frees;
//! - at shutdown, open connections finish their request within `grace`,
//!   then the process exits whatever they do.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router as Routes;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head read (request line and headers). Requests here
/// carry a token and a few standard headers.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Descriptors kept free beside the connections: the listener, the table
/// file, Redis connections, standard streams.
const RESERVED_DESCRIPTORS: u64 = 64;

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub grace: Duration,
}

/// `wanted`, lowered to fit under the process's descriptor limit.
pub(crate) fn connection_cap(wanted: usize) -> usize {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    let known = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    if !known || limit.rlim_cur == libc::RLIM_INFINITY {
        return wanted;
    }
    let room = limit.rlim_cur.saturating_sub(RESERVED_DESCRIPTORS).max(1);
    wanted.min(usize::try_from(room).unwrap_or(usize::MAX))
}

/// Serves `routes` on `listener` until `shutdown` completes, then lets open
/// connections finish within the grace period.
pub(crate) async fn serve(listener: TcpListener, routes: Routes, limits: Limits, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or a connection reset before accept:
                // pause briefly instead of spinning, then go on.
                Err(_) => { tokio::time::sleep(Duration::from_millis(50)).await; continue }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(JsonFramingErrors::new(stream)), TowerToHyperService::new(routes.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.grace, graceful.shutdown()).await.is_err() {
        crate::log(&format!("connections still open after the {:?} grace period are dropped", limits.grace));
    }
}

/// hyper answers a request it cannot parse (a bad request line or
/// `Content-Length`, a head over the limit) itself, with an empty body,
/// before any handler runs. This stream gives those answers the service's
/// error body: a status line of 400 or 431 with `content-length: 0` is
/// only ever written by hyper's parser (every handler's error has a body).
struct JsonFramingErrors {
    stream: TcpStream,
    /// A rewritten answer still being written; hyper was told it is done.
    pending: Vec<u8>,
}

impl JsonFramingErrors {
    fn new(stream: TcpStream) -> Self {
        JsonFramingErrors { stream, pending: Vec::new() }
    }

    fn flush_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = std::task::ready!(Pin::new(&mut self.stream).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

/// The answer with the service's error body, for one of hyper's own.
fn with_error_body(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let (code, message) = match text.get(..12)? {
        "HTTP/1.1 400" | "HTTP/1.0 400" => {
            ("bad_request", "the request is not valid HTTP/1.1 (request line, headers or Content-Length)")
        }
        "HTTP/1.1 431" | "HTTP/1.0 431" => ("headers_too_large", "the request head is over 16 KiB"),
        _ => return None,
    };
    if !text.ends_with("\r\n\r\n") || !text.to_ascii_lowercase().contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let body = crate::error::error_json(code, message.into());
    let mut out = text[..text.len() - 2].replace("content-length: 0\r\n", "").into_bytes();
    out.extend(format!("content-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes());
    out.extend(body);
    Some(out)
}

impl AsyncRead for JsonFramingErrors {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonFramingErrors {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        std::task::ready!(self.flush_pending(cx))?;
        if let Some(rewritten) = with_error_body(buf) {
            self.pending = rewritten;
            let _ = self.flush_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.flush_pending(cx))?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.flush_pending(cx))?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::with_error_body;

    #[test]
    fn only_hypers_bodiless_framing_errors_are_rewritten() {
        let head = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 00:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(with_error_body(head).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("content-type: application/json") && head.contains("date: "), "{head}");
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"]["code"], "bad_request");
        assert!(head.contains(&format!("content-length: {}", out.split_once("\r\n\r\n").unwrap().1.len())));
        assert!(with_error_body(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 51\r\n\r\n").is_none());
        assert!(with_error_body(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
