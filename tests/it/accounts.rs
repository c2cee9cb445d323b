//! `chatroute serve DIR`: many accounts in one service, each table file
//! read, verified and activated on its own, as integrators run it.

use crate::support::cli as cli_support;
use crate::support::redis_server;
use crate::support::serve_process;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use serve_process::{Serve, agent, get, post, wait_until};

/// The stationery example's table under another account.
fn table_of(account: &str) -> Vec<u8> {
    let text = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let text = text.replacen("account = \"kanc-opt\"", &format!("account = \"{account}\""), 1);
    let checked = chatroute::check::check("s.toml", text.into_bytes(), Default::default());
    chatroute::compile::compile(checked.spec.as_ref().expect("the example checks"), Default::default()).to_bytes()
}

fn fleet(name: &str, accounts: usize) -> PathBuf {
    let dir = cli_support::scratch(name).join("tables");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..accounts {
        // File names are not accounts: the account comes from the table.
        std::fs::write(dir.join(format!("t{i:03}.json")), table_of(&format!("acct-{i:03}"))).unwrap();
    }
    dir
}

fn replace(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn accounts(serve: &Serve) -> BTreeMap<String, Value> {
    let (status, body) = get(&agent(), &serve.url("/v1/accounts"));
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["account"].as_str().map_or_else(|| format!("?{}", a["file"]), str::to_owned), a.clone()))
        .collect()
}

fn deal(serve: &Serve, account: &str, id: &str) -> (u16, Value) {
    let body = format!(r#"{{"channel": "wa-opt", "deal": "{id}"}}"#);
    post(&agent(), &serve.url(&format!("/v1/accounts/{account}/deals")), &body).unwrap()
}

#[test]
fn each_file_is_its_own_account_and_reloads_alone() {
    let dir = fleet("serve-accounts", 200);
    let serve = Serve::start(&dir, &[]);
    let listed = accounts(&serve);
    assert_eq!(listed.len(), 200, "{listed:?}");
    // Every account starts its own cycle.
    for account in ["acct-000", "acct-100", "acct-199"] {
        let (status, body) = deal(&serve, account, "d1");
        assert_eq!((status, body["responsible"]["employee"].as_str()), (200, Some("bruce")), "{account}: {body}");
    }
    let (status, body) = deal(&serve, "acct-nope", "d1");
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_account")));

    // Others keep deciding, under load, while files change.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = std::thread::spawn({
        let (stop, base) = (stop.clone(), serve.base.clone());
        move || {
            let agent = agent();
            let mut answered = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let account = format!("acct-{:03}", 10 + answered % 190);
                let body = format!(r#"{{"channel": "wa-opt", "deal": "load-{answered}"}}"#);
                let (status, reply) = post(&agent, &format!("{base}/v1/accounts/{account}/deals"), &body).unwrap();
                assert_eq!(status, 200, "{account} during the changes: {reply}");
                answered += 1;
            }
            answered
        }
    });
    // Replace one, corrupt one, remove one, and give one account a second file.
    let replaced = table_of("acct-005").into_iter().collect::<Vec<u8>>();
    let replaced = String::from_utf8(replaced).unwrap().replace("\"Bruce Wayne\"", "\"Bruce W.\"");
    let replaced = chatroute::table::TableFile::from_slice(&forge(replaced.as_bytes())).unwrap().to_bytes();
    replace(&dir.join("t005.json"), &replaced);
    replace(&dir.join("t006.json"), b"{ not a table");
    std::fs::remove_file(dir.join("t007.json")).unwrap();
    std::fs::write(dir.join("zz-second.json"), table_of("acct-008")).unwrap();
    wait_until("the four changes", Duration::from_secs(10), || {
        let now = accounts(&serve);
        now.get("acct-006").is_some_and(|a| !a["last_reload_error"].is_null()) && !now.contains_key("acct-007")
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(load.join().unwrap() > 10, "decisions went on during the changes");
    let after = accounts(&serve);
    assert_ne!(after["acct-005"]["hash"], listed["acct-005"]["hash"], "the replaced table is active");
    assert_eq!(after["acct-006"]["hash"], listed["acct-006"]["hash"], "the corrupted file's account keeps its table");
    assert_eq!(deal(&serve, "acct-006", "d2").0, 200, "and keeps deciding");
    let (status, body) = deal(&serve, "acct-007", "d1");
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("account_removed")));
    let second = after.values().find(|a| a["file"].as_str().is_some_and(|f| f.ends_with("zz-second.json"))).unwrap();
    assert!(second["last_reload_error"]["message"].as_str().unwrap().contains("one file per account"), "{second}");
    assert_eq!(after["acct-008"]["file"], listed["acct-008"]["file"], "the first file keeps its account");
    // Nobody else was reloaded.
    for (account, status) in &listed {
        if !["acct-005", "acct-006", "acct-007"].contains(&account.as_str()) {
            assert_eq!(after[account]["loaded_at"], status["loaded_at"], "{account} was reloaded");
        }
    }
    let ready = get(&agent(), &serve.url("/readyz"));
    assert_eq!(ready.0, 200, "a refused file does not make the service unready: {}", ready.1);
}

