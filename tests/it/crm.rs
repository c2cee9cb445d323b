//! `crm pull` against a loopback server speaking amoCRM's API format,
//! checks against the snapshot, `compile --crm` and `init`.

use crate::support::amocrm_server;
use crate::support::cli as cli_support;

use std::time::Duration;

use amocrm_server::{Answer, FakeAmo};
use chatroute::check::{Accounts, check};
use chatroute::crm::Snapshot;
use chatroute::crm::pull::{PullError, PullOptions, pull};
use chatroute::diagnostics::Code;
use cli_support::{chatroute_with_token as chatroute, scratch};

const TOKEN: &str = "test-token-6f1c9a";

fn options(server: &FakeAmo, contacts: bool) -> PullOptions {
    let mut opts = PullOptions::new("acme", TOKEN.to_owned());
    opts.base_url = server.base_url.clone();
    opts.contacts = contacts;
    opts.http.backoff = Duration::from_millis(10);
    opts.http.min_interval = Duration::from_millis(1);
    opts.http.timeout = Duration::from_secs(5);
    opts
}

fn snapshot_fixture() -> Snapshot {
    Snapshot::load("tests/fixtures/crm/acme.snapshot.json".as_ref()).unwrap()
}

#[test]
fn pull_follows_pages_sends_the_token_and_matches_the_fixture() {
    let server = FakeAmo::account();
    let snapshot = pull("acme", &options(&server, true)).unwrap();
    assert_eq!(
        server.paths(),
        [
            "/api/v4/users?limit=250",
            "/api/v4/users?limit=250&page=2",
            "/api/v4/leads/pipelines",
            "/api/v4/contacts?limit=250",
            "/api/v4/contacts?limit=250&page=2"
        ]
    );
    assert!(
        server.seen.lock().unwrap().iter().all(|s| s.authorization.as_deref() == Some(&format!("Bearer {TOKEN}")[..]))
    );
    assert_eq!(snapshot.users.len(), 7);
    assert!(!snapshot.users.iter().find(|u| u.id == 1007).unwrap().active);
    assert_eq!(snapshot.contacts.as_ref().unwrap().len(), 3);
    let bytes = snapshot.to_bytes();
    assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN));
    // CHATROUTE_BLESS=1 rewrites the fixture from this pull, after a deliberate change.
    if std::env::var_os("CHATROUTE_BLESS").is_some() {
        std::fs::write("tests/fixtures/crm/acme.snapshot.json", &bytes).unwrap();
    }
    let fixture = std::fs::read("tests/fixtures/crm/acme.snapshot.json").unwrap();
    assert!(bytes == fixture, "pull no longer reproduces tests/fixtures/crm/acme.snapshot.json");
}

#[test]
fn rate_limit_answers_are_retried() {
    let mut routes = FakeAmo::account_routes();
    let throttled = Answer { status: 429, body: String::new(), headers: vec![("Retry-After".into(), "0".into())] };
    routes[0].1.insert(0, throttled);
    routes[2].1.insert(0, Answer::status(503));
    let server = FakeAmo::start(routes);
    let snapshot = pull("acme", &options(&server, false)).unwrap();
    assert_eq!(snapshot.pipelines.len(), 2);
    let users_requests = server.paths().iter().filter(|p| *p == "/api/v4/users?limit=250").count();
    assert_eq!(users_requests, 2, "429 then success");
}

