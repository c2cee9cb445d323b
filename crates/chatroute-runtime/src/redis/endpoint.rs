//! Where the shared state is: the `--state` URL, read into redis-rs's
//! connection settings. One node, `redis://` or `rediss://` (TLS), or a
//! Redis Cluster, `redis+cluster://` or `rediss+cluster://` with one or
//! more seed nodes separated by commas:
//!
//! `redis[s][+cluster]://[[user]:password@]host[:port][,host[:port]...][/db][?replicas=N]`
//!
//! Errors never repeat the URL (it may hold a password).

use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisConnectionInfo};

const FORM: &str = "expected redis[s][+cluster]://[[user]:password@]host[:port][,host[:port]...][/db][?replicas=N]";

/// A parsed `--state` URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// TLS, with the server's certificate checked against the system trust
    /// store (`SSL_CERT_FILE` or `SSL_CERT_DIR` replace it, for a private CA).
    pub tls: bool,
    pub cluster: bool,
    /// One node, or a cluster's seed nodes.
    pub nodes: Vec<(String, u16)>,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Replicas a won claim must reach (`WAIT`) before it is answered won.
    pub replicas: u32,
}

// The password never appears in debug output.
impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<String> = self.nodes.iter().map(|(h, p)| format!("{h}:{p}")).collect();
        write!(f, "{:?} tls={} cluster={} db={}", hosts, self.tls, self.cluster, self.db)
    }
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (scheme, rest) = url.split_once("://").ok_or(FORM)?;
        let (tls, cluster) = match scheme {
            "redis" => (false, false),
            "rediss" => (true, false),
            "redis+cluster" => (false, true),
            "rediss+cluster" => (true, true),
            _ => return Err(FORM.into()),
        };
        // The user and password end at the last `@`: a password may hold
        // `/`, `?` or `@` unescaped (base64 secrets do), hosts never do.
        let (userinfo, rest) = match rest.rsplit_once('@') {
            Some((u, r)) => (Some(u), r),
            None => (None, rest),
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let replicas = match query {
            "" => 0,
            q => q
                .strip_prefix("replicas=")
                .and_then(|n| n.parse().ok())
                .ok_or("the only option is `?replicas=N`, the replicas a won claim must reach")?,
        };
        let (hosts, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (username, password) = credentials(userinfo)?;
        let nodes = hosts.split(',').map(host_port).collect::<Result<Vec<_>, _>>()?;
        if nodes.len() > 1 && !cluster {
            return Err("several hosts are a cluster's seed nodes: use redis+cluster:// (or rediss+cluster://)".into());
        }
        let db = match path.trim_end_matches('/') {
            "" => 0,
            db => db.parse().map_err(|_| "the database (after `/`) is not a number")?,
        };
        if cluster && db != 0 {
            return Err("a Redis Cluster has database 0 only".into());
        }
        Ok(Endpoint { tls, cluster, nodes, db, username, password, replicas })
    }

    /// redis-rs's settings for each node (one, or the cluster's seeds).
    pub fn connection_infos(&self) -> Result<Vec<ConnectionInfo>, String> {
        let mut settings = RedisConnectionInfo::default().set_db(self.db);
        if let Some(user) = &self.username {
            settings = settings.set_username(user);
        }
        if let Some(password) = &self.password {
            settings = settings.set_password(password);
        }
        // RESP3: a connection Redis closes (idle `timeout`, restart) is
        // announced by a push and replaced before the next call meets it.
        let settings =
            settings.set_lib_name("chatroute", env!("CARGO_PKG_VERSION")).set_protocol(redis::ProtocolVersion::RESP3);
        self.nodes
            .iter()
            .map(|(host, port)| {
                let addr = match self.tls {
                    false => ConnectionAddr::Tcp(host.clone(), *port),
                    true => {
                        ConnectionAddr::TcpTls { host: host.clone(), port: *port, insecure: false, tls_params: None }
                    }
                };
                let info = addr.into_connection_info().map_err(|e| e.to_string())?;
                // Small requests on a shared connection: Nagle would hold
                // each behind the previous one's acknowledgement.
                let tcp = redis::io::tcp::TcpSettings::default().set_nodelay(true);
                Ok(info.set_redis_settings(settings.clone()).set_tcp_settings(tcp))
            })
            .collect()
    }
}

fn credentials(userinfo: Option<&str>) -> Result<(Option<String>, Option<String>), String> {
    let Some(u) = userinfo else { return Ok((None, None)) };
    let (user, pass) = u.split_once(':').map_or((u, None), |(a, b)| (a, Some(b)));
    let decode = |s: &str| chatroute_table::text::percent_decode(s).ok_or("bad %-escape in the URL's user or password");
    let user = Some(decode(user)?).filter(|u| !u.is_empty());
    Ok((user, pass.map(decode).transpose()?))
}

