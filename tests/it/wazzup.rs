//! The Wazzup account: `wazzup pull` against a loopback server answering in
//! the documented shape, `check --wazzup`, `compile --wazzup` and `route`
//! by Wazzup's `channelId`, `init --wazzup`; every transport's address.

use crate::support::amocrm_server as http_server;
use crate::support::cli as cli_support;

use std::process::Command;

use chatroute::check::{Accounts, check};
use chatroute::diagnostics::Code;
use chatroute::wazzup::WazzupSnapshot;
use chatroute::wazzup::pull::{WazzupError, WazzupOptions, pull};
use cli_support::{chatroute, scratch, stderr, stdout};
use http_server::{Answer, FakeAmo};

const KEY: &str = "wazzup-test-key-0123456789";

fn account() -> WazzupSnapshot {
    WazzupSnapshot::load("tests/fixtures/wazzup/elektronika.snapshot.json".as_ref()).unwrap()
}

fn options(server: &FakeAmo) -> WazzupOptions {
    let mut opts = WazzupOptions::new(KEY.into());
    opts.base_url = server.base_url.clone();
    opts.http.min_interval = std::time::Duration::ZERO;
    opts.http.backoff = std::time::Duration::from_millis(1);
    opts
}

fn channels_answer() -> Answer {
    Answer::json(std::fs::read_to_string("tests/fixtures/wazzup/channels.json").unwrap())
}

#[test]
fn pull_reads_the_documented_channel_list() {
    let server = FakeAmo::start(vec![("/v3/channels", vec![Answer::status(503), channels_answer()])]);
    let snapshot = pull(&options(&server)).unwrap();
    assert_eq!(snapshot, account(), "the pull no longer reproduces the committed snapshot");
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "503 retried once");
    assert!(seen.iter().all(|s| s.authorization.as_deref() == Some(&format!("Bearer {KEY}"))));
}

#[test]
fn pull_failures_have_their_own_messages_and_never_show_the_key() {
    type Expect = fn(&WazzupError) -> bool;
    let cases: [(Answer, Expect); 5] = [
        (Answer::status(401), |e| matches!(e, WazzupError::Unauthorized)),
        (Answer::status(403), |e| matches!(e, WazzupError::Forbidden)),
        (Answer::status(402), |e| matches!(e, WazzupError::NotPaid)),
        (Answer::status(500), |e| matches!(e, WazzupError::RetriesExhausted { status: 500, attempts: 5 })),
        (Answer::json("{\"error\": 1}"), |e| matches!(e, WazzupError::BadResponse(_))),
    ];
    for (answer, expected) in cases {
        let server = FakeAmo::start(vec![("/v3/channels", vec![answer])]);
        let err = pull(&options(&server)).unwrap_err();
        assert!(expected(&err), "{err:?}");
        assert!(!err.to_string().contains(KEY));
    }
}

#[test]
fn cli_pull_writes_the_snapshot_and_keeps_the_key_out() {
    let server = FakeAmo::start(vec![("/v3/channels", vec![channels_answer()])]);
    let dir = scratch("wazzup-pull");
    let out = dir.join("wazzup.json");
    let run = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .args(["wazzup", "pull", "--base-url", &server.base_url, "-o", out.to_str().unwrap()])
        .env("WAZZUP_TOKEN", KEY)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!written.contains(KEY) && !stderr(&run).contains(KEY));
    assert_eq!(WazzupSnapshot::from_slice(written.as_bytes()).unwrap(), account());
    let run = chatroute(&["wazzup", "pull", "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("WAZZUP_TOKEN"));
}

#[test]
fn check_reports_unknown_mismatched_and_inactive_channels_at_their_lines() {
    let spec = std::fs::read_to_string("examples/every-messenger.toml")
        .unwrap()
        .replace("handle = \"@elektronika_shop_bot\"", "handle = \"@elektronika_help_bot\"")
        .replace("transport = \"tgapi\"", "transport = \"telegram\"")
        .replace("handle = \"@pavel_elektronika\"", "handle = \"@pavel_elektronika_bot\"");
    let snapshot = account();
    let checked = check("shop.toml", spec.into_bytes(), Accounts { crm: None, wazzup: Some(&snapshot) });
    let at = |code: Code| -> Vec<(usize, String)> {
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                let span = d.labels[0].span.clone();
                (checked.source.line_col(span.start).line, checked.source.text[span].to_owned())
            })
            .collect()
    };
    assert_eq!(
        at(Code::UnknownWazzupChannel),
        [(48, "\"@elektronika_help_bot\"".to_owned()), (54, "\"@pavel_elektronika_bot\"".to_owned())]
    );
    assert_eq!(
        at(Code::WazzupChannelNotActive),
        [(36, "\"+7 986 578-44-58\"".to_owned()), (66, "\"123456789\"".to_owned())]
    );
    let not_active = checked.diagnostics.iter().find(|d| d.code == Code::WazzupChannelNotActive).unwrap();
    assert!(not_active.message.contains("`qr`") && not_active.help.as_deref().unwrap().contains("scan"));
    assert_eq!(at(Code::UnmentionedWazzupChannels).len(), 1);

    // A number Wazzup has as a WABA channel, written as WhatsApp.
    let spec = std::fs::read_to_string("examples/every-messenger.toml")
        .unwrap()
        .replace("transport = \"wapi\"", "transport = \"whatsapp\"");
    let checked = check("shop.toml", spec.into_bytes(), Accounts { crm: None, wazzup: Some(&snapshot) });
    let mismatch = checked.diagnostics.iter().find(|d| d.code == Code::WazzupTransportMismatch).unwrap();
    assert_eq!(&checked.source.text[mismatch.labels[0].span.clone()], "\"whatsapp\"");
    assert!(mismatch.help.as_deref().unwrap().contains("transport = \"wapi\""));
}