#[test]
fn failures_are_typed_and_never_show_the_token() {
    type Expect = fn(&PullError) -> bool;
    let cases: Vec<(Answer, Expect)> = vec![
        (Answer::status(401), |e| matches!(e, PullError::Expired { .. })),
        (Answer::status(403), |e| matches!(e, PullError::Forbidden { .. })),
        (Answer::status(402), |e| matches!(e, PullError::NotPaid { .. })),
        (Answer::json("{\"_embedded\": {\"users\": [{\"id\": \"x\"}"), |e| matches!(e, PullError::BadResponse { .. })),
        (Answer::json("<html>gateway</html>"), |e| matches!(e, PullError::BadResponse { .. })),
        (Answer::status(500), |e| matches!(e, PullError::RetriesExhausted { status: 500, attempts: 5, .. })),
        (
            Answer::json(
                "{\"_embedded\":{\"users\":[]},\"_links\":{\"next\":{\"href\":\"https://evil.example/api/v4/users\"}}}",
            ),
            |e| matches!(e, PullError::ForeignLink { .. }),
        ),
    ];
    for (answer, expected) in cases {
        let server = FakeAmo::start(vec![("/api/v4/users?limit=250", vec![answer])]);
        let err = pull("acme", &options(&server, false)).unwrap_err();
        assert!(expected(&err), "{err:?}");
        assert!(!err.to_string().contains(TOKEN));
    }
}

#[test]
fn cli_pull_writes_atomically_and_keeps_the_old_snapshot_on_failure() {
    let server = FakeAmo::account();
    let dir = scratch("pull");
    let out = dir.join("acme.snapshot.json");
    let o = out.to_str().unwrap();
    let run = chatroute(
        &["crm", "pull", "--account", "acme", "--base-url", &server.base_url, "--contacts", "-o", o],
        Some(TOKEN),
    );
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!written.contains(TOKEN));
    assert_eq!(Snapshot::from_slice(written.as_bytes()).unwrap(), snapshot_fixture());

    let denied = FakeAmo::start(vec![("/api/v4/users?limit=250", vec![Answer::status(401)])]);
    let run = chatroute(&["crm", "pull", "--account", "acme", "--base-url", &denied.base_url, "-o", o], Some(TOKEN));
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("refused the token") && !stderr.contains(TOKEN), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written, "old snapshot untouched");

    let run = chatroute(&["crm", "pull", "--account", "acme", "-o", o], None);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("AMOCRM_TOKEN"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn the_examples_resolve_against_the_account_except_unmentioned_users() {
    let crm = snapshot_fixture();
    let text = std::fs::read("examples/acme.toml").unwrap();
    let checked = check("examples/acme.toml", text, Accounts { crm: Some(&crm), wazzup: None });
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::UnmentionedCrmUsers, Code::ContactsMangled], "{:?}", checked.diagnostics);
    assert!(checked.diagnostics[0].message.contains("Alfred Pennyworth (1006)"));
    assert!(!checked.diagnostics[0].message.contains("Former Manager"), "inactive users are not advised");
    let mangled = &checked.diagnostics[1].message;
    assert!(
        mangled.starts_with("1 contact number(s)") && mangled.contains("81312345678 (JP) -> +71312345678"),
        "{mangled}"
    );

    let table = chatroute::compile::compile(checked.spec.as_ref().unwrap(), Accounts { crm: Some(&crm), wazzup: None });
    assert_eq!(table.body.crm, chatroute::table::CrmResolution::Ids);
    let retail = &table.body.channels["wa-retail"].new_deals;
    assert_eq!(
        (&retail.pipeline, &retail.stage),
        (&chatroute::spec::NameOrId::Id(5002), &chatroute::spec::NameOrId::Id(50021))
    );
    assert_eq!(table.body.employees["olga"].crm_user, Some(1005));
}

#[test]
fn a_misspelt_stage_gets_its_line_and_a_suggestion() {
    let dir = scratch("misspelt");
    let spec = std::fs::read_to_string("examples/acme.toml").unwrap().replace(
        "new_deals = { pipeline = \"Retail\", stage = \"New lead\" }",
        "new_deals = { pipeline = \"Retail\", stage = \"New led\" }",
    );
    let path = dir.join("acme.toml");
    std::fs::write(&path, spec).unwrap();
    let run = chatroute(&["check", "--crm", "tests/fixtures/crm/acme.snapshot.json", path.to_str().unwrap()], None);
    assert_eq!(run.status.code(), Some(1));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        out.contains("CR702") && out.contains("acme.toml:35:44") && out.contains("did you mean `New lead`?"),
        "{out}"
    );
}

