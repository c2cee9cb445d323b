//! A minimal RESP2 client for the few commands the assignment state sends,
//! built for a peer that may be slow, broken or hostile: one deadline for a
//! whole command (a server dripping one byte a second cannot stretch it),
//! and a cap on every reply line and string (a `$2147483647` header cannot
//! make it allocate). General-purpose Redis clients bound each read, not the
//! command, and trust the lengths the server announces.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Longest reply line or bulk string accepted. Replies here are integers,
/// employee handles and short error texts.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

/// Where the server is, from
/// `redis://[[user]:password@]host[:port][/db][?replicas=N]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub db: u32,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Replicas a won claim must reach (`WAIT`) before it is answered won.
    pub replicas: u32,
}

// The password never appears in debug output.
impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redis://{}:{}/{}", self.host, self.port, self.db)
    }
}

impl Endpoint {
    /// Parses a `redis://` URL. Errors never repeat the URL (it may hold a
    /// password).
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let rest = match url.split_once("://") {
            Some(("redis", rest)) => rest,
            Some(("rediss", _)) => {
                return Err("TLS (rediss://) is not supported; use redis:// on a trusted network".into());
            }
            _ => return Err("expected redis://[[user]:password@]host[:port][/db][?replicas=N]".into()),
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let replicas = match query {
            "" => 0,
            q => q
                .strip_prefix("replicas=")
                .and_then(|n| n.parse().ok())
                .ok_or("the only option is `?replicas=N`, the replicas a won claim must reach")?,
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, pass) = u.split_once(':').map_or((u, None), |(a, b)| (a, Some(b)));
                let decode = |s: &str| {
                    chatroute_table::text::percent_decode(s).ok_or("bad %-escape in the URL's user or password")
                };
                let user = Some(decode(user)?).filter(|u| !u.is_empty());
                (user, pass.map(decode).transpose()?)
            }
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or("unclosed `[` in the host")?;
            (host, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        let port = port.map_or(Ok(6379), |p| p.parse().map_err(|_| "the port is not a number from 1 to 65535"))?;
        let db = match path.trim_end_matches('/') {
            "" => 0,
            db => db.parse().map_err(|_| "the database (after `/`) is not a number")?,
        };
        Ok(Endpoint { host: host.to_owned(), port, db, username, password, replicas })
    }
}

/// The URL with its password replaced by `***`, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return chatroute_table::text::printable(url).into_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let shown = match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
    };
    chatroute_table::text::printable(&shown).into_owned()
}

/// A reply, as much of RESP2 as these commands produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    /// `SCAN`'s reply: a cursor and a batch of keys (one level deep).
    Array(Vec<Reply>),
}

/// Most elements accepted in an array reply (a `SCAN` batch is about its
/// `COUNT`).
pub const MAX_ARRAY: i64 = 64 * 1024;

/// Why a command has no reply.
#[derive(Debug)]
pub enum RespError {
    /// The deadline passed before the reply was complete.
    Timeout,
    Io(std::io::Error),
    /// The server broke the protocol or announced too much.
    Protocol(String),
}

impl std::fmt::Display for RespError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RespError::Timeout => f.write_str("timed out"),
            RespError::Io(e) => write!(f, "{e}"),
            RespError::Protocol(why) => write!(f, "protocol error: {why}"),
        }
    }
}

impl From<std::io::Error> for RespError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => RespError::Timeout,
            _ => RespError::Io(e),
        }
    }
}

/// One connection. Not reused after any error: its stream may be mid-reply.
pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    pos: usize,
}

impl Connection {
    /// Connects, authenticates and selects the database, all before `deadline`.
    pub fn open(endpoint: &Endpoint, deadline: Instant) -> Result<Connection, RespError> {
        let addrs = (endpoint.host.as_str(), endpoint.port).to_socket_addrs()?;
        let mut last = RespError::Protocol("the host has no address".into());
        for addr in addrs {
            let stream = match TcpStream::connect_timeout(&addr, remaining(deadline)?) {
                Ok(s) => s,
                Err(e) => {
                    last = e.into();
                    continue;
                }
            };
            stream.set_nodelay(true)?;
            let mut conn = Connection { stream, buf: Vec::new(), pos: 0 };
            if let Some(password) = &endpoint.password {
                let mut auth = vec![b"AUTH".as_slice()];
                if let Some(user) = &endpoint.username {
                    auth.push(user.as_bytes());
                }
                auth.push(password.as_bytes());
                conn.expect_ok(&auth, deadline)?;
            }
            if endpoint.db != 0 {
                conn.expect_ok(&[b"SELECT", endpoint.db.to_string().as_bytes()], deadline)?;
            }
            return Ok(conn);
        }
        Err(last)
    }

    /// Whether the connection can carry a command: the peer has not closed
    /// it (a restart, or Redis's idle `timeout`) and sent nothing unasked.
    /// A look without blocking; a pooled connection is checked before use,
    /// so a dead one costs no decision.
    pub fn is_usable(&self) -> bool {
        if self.pos != self.buf.len() || self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0u8; 1];
        let quiet = matches!(self.stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        self.stream.set_nonblocking(false).is_ok() && quiet
    }

    fn expect_ok(&mut self, args: &[&[u8]], deadline: Instant) -> Result<(), RespError> {
        match self.command(args, deadline)? {
            Reply::Status(_) => Ok(()),
            // The server's text, not ours: it never holds the password.
            Reply::Error(e) => Err(RespError::Protocol(chatroute_table::text::printable(&e).into_owned())),
            other => Err(RespError::Protocol(format!("unexpected reply {other:?}"))),
        }
    }