#[test]
fn compiled_tables_route_by_wazzup_channel_id_as_by_spec_id() {
    let dir = scratch("wazzup-route");
    let table = dir.join("t.json");
    let t = table.to_str().unwrap();
    let run = chatroute(&[
        "compile",
        "examples/every-messenger.toml",
        "--wazzup",
        "tests/fixtures/wazzup/elektronika.snapshot.json",
        "-o",
        t,
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let loaded = chatroute::table::TableFile::load(&table).unwrap();
    assert_eq!(
        loaded.body.channels["wa-main"].wazzup_channel_id.as_deref(),
        Some("2c8b8a52-0f3e-4d6a-9a1e-000000000001")
    );
    for (spec_id, wazzup_id) in
        [("wa-main", "2c8b8a52-0f3e-4d6a-9a1e-000000000001"), ("vk-group", "2c8b8a52-0f3e-4d6a-9a1e-000000000006")]
    {
        let by = |channel: &str| {
            stdout(&chatroute(&["route", t, "--channel", channel, "--new-deals", "5", "--format", "json"]))
        };
        let (a, b) = (by(spec_id), by(wazzup_id));
        assert_eq!(a.lines().count(), 5);
        assert_eq!(a, b, "{spec_id} vs {wazzup_id}");
    }
}

#[test]
fn init_writes_one_channel_per_wazzup_channel_and_passes_check() {
    let run = chatroute(&["init", "--wazzup", "tests/fixtures/wazzup/elektronika.snapshot.json"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let text = stdout(&run);
    let snapshot = account();
    let checked = check("init.toml", text.clone().into_bytes(), Accounts { crm: None, wazzup: Some(&snapshot) });
    let errors: Vec<_> =
        checked.diagnostics.iter().filter(|d| d.severity == chatroute::diagnostics::Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    let spec = checked.spec.unwrap();
    assert_eq!(spec.channels.len(), 9, "every known transport's channel");
    assert!(text.contains("facebook"), "the unknown transport is left as a comment");
    assert!(!spec.channels["wapi-79865784458"].enabled, "a channel in state qr starts disabled");
}

#[test]
fn every_transport_checks_clean_and_a_wrong_address_is_located() {
    let base = std::fs::read_to_string("examples/every-messenger.toml").unwrap();
    assert!(check("all.toml", base.clone().into_bytes(), Default::default()).diagnostics.is_empty());
    for (good, bad, code) in [
        ("phone = \"79865784457\"", "phone = \"7986578\"", Code::InvalidPhone),
        ("phone = \"+7 986 578-44-58\"", "phone = \"+7 986 578\"", Code::InvalidPhone),
        ("handle = \"@elektronika.shop\"", "handle = \"@elektronika shop\"", Code::InvalidHandle),
        ("handle = \"@elektronika_shop_bot\"", "handle = \"@elektronika_shop\"", Code::InvalidHandle),
        ("handle = \"@pavel_elektronika\"", "handle = \"@pa\"", Code::InvalidHandle),
        ("id = \"212345678\"", "id = \"club212345678\"", Code::InvalidId),
        ("id = \"123456789\"", "id = \"0123\"", Code::InvalidId),
        ("id = \"elektronika-shop\"", "id = \"elektronika shop\"", Code::InvalidId),
    ] {
        let text = base.replace(good, bad);
        let checked = check("bad.toml", text.clone().into_bytes(), Default::default());
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{bad}: {:?}", checked.diagnostics));
        let value = bad.split_once(" = ").unwrap().1;
        assert_eq!(&text[d.labels[0].span.clone()], value, "{bad}");
    }
}

/// Snapshot text reaching a comment of the starter spec cannot inject TOML
/// (issue 20, item 6), and `wazzup pull` stores no control characters.
#[test]
fn snapshot_fields_cannot_inject_toml_into_init() {
    let injected = "qr\n[channels.injected]\nname = \"x\"\ntransport = \"telegram\"\nhandle = \"@x\"\n[channels.injected.access]\neveryone = \"read_send\"";
    let mut snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read("tests/fixtures/wazzup/elektronika.snapshot.json").unwrap()).unwrap();
    snapshot["channels"][1]["state"] = serde_json::json!(injected);
    snapshot["channels"][0]["state"] = serde_json::json!("off\r\n[x]");
    let unknown = serde_json::json!({ "channelId": "id\n[channels.a]", "transport": "pigeon\u{202e}", "plainId": "p\n\"", "state": "active" });
    snapshot["channels"].as_array_mut().unwrap().push(unknown);
    let dir = scratch("wazzup-inject");
    let snap = dir.join("w.json");
    std::fs::write(&snap, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    let out = chatroute(&["init", "--wazzup", snap.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let spec = String::from_utf8(out.stdout).unwrap();
    assert!(!spec.contains("injected]") || !spec.lines().any(|l| l.starts_with("[channels.injected")), "{spec}");
    assert!(!spec.lines().any(|l| l.starts_with("[x]") || l.starts_with("[channels.a]") || l.starts_with('"')));
    let checked = check("init.toml", spec.clone().into_bytes(), Accounts { crm: None, wazzup: None });
    assert!(!checked.has_errors(), "{spec}");
    assert!(!checked.spec.unwrap().channels.contains_key("injected"));

    let answer = Answer::json(serde_json::to_string(&snapshot["channels"]).unwrap());
    let server = FakeAmo::start(vec![("/v3/channels", vec![answer])]);
    let err = pull(&options(&server)).unwrap_err();
    assert!(matches!(&err, WazzupError::BadResponse(why) if why.contains("control")), "{err:?}");
}