#[test]
fn init_passes_check_with_and_without_a_snapshot() {
    let dir = scratch("init");
    for (name, crm) in [("plain.toml", None), ("from-crm.toml", Some("tests/fixtures/crm/acme.snapshot.json"))] {
        let path = dir.join(name);
        let p = path.to_str().unwrap();
        let mut args = vec!["init", "-o", p];
        if let Some(c) = crm {
            args.extend(["--crm", c]);
        }
        assert_eq!(chatroute(&args, None).status.code(), Some(0));
        let mut check = vec!["check", "--deny-warnings", p];
        if let Some(c) = crm {
            check.extend(["--crm", c]);
        }
        let run = chatroute(&check, None);
        assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
        assert_eq!(chatroute(&args, None).status.code(), Some(2), "refuses to overwrite");
    }
    // The `#:schema` line resolves: the schema is written beside the spec.
    let schema = std::fs::read_to_string(dir.join("chatroute.schema.json")).unwrap();
    assert_eq!(schema, String::from_utf8(chatroute(&["schema"], None).stdout).unwrap());
    let plain = std::fs::read_to_string(dir.join("plain.toml")).unwrap();
    assert!(plain.starts_with("#:schema ./chatroute.schema.json\n"));
    // Every setting shown commented is valid where it stands: all of them
    // uncommented still pass (a schedule nobody works to only warns).
    let uncommented: String = plain
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) => {
                rest
            }
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    for setting in [
        "timezone",
        "[schedules.office]",
        "skip_unavailable",
        "reassign_after",
        "weight = 2",
        "manager2 = \"read\"",
        "[channels.wa-main.assignment]",
        "admins",
        "client_regions",
    ] {
        assert!(uncommented.contains(setting), "the starter shows {setting}");
    }
    let all = dir.join("all-settings.toml");
    std::fs::write(&all, &uncommented).unwrap();
    let run = chatroute(&["check", all.to_str().unwrap()], None);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
    let from_crm = std::fs::read_to_string(dir.join("from-crm.toml")).unwrap();
    assert!(from_crm.contains("bruce = { name = \"Bruce Wayne\", crm_user = 1001 }"), "{from_crm}");
    assert!(!from_crm.contains("Former Manager"));
    assert!(from_crm.contains("new_deals = { pipeline = \"Sales\", stage = \"New lead\" }"));
}

#[test]
fn bad_snapshots_are_clear_errors() {
    let run = chatroute(&["check", "--crm", "examples/acme.toml", "examples/acme.toml"], None);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a readable CRM snapshot"));
    let run = chatroute(&["check", "--crm", "schema/chatroute.schema.json", "examples/acme.toml"], None);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a chatroute CRM snapshot"));
    let run = chatroute(&["check", "--crm", "no/such/file.json", "examples/acme.toml"], None);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn unsorted_and_closed_stages_are_refused_by_type_and_id() {
    let crm = snapshot_fixture();
    let std = std::fs::read_to_string("tests/fixtures/CR709.toml").unwrap();
    for (stage, code) in [("50020", Code::UnsortedStage), ("50010", Code::UnsortedStage), ("142", Code::ClosedStage)] {
        let pipeline = if stage == "50020" { "Retail" } else { "Sales" };
        let text = std.replace(
            "new_deals = { pipeline = \"Sales\", stage = \"New lead\" }",
            &format!("new_deals = {{ pipeline = \"{pipeline}\", stage = {stage} }}"),
        );
        let checked = check("stage.toml", text.into_bytes(), Accounts { crm: Some(&crm), wazzup: None });
        let found: Vec<Code> =
            checked.diagnostics.iter().map(|d| d.code).filter(|c| *c != Code::UnmentionedCrmUsers).collect();
        assert_eq!(found, [code], "stage {stage}: {:?}", checked.diagnostics);
    }
}

#[test]
fn nameless_users_archived_pipelines_and_a_contact_cap() {
    let mut routes = FakeAmo::account_routes();
    let users = std::fs::read_to_string("tests/fixtures/crm/api/users-2.json").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&users).unwrap();
    let nameless = doc["_embedded"]["users"][0]["id"].clone();
    doc["_embedded"]["users"][0].as_object_mut().unwrap().remove("name");
    routes[1].1 = vec![Answer::json(doc.to_string())];
    let pipelines = std::fs::read_to_string("tests/fixtures/crm/api/pipelines.json").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&pipelines).unwrap();
    doc["_embedded"]["pipelines"][1]["is_archive"] = serde_json::json!(true);
    routes[2].1 = vec![Answer::json(doc.to_string())];
    let server = FakeAmo::start(routes);
    let mut opts = options(&server, true);
    opts.max_contacts = Some(2);
    let snapshot = pull("acme", &opts).unwrap();
    let user = snapshot.users.iter().find(|u| serde_json::json!(u.id) == nameless).unwrap();
    assert_eq!(user.name, format!("user {}", user.id));
    assert_eq!(snapshot.pipelines.iter().filter(|p| p.is_archive).count(), 1);
    assert_eq!(snapshot.contacts.as_ref().unwrap().len(), 2);
    assert!(!server.paths().iter().any(|p| p.contains("contacts?limit=250&page=2")), "stopped at the cap");
}