fn host_port(hostport: &str) -> Result<(String, u16), String> {
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
    Ok((host.to_owned(), port))
}

/// The URL for messages, written again from its parsed parts with the
/// password as `***` (never the text given, which may hold it anywhere);
/// a URL that does not parse shows its scheme only.
pub fn redacted(url: &str) -> String {
    match Endpoint::parse(url) {
        Ok(endpoint) => endpoint.to_string(),
        Err(_) => {
            let scheme = url.split_once("://").map_or("", |(s, _)| s);
            let scheme = if scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+') { scheme } else { "?" };
            format!("{scheme}://(a URL that does not parse)")
        }
    }
}

/// The URL without its password.
impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match (self.tls, self.cluster) {
            (false, false) => "redis",
            (true, false) => "rediss",
            (false, true) => "redis+cluster",
            (true, true) => "rediss+cluster",
        };
        write!(f, "{scheme}://")?;
        let user = self.username.as_deref().map(|u| chatroute_table::text::printable(u).into_owned());
        match (user, &self.password) {
            (Some(user), Some(_)) => write!(f, "{user}:***@")?,
            (Some(user), None) => write!(f, "{user}@")?,
            (None, Some(_)) => write!(f, ":***@")?,
            (None, None) => {}
        }
        let hosts: Vec<String> = self
            .nodes
            .iter()
            .map(|(h, p)| {
                let h = chatroute_table::text::printable(h);
                if h.contains(':') { format!("[{h}]:{p}") } else { format!("{h}:{p}") }
            })
            .collect();
        write!(f, "{}/{}", hosts.join(","), self.db)?;
        if self.replicas > 0 {
            write!(f, "?replicas={}", self.replicas)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        let e = Endpoint::parse("rediss://app:p%40ss@cache.internal:6380/2?replicas=1").unwrap();
        assert_eq!((e.tls, e.cluster, e.db, e.replicas), (true, false, 2, 1));
        assert_eq!((e.username.as_deref(), e.password.as_deref()), (Some("app"), Some("p@ss")));
        let e = Endpoint::parse("redis+cluster://:pw@10.0.0.1:7000,10.0.0.2,[::1]:7002").unwrap();
        assert_eq!(e.nodes, [("10.0.0.1".into(), 7000), ("10.0.0.2".into(), 6379), ("::1".into(), 7002)]);
        assert!(e.cluster && !e.tls && e.username.is_none());
        assert!(Endpoint::parse("rediss+cluster://h:1").unwrap().tls);
    }

    #[test]
    fn mistakes_are_refused_without_repeating_the_url() {
        for (url, why) in [
            ("http://h", "expected redis"),
            ("redis://a:1,b:2", "redis+cluster"),
            ("redis+cluster://a:1/3", "database 0"),
            ("redis://h:99999", "port"),
            ("redis://:secret@/0", "no host"),
            ("redis://h?timeout=1", "replicas"),
        ] {
            let err = Endpoint::parse(url).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
            assert!(!err.contains("secret"));
        }
        assert_eq!(redacted("redis://u:secret@h:1/0"), "redis://u:***@h:1/0");
    }

    /// A password of any character class, escaped or not, never shows:
    /// the message is written from the parsed URL.
    #[test]
    fn passwords_never_show_whatever_they_hold() {
        let passwords = [
            "Zm9v/YmFy+cXV4",
            "a@b",
            "q?x=1",
            "h#frag",
            "p:q",
            "%2Fslash",
            "пароль",
            "sp ace",
            "a,b",
            "[x]",
            "~!$&'()*;=",
        ];
        for password in passwords {
            for url in [format!("redis://:{password}@cache:6380/2"), format!("rediss+cluster://u:{password}@a:1,b:2")] {
                let shown = redacted(&url);
                assert!(!shown.contains(password), "{url} -> {shown}");
                assert!(shown.contains(":***@"), "{url} -> {shown}");
            }
        }
        let e = Endpoint::parse("redis://:Zm9v/YmFy+cXV4@host/3").unwrap();
        assert_eq!((e.password.as_deref(), e.db), (Some("Zm9v/YmFy+cXV4"), 3));
        assert_eq!(redacted("redis://:Zm9v/YmFy+cXV4@host/3"), "redis://:***@host:6379/3");
        assert_eq!(redacted("redis://h"), "redis://h:6379/0");
        assert_eq!(redacted("redis://:secret@/0"), "redis://(a URL that does not parse)");
    }
}