    /// Sends one command and reads its reply, all before `deadline`.
    pub fn command(&mut self, args: &[&[u8]], deadline: Instant) -> Result<Reply, RespError> {
        let mut frame = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            frame.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            frame.extend_from_slice(arg);
            frame.extend_from_slice(b"\r\n");
        }
        self.stream.set_write_timeout(Some(remaining(deadline)?))?;
        self.stream.write_all(&frame)?;
        self.reply(deadline)
    }

    fn reply(&mut self, deadline: Instant) -> Result<Reply, RespError> {
        self.reply_at(deadline, 0)
    }

    fn reply_at(&mut self, deadline: Instant, depth: u8) -> Result<Reply, RespError> {
        let line = self.line(deadline)?;
        let (kind, rest) = line.split_first().ok_or_else(|| RespError::Protocol("empty reply line".into()))?;
        let text = || String::from_utf8_lossy(rest).into_owned();
        let number = || text().parse::<i64>().map_err(|_| RespError::Protocol(format!("bad number {:?}", text())));
        Ok(match kind {
            b'+' => Reply::Status(text()),
            b'-' => Reply::Error(text()),
            b':' => Reply::Integer(number()?),
            b'$' => match number()? {
                -1 => Reply::Bulk(None),
                n if (0..=MAX_REPLY_BYTES as i64).contains(&n) => {
                    let n = n as usize;
                    self.fill(n + 2, deadline)?;
                    let data = self.buf[self.pos..self.pos + n].to_vec();
                    if &self.buf[self.pos + n..self.pos + n + 2] != b"\r\n" {
                        return Err(RespError::Protocol("bulk string not ended by CRLF".into()));
                    }
                    self.pos += n + 2;
                    Reply::Bulk(Some(data))
                }
                n => return Err(RespError::Protocol(format!("bulk string of {n} bytes refused"))),
            },
            b'*' if depth < 2 => match number()? {
                -1 => Reply::Array(Vec::new()),
                n if (0..=MAX_ARRAY).contains(&n) => {
                    let items = (0..n).map(|_| self.reply_at(deadline, depth + 1)).collect::<Result<_, _>>()?;
                    Reply::Array(items)
                }
                n => return Err(RespError::Protocol(format!("array of {n} elements refused"))),
            },
            other => return Err(RespError::Protocol(format!("unexpected reply type {:?}", *other as char))),
        })
    }

    /// One CRLF-ended line, without the CRLF; at most `MAX_REPLY_BYTES`.
    fn line(&mut self, deadline: Instant) -> Result<Vec<u8>, RespError> {
        loop {
            if let Some(at) = self.buf[self.pos..].windows(2).position(|w| w == b"\r\n") {
                let end = self.pos + at;
                let line = self.buf[self.pos..end].to_vec();
                self.pos = end + 2;
                return Ok(line);
            }
            if self.buf.len() - self.pos > MAX_REPLY_BYTES {
                return Err(RespError::Protocol(format!("reply line longer than {MAX_REPLY_BYTES} bytes")));
            }
            self.read_more(deadline)?;
        }
    }

    /// Buffers at least `n` unread bytes.
    fn fill(&mut self, n: usize, deadline: Instant) -> Result<(), RespError> {
        while self.buf.len() - self.pos < n {
            self.read_more(deadline)?;
        }
        Ok(())
    }

    fn read_more(&mut self, deadline: Instant) -> Result<(), RespError> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.stream.set_read_timeout(Some(remaining(deadline)?))?;
        let mut chunk = [0u8; 4096];
        match self.stream.read(&mut chunk)? {
            0 => Err(RespError::Io(std::io::ErrorKind::UnexpectedEof.into())),
            n => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }
}

/// Time left before `deadline`; none left is a timeout (a zero timeout
/// would mean "block forever" to the socket).
fn remaining(deadline: Instant) -> Result<Duration, RespError> {
    deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()).ok_or(RespError::Timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let e = Endpoint::parse("redis://:s3cret@host:6380/2").unwrap();
        assert_eq!((e.host.as_str(), e.port, e.db, e.password.as_deref()), ("host", 6380, 2, Some("s3cret")));
        assert_eq!(e.username, None);
        let e = Endpoint::parse("redis://app:p%40ss@[::1]").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.username.as_deref(), e.password.as_deref()),
            ("::1", 6379, Some("app"), Some("p@ss"))
        );
        assert_eq!(Endpoint::parse("redis://h:1/2?replicas=1").unwrap().replicas, 1);
        assert_eq!(Endpoint::parse("redis://h?replicas=2").unwrap().replicas, 2);
        for bad in ["not a url", "http://h", "redis://", "redis://h:x", "redis://h/abc", "rediss://h", "redis://h?x=1"]
        {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", Endpoint::parse("redis://:s3cret@h").unwrap()).contains("s3cret"));
    }

    #[test]
    fn redaction_hides_the_password_only() {
        assert_eq!(redacted("redis://:s3cret@host/abc"), "redis://:***@host/abc");
        assert_eq!(redacted("redis://app:s3cret@host"), "redis://app:***@host");
        assert_eq!(redacted("redis://host:6379/0"), "redis://host:6379/0");
    }
}