/// A table file whose body was changed, with its hash recomputed.
fn forge(bytes: &[u8]) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(bytes).unwrap();
    doc["hash"] = Value::String(chatroute::table::hash(&doc["body"]));
    serde_json::to_vec_pretty(&doc).unwrap()
}

/// Two instances on one Redis: each account's distribution is exact, and
/// the accounts' cycles are independent.
#[test]
fn two_instances_on_one_redis_keep_every_account_exact() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let dir = fleet("serve-accounts-redis", 3);
    let url = server.url();
    let instances = [Serve::start(&dir, &["--state", &url]), Serve::start(&dir, &["--state", &url])];
    for account in ["acct-000", "acct-001", "acct-002"] {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for n in 0..20 {
            let (status, body) = deal(&instances[n % 2], account, &format!("{account}-{n}"));
            assert_eq!(status, 200, "{body}");
            *counts.entry(body["responsible"]["employee"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        let expected: BTreeMap<String, usize> =
            [("bruce", 4), ("kostya", 4), ("scrooge", 4), ("tony", 8)].map(|(k, v)| (k.to_owned(), v)).into();
        assert_eq!(counts, expected, "{account}");
    }
}

/// `compile SPEC... -o DIR`: one table per spec, every spec's problems in
/// one run, the failing spec writing nothing and failing the run.
#[test]
fn many_specs_compile_into_a_directory() {
    let dir = cli_support::scratch("compile-many").join("bundle");
    std::fs::create_dir_all(&dir).unwrap();
    let out = cli_support::chatroute(&[
        "compile",
        "examples/acme.toml",
        "tests/fixtures/CR101.toml",
        "examples/furniture.toml",
        "tests/fixtures/CR204.toml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CR101") && stderr.contains("CR204"), "every spec's problems: {stderr}");
    let mut written: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written, ["acme.json", "furniture.json"]);
    for file in &written {
        chatroute::table::TableFile::load(&dir.join(file)).unwrap();
    }
    let refused = cli_support::chatroute(&["compile", "examples/acme.toml", "examples/furniture.toml"]);
    assert_eq!(refused.status.code(), Some(2), "several specs need -o DIR");
}

/// An account added to a running fleet whose Redis keys are still on the
/// previous layout is refused (never served from empty keys) until
/// `chatroute state migrate`.
#[test]
fn a_late_account_on_the_old_key_layout_is_refused_not_reset() {
    use std::io::Write;
    let Some(server) = redis_server::RedisServer::start() else { return };
    let dir = fleet("serve-accounts-layout", 1);
    let serve = Serve::start(&dir, &["--state", &server.url()]);
    let mut redis = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    redis.write_all(b"SET chatroute:rr:acct-late:wa-opt 7\r\n").unwrap();
    let mut ok = [0u8; 5];
    std::io::Read::read_exact(&mut redis, &mut ok).unwrap();
    std::fs::write(dir.join("late.json"), table_of("acct-late")).unwrap();
    wait_until("the late file looked at", Duration::from_secs(10), || {
        accounts(&serve).values().any(|a| a["file"].as_str().is_some_and(|f| f.ends_with("late.json")))
    });
    let late = accounts(&serve).into_values().find(|a| a["file"].as_str().unwrap().ends_with("late.json")).unwrap();
    assert!(late["account"].is_null(), "{late}");
    assert!(late["last_reload_error"]["message"].as_str().unwrap().contains("chatroute state migrate"), "{late}");
    assert_eq!(deal(&serve, "acct-late", "d1").1["error"]["code"], "unknown_account");
    assert_eq!(deal(&serve, "acct-000", "d1").0, 200, "the others serve on");
    // `serve TABLE` on that account does not start at all.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .args(["serve", dir.join("late.json").to_str().unwrap(), "--listen", "127.0.0.1:0", "--state", &server.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chatroute state migrate"), "{out:?}");
}

/// 9: Redis down when the service starts is a fault that passes: every
/// account answers 503 with `Retry-After` (never 404) and `/readyz` is 503
/// until Redis answers; then the tables activate by themselves, no SIGHUP.
/// `serve TABLE` waits the same way instead of exiting.
#[test]
fn a_state_down_at_start_is_waited_for_never_a_missing_account() {
    let Some(mut redis) = redis_server::RedisServer::start() else { return };
    redis.stop();
    let dir = fleet("state-down-at-start", 2);
    let url = redis.url();
    let fleet = Serve::start(&dir, &["--state", url.as_str()]);
    let single = Serve::start(&dir.join("t000.json"), &["--state", url.as_str()]);
    for (serve, path) in [(&fleet, "/v1/accounts/acct-000/deals"), (&single, "/v1/deals")] {
        let response = agent().post(&serve.url(path)).send(r#"{"channel": "wa-opt", "deal": "d1"}"#).unwrap();
        assert_eq!(response.status().as_u16(), 503);
        assert!(response.headers().get("retry-after").is_some());
        assert_eq!(get(&agent(), &serve.url("/readyz")).0, 503);
    }
    redis.restart();
    for (serve, path) in [(&fleet, "/v1/accounts/acct-001/deals"), (&single, "/v1/deals")] {
        wait_until("the tables activated", Duration::from_secs(10), || {
            let body = r#"{"channel": "wa-opt", "deal": "d1"}"#;
            post(&agent(), &serve.url(path), body).is_ok_and(|(status, _)| status == 200)
        });
        assert_eq!(get(&agent(), &serve.url("/readyz")).0, 200);
    }
}

/// 10: a rename in two steps (copy to the new name, then delete the old
/// one) keeps the account: the new file, refused while the old one served
/// the account, takes over as soon as the old one is gone.
#[test]
fn a_rename_in_two_steps_keeps_the_account() {
    let dir = fleet("two-step-rename", 1);
    let serve = Serve::start(&dir, &[]);
    assert_eq!(deal(&serve, "acct-000", "d1").0, 200);
    std::fs::copy(dir.join("t000.json"), dir.join("zz-desk.json")).unwrap();
    wait_until("the copy refused", Duration::from_secs(5), || accounts(&serve).keys().any(|k| k.starts_with('?')));
    std::fs::remove_file(dir.join("t000.json")).unwrap();
    wait_until("the copy serving", Duration::from_secs(5), || {
        accounts(&serve).get("acct-000").is_some_and(|a| a["file"].as_str().unwrap().ends_with("zz-desk.json"))
    });
    assert_eq!(deal(&serve, "acct-000", "d2").0, 200);
    let listed = accounts(&serve);
    assert_eq!(listed.len(), 1, "no stale refusal left: {listed:?}");
    assert!(listed["acct-000"]["last_reload_error"].is_null(), "{listed:?}");
}