#[test]
fn kommo_accounts_live_on_kommo_com() {
    let opts = PullOptions::on(chatroute::crm::pull::Domain::Kommo, "acme", TOKEN.to_owned());
    assert_eq!(opts.base_url, "https://acme.kommo.com");
    assert_eq!(PullOptions::new("acme", TOKEN.to_owned()).base_url, "https://acme.amocrm.ru");
}

/// The starter spec for a Russian-speaking admin: the same TOML, its
/// comments in Russian, passing `check` as written.
#[test]
fn init_in_russian_is_the_same_spec_with_russian_comments() {
    let dir = scratch("init-ru");
    let crm = "tests/fixtures/crm/acme.snapshot.json";
    let wazzup = "tests/fixtures/wazzup/elektronika.snapshot.json";
    let starter = |lang: &str| {
        let out = chatroute(&["init", "--lang", lang, "--crm", crm, "--wazzup", wazzup], None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let (english, russian) = (starter("en"), starter("ru"));
    let toml_of = |text: &str| {
        let value: toml::Table = toml::from_str(text).unwrap();
        value
    };
    assert_eq!(toml_of(&russian), toml_of(&english), "only the comments change");
    assert!(russian.contains("# Воронка/этап для новых сделок"), "{russian}");
    assert!(russian.contains("# распределение по очереди"), "{russian}");
    let path = dir.join("ru.toml");
    std::fs::write(&path, &russian).unwrap();
    let run = chatroute(&["check", "--lang", "ru", path.to_str().unwrap(), "--crm", crm, "--wazzup", wazzup], None);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
}

/// `crm pull` for a Russian-speaking admin: what it wrote, with plural
/// forms, and why a pull failed, in Russian; the token in neither.
#[test]
fn cli_pull_speaks_russian() {
    let server = FakeAmo::account();
    let dir = scratch("pull-ru");
    let out = dir.join("acme.snapshot.json");
    let o = out.to_str().unwrap();
    let args =
        ["crm", "pull", "--lang", "ru", "--account", "acme", "--base-url", &server.base_url, "--contacts", "-o", o];
    let run = chatroute(&args, Some(TOKEN));
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let snapshot = snapshot_fixture();
    assert!(stderr.contains(&format!("записан {o}: ")), "{stderr}");
    assert!(stderr.contains(" пользователей, ") || stderr.contains(" пользователя, "), "{stderr}");
    assert_eq!(snapshot.users.len() > 4, stderr.contains(" пользователей, "), "{stderr}");

    let denied = FakeAmo::start(vec![("/api/v4/users?limit=250", vec![Answer::status(401)])]);
    let args = ["crm", "pull", "--lang", "ru", "--account", "acme", "--base-url", &denied.base_url, "-o", o];
    let run = chatroute(&args, Some(TOKEN));
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("\nошибка: amoCRM отклонил токен (HTTP 401"), "{stderr}");
    assert!(stderr.starts_with("предупреждение: http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("не изменён") && !stderr.contains(TOKEN), "{stderr}");
}
