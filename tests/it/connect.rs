//! `chatroute connect` end to end: a real process, Wazzup's webhooks sent
//! as Wazzup sends them, a fake amoCRM answering as API v4 documents
//! (`support::amocrm_api`), and a real Redis where the test is about
//! several instances or a killed one.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::amocrm_api::{FakeAmoCrm, PER_SECOND};
use crate::support::cli::{chatroute, scratch, stderr};
use crate::support::redis_server::RedisServer;
use crate::support::serve_process::{Serve, agent, get, post, wait_until};
use crate::support::wazzup_api::FakeWazzup;

const TOKEN: &str = "amo-long-lived-token-0123456789";
const SECRET: &str = "hook-secret-0123456789abcdef";
const WAZZUP_KEY: &str = "wazzup-key-0123456789";
/// acme's channels in its Wazzup snapshot.
const WA: &str = "9a7e0c52-0f3e-4d6a-9a1e-0000000000a1";
const IG: &str = "9a7e0c52-0f3e-4d6a-9a1e-0000000000a2";
/// acme's amoCRM users: bruce, scrooge, tony, kostya.
const BRUCE: u64 = 1001;
const TONY: u64 = 1003;
const SETTLE: Duration = Duration::from_secs(20);

struct Setup {
    dir: PathBuf,
    table: PathBuf,
    accounts: PathBuf,
    amo: FakeAmoCrm,
}

/// acme's spec (edited by `edit`) compiled with both snapshots, a fake
/// amoCRM and an ACCOUNTS.toml pointing at it.
fn setup(name: &str, edit: impl Fn(String) -> String) -> Setup {
    let dir = scratch(name);
    let spec = dir.join("acme.toml");
    std::fs::write(&spec, edit(std::fs::read_to_string("examples/acme.toml").unwrap())).unwrap();
    let table = dir.join("acme.json");
    let run = chatroute(&[
        "compile",
        spec.to_str().unwrap(),
        "--crm",
        "tests/fixtures/crm/acme.snapshot.json",
        "--wazzup",
        "tests/fixtures/wazzup/acme.snapshot.json",
        "-o",
        table.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let amo = FakeAmoCrm::start(TOKEN);
    std::fs::create_dir_all(dir.join("secrets")).unwrap();
    std::fs::write(dir.join("secrets/acme.amocrm"), format!("{TOKEN}\n")).unwrap();
    std::fs::write(dir.join("secrets/acme.webhook"), format!("{SECRET}\n")).unwrap();
    std::fs::write(dir.join("secrets/acme.wazzup"), format!("{WAZZUP_KEY}\n")).unwrap();
    let accounts = dir.join("accounts.toml");
    let text = format!(
        "[accounts.acme]\namocrm = \"{}\"\ntoken_file = \"secrets/acme.amocrm\"\nwebhook_secret_file = \"secrets/acme.webhook\"\nwazzup_key_file = \"secrets/acme.wazzup\"\n",
        amo.base_url
    );
    std::fs::write(&accounts, text).unwrap();
    Setup { dir, table, accounts, amo }
}

impl Setup {
    fn start(&self, args: &[&str]) -> Serve {
        let mut all = vec!["--accounts", self.accounts.to_str().unwrap()];
        all.extend_from_slice(args);
        Serve::connect(&self.table, &all)
    }
}

fn message(id: &str, channel: &str, chat: &str) -> Value {
    let chat_type = if channel == WA { "whatsapp" } else { "instagram" };
    json!({
        "messageId": id, "dateTime": "2026-12-07T10:00:00.000Z", "channelId": channel, "chatType": chat_type,
        "chatId": chat, "type": "text", "isEcho": false, "text": "Hello", "status": "inbound",
        "contact": { "name": format!("Client {chat}"), "phone": chat },
    })
}

fn echo(id: &str, channel: &str, chat: &str, author: u64) -> Value {
    let mut m = message(id, channel, chat);
    m["isEcho"] = json!(true);
    m["authorId"] = json!(author.to_string());
    m
}

fn send(service: &Serve, messages: Vec<Value>) -> (u16, Value) {
    let url = service.url(&format!("/v1/wazzup/acme?key={SECRET}"));
    post(&agent(), &url, &json!({ "messages": messages }).to_string()).unwrap()
}

fn health(service: &Serve) -> Value {
    let (_, body) = get(&agent(), &service.url(&format!("/v1/accounts/acme/connect?key={SECRET}")));
    serde_json::from_str(&body).unwrap()
}

fn processed(service: &Serve, count: u64) {
    wait_until("the messages worked on", SETTLE, || health(service)["health"]["processed"] == json!(count));
}

#[test]
fn webhooks_are_checked_and_acknowledged_before_any_crm_work() {
    let setup = setup("connect-intake", |s| s);
    let service = setup.start(&[]);
    let agent = agent();
    let url = |key: &str| service.url(&format!("/v1/wazzup/acme?key={key}"));
    // Wazzup's probe when the URL is registered: exactly 200.
    assert_eq!(post(&agent, &url(SECRET), r#"{"test": true}"#).unwrap().0, 200);
    let body = json!({ "messages": [message("m-1", WA, "79160000001")] }).to_string();
    // A wrong or missing secret: 401, nothing queued.
    let (status, refused) = post(&agent, &url("wrong-secret-0123456789"), &body).unwrap();
    assert_eq!((status, refused["error"]["code"].as_str()), (401, Some("unauthorized")));
    let no_key = post(&agent, &service.url("/v1/wazzup/acme"), &body).unwrap();
    assert_eq!(no_key.0, 401);
    assert_eq!(health(&service)["health"]["queued"], json!(0));
    // Not Wazzup's shape: 400 with the error body.
    for bad in ["[1, 2]", r#"{"messages": [{"messageId": "x"}]}"#, "{not json"] {
        let (status, answer) = post(&agent, &url(SECRET), bad).unwrap();
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("bad_request")), "{bad}");
    }
    // A Bearer token works as well as `?key=`; a repeated messageId is acknowledged and ignored.
    let bearer = agent
        .post(&service.url("/v1/wazzup/acme"))
        .header("Authorization", &format!("Bearer {SECRET}"))
        .send(body.as_str())
        .unwrap();
    assert_eq!(bearer.status().as_u16(), 200);
    let (status, again) = post(&agent, &url(SECRET), &body).unwrap();
    assert_eq!((status, again["duplicates"].as_u64()), (200, Some(1)));
    // A channel outside the integration: acknowledged, counted, not queued.
    let other = json!({ "messages": [message("m-2", "not-a-channel", "79160000002")] }).to_string();
    assert_eq!(post(&agent, &url(SECRET), &other).unwrap().1["ignored"], json!(1));
    processed(&service, 1);
    assert_eq!(setup.amo.with(|a| a.leads.len()), 1, "one deal for one message sent twice");
}

#[test]
fn new_clients_get_deals_in_the_channels_pipeline_with_the_weighted_cycles_responsibles() {
    let setup = setup("connect-round-robin", |s| s);
    let service = setup.start(&[]);
    let chats: Vec<String> = (1..=10).map(|i| format!("7916000{i:04}")).collect();
    let messages = chats.iter().enumerate().map(|(i, chat)| message(&format!("rr-{i}"), WA, chat)).collect();
    assert_eq!(send(&service, messages).0, 200);
    processed(&service, 10);
    // A second message of a dialog belongs to its deal.
    send(&service, vec![message("rr-again", WA, &chats[0])]);
    processed(&service, 11);
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 10);
        let mut leads: Vec<_> = amo.leads.values().collect();
        leads.sort_by_key(|l| l.id);
        // Retail / New lead, tagged; bruce, scrooge, tony x2, kostya, twice over.
        let users: Vec<u64> = leads.iter().map(|l| l.responsible_user_id.unwrap()).collect();
        assert_eq!(users, [1001, 1002, 1003, 1003, 1004, 1001, 1002, 1003, 1003, 1004]);
        for lead in &leads {
            assert_eq!((lead.pipeline_id, lead.status_id), (5002, 50021));
            assert_eq!(lead.tags, ["chatroute"]);
        }
        assert!(amo.busiest_second() <= PER_SECOND, "{} requests in one second", amo.busiest_second());
    });
    // What /metrics says agrees with what amoCRM saw.
    let calls = setup.amo.with(|a| a.seen.len());
    let (_, metrics) = get(&agent(), &service.url("/metrics"));
    for line in [
        format!("chatroute_connect_amocrm_requests_total{{account=\"acme\",outcome=\"ok\"}} {calls}"),
        "chatroute_connect_amocrm_requests_total{account=\"acme\",outcome=\"transient\"} 0".to_owned(),
        "chatroute_connect_deals_created_total{account=\"acme\"} 10".to_owned(),
        "chatroute_connect_processed_total{account=\"acme\"} 11".to_owned(),
    ] {
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }
}

#[test]
fn point_3_1_appends_to_the_last_closed_deal_and_point_7_finds_an_8_number() {
    let setup = setup("connect-returning", |s| s);
    let (closed, contact) = setup.amo.with(|amo| {
        // Stored by a manager with the 8 prefix; the chat is 7...
        let contact = amo.add_contact("Old client", &["8 916 555-00-01"]);
        (amo.add_lead(5002, 142, contact), contact)
    });
    let service = setup.start(&[]);
    send(&service, vec![message("old-1", WA, "79165550001")]);
    processed(&service, 1);
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 1, "the message went into the last closed deal {closed}");
        assert_eq!(amo.contacts.len(), 1, "contact {contact} found, none created");
    });
}

#[test]
fn with_the_rewrite_off_an_8_number_is_another_client() {
    let setup = setup("connect-rewrite-off", |s| s.replace("to_international = true", "to_international = false"));
    setup.amo.with(|amo| {
        let contact = amo.add_contact("Old client", &["89165550001"]);
        amo.add_lead(5002, 142, contact)
    });
    let service = setup.start(&[]);
    send(&service, vec![message("off-1", WA, "79165550001")]);
    processed(&service, 1);
    setup.amo.with(|amo| {
        assert_eq!((amo.leads.len(), amo.contacts.len()), (2, 2), "a new contact and deal");
    });
}

#[test]
fn the_first_managers_answer_claims_a_first_responder_deal() {
    let setup = setup("connect-first-responder", |s| s);
    let service = setup.start(&[]);
    send(&service, vec![message("fr-1", IG, "client.one")]);
    processed(&service, 1);
    let deal = setup.amo.with(|amo| {
        let lead = amo.leads.values().next().unwrap().clone();
        assert_eq!((lead.pipeline_id, lead.responsible_user_id), (5001, None), "no responsible until an answer");
        lead.id
    });
    // Tony answers first, then Bruce: Tony's claim stands.
    send(&service, vec![echo("fr-2", IG, "client.one", TONY), echo("fr-3", IG, "client.one", BRUCE)]);
    processed(&service, 3);
    assert_eq!(health(&service)["health"]["claims"], json!(1));
    setup.amo.with(|amo| {
        assert_eq!(amo.leads[&deal].responsible_user_id, Some(TONY));
        assert_eq!(amo.requests("PATCH", "/api/v4/leads"), 1);
    });
    // The client writes again: the same deal (the worker's own contact).
    send(&service, vec![message("fr-4", IG, "client.one")]);
    processed(&service, 4);
    assert_eq!(setup.amo.with(|a| a.leads.len()), 1);
}

#[test]
fn validation_errors_are_dead_letters_until_replayed() {
    let setup = setup("connect-dead-letters", |s| s);
    setup.amo.with(|amo| amo.faults.refuse_create = true);
    let service = setup.start(&[]);
    send(&service, vec![message("dl-1", WA, "79167770001"), message("dl-2", WA, "79167770002")]);
    wait_until("two dead letters", SETTLE, || {
        health(&service)["dead_letters"].as_array().is_some_and(|l| l.len() == 2)
    });
    let state = health(&service);
    let reason = state["dead_letters"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("POST /api/v4/leads/complex: 400") && reason.contains("status_id"), "{reason}");
    assert_eq!(state["queue_depth"], json!(0));
    setup.amo.with(|amo| amo.faults.refuse_create = false);
    let (status, replayed) =
        post(&agent(), &service.url(&format!("/v1/accounts/acme/connect/replay?key={SECRET}")), "").unwrap();
    assert_eq!((status, replayed["replayed"].as_u64()), (200, Some(2)));
    wait_until("the replayed deals", SETTLE, || setup.amo.with(|a| a.leads.len()) == 2);
    assert_eq!(health(&service)["dead_letters"], json!([]));
}

#[test]
fn a_429_is_tried_again_after_its_retry_after() {
    let setup = setup("connect-throttled", |s| s);
    setup.amo.with(|amo| amo.faults.throttle = 1);
    let service = setup.start(&[]);
    send(&service, vec![message("429-1", WA, "79164440001")]);
    processed(&service, 1);
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 1);
        let (refused, next) = (amo.seen[0].0, amo.seen[1].0);
        assert!(next.duration_since(refused) >= Duration::from_millis(950), "{:?}", next.duration_since(refused));
    });
}

#[test]
fn an_outage_is_waited_out_and_a_blocked_account_stops_calls() {
    let setup = setup("connect-outage", |s| s);
    setup.amo.with(|amo| amo.faults.down = true);
    let service = setup.start(&[]);
    send(&service, vec![message("down-1", WA, "79168880001"), message("down-2", WA, "79168880002")]);
    wait_until("a failure seen", SETTLE, || {
        health(&service)["health"]["last_error"].as_str().is_some_and(|e| e.contains("503"))
    });
    assert_eq!(health(&service)["queue_depth"], json!(2), "nothing lost while amoCRM is down");
    setup.amo.with(|amo| amo.faults.down = false);
    processed(&service, 2);
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 2);
        // Retries and the catch-up counted in the window like any request.
        assert!(amo.busiest_second() <= PER_SECOND, "{} requests in one second", amo.busiest_second());
    });
    // Blocked for abuse: the HTML 403 stops calls and shows in health and metrics.
    setup.amo.with(|amo| amo.faults.banned = true);
    send(&service, vec![message("ban-1", WA, "79168880003")]);
    wait_until("the halt shown", SETTLE, || {
        health(&service)["health"]["halted"].as_str().is_some_and(|h| h.contains("blocked"))
    });
    let calls = setup.amo.with(|a| a.seen.len());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(setup.amo.with(|a| a.seen.len()), calls, "no call to a blocked account");
    let (_, metrics) = get(&agent(), &service.url("/metrics"));
    assert!(metrics.contains("chatroute_connect_halted{account=\"acme\"} 1"), "{metrics}");
    assert_eq!(health(&service)["queue_depth"], json!(1));
}

/// An instance SIGKILLed while amoCRM holds its request `hang` (done at
/// amoCRM, never answered), and another taking the account over.
fn killed_at(name: &str, hang: (&'static str, &'static str), oauth: bool) -> Option<(Setup, Serve, RedisServer)> {
    let redis = RedisServer::start()?;
    let setup = setup(name, |s| s);
    if oauth {
        with_oauth(&setup);
    }
    let state = redis.url();
    let args = ["--state", state.as_str(), "--lease", "1"];
    let mut first = setup.start(&args);
    setup.amo.with(|amo| amo.faults.hang = Some(hang));
    send(&first, vec![message("kill-1", WA, "79169990001")]);
    wait_until("the request held", SETTLE, || setup.amo.with(|a| a.requests(hang.0, hang.1)) == 1);
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    setup.amo.with(|amo| amo.faults.hang = None);
    let second = setup.start(&args);
    Some((setup, second, redis))
}

#[test]
fn a_kill_between_amocrms_answer_and_the_state_write_makes_no_second_deal() {
    let Some((setup, second, _redis)) = killed_at("connect-kill-create", ("POST", "/api/v4/leads/complex"), false)
    else {
        return;
    };
    // The instance that took over finds the deal the dead one created.
    processed(&second, 1);
    send(&second, vec![message("kill-2", WA, "79169990001")]);
    processed(&second, 2);
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 1, "no second deal for the dialog");
        assert_eq!(amo.requests("POST", "/api/v4/leads/complex"), 1);
    });
}

#[test]
fn a_kill_before_the_crm_call_loses_no_message() {
    let Some((setup, second, _redis)) = killed_at("connect-kill-search", ("GET", "/api/v4/contacts"), false) else {
        return;
    };
    processed(&second, 1);
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 1, "the message acknowledged to Wazzup became its deal");
        assert_eq!(amo.leads.values().next().unwrap().responsible_user_id, Some(BRUCE), "the cycle's first");
    });
}

#[test]
fn a_kill_during_a_token_refresh_halts_the_account_and_says_why() {
    let Some((setup, second, _redis)) = killed_at("connect-kill-refresh", ("POST", "/oauth2/access_token"), true)
    else {
        return;
    };
    // amoCRM spent the refresh token and the answer died with the instance:
    // once the dead one's refresh lock expires (12 s), the next refresh is
    // refused, the account halts, the message waits.
    wait_until("the halt", Duration::from_secs(40), || {
        health(&second)["health"]["halted"].as_str().is_some_and(|h| h.contains("authorize the integration again"))
    });
    assert_eq!(health(&second)["queue_depth"], json!(1));
    setup.amo.with(|amo| assert_eq!((amo.leads.len(), amo.oauth.reused), (0, 1)));
}

#[test]
fn an_instance_killed_mid_run_loses_nothing_and_keeps_the_cycle_exact() {
    let Some(redis) = RedisServer::start() else { return };
    let setup = setup("connect-kill-mid-run", |s| s);
    let state = redis.url();
    let args = ["--state", state.as_str(), "--lease", "1"];
    let mut instances = [setup.start(&args), setup.start(&args)];
    for i in 0..25 {
        let m = message(&format!("mid-{i}"), WA, &format!("7917100{i:04}"));
        send(&instances[0], vec![m.clone()]);
        send(&instances[1], vec![m]);
    }
    wait_until("some deals", SETTLE, || setup.amo.with(|a| a.leads.len()) >= 8);
    // The instance holding the account's lease dies.
    let holder = lease_holder(&state);
    let working = instances.iter().position(|s| holder.contains(&format!("-{}-", s.child.id()))).expect("a holder");
    instances[working].child.kill().unwrap();
    instances[working].child.wait().unwrap();
    wait_until("every deal", Duration::from_secs(40), || setup.amo.with(|a| a.leads.len()) >= 25);
    std::thread::sleep(Duration::from_millis(500));
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 25, "one deal per dialog");
        let users: Vec<u64> = amo.leads.values().map(|l| l.responsible_user_id.unwrap()).collect();
        let expected: Vec<u64> = [1001, 1002, 1003, 1003, 1004].iter().copied().cycle().take(25).collect();
        assert_eq!(users, expected, "the weighted cycle exactly");
        assert!(amo.busiest_second() <= PER_SECOND, "{} requests in one second", amo.busiest_second());
    });
}

/// The worker name holding acme's lease (host-pid-nonce).
fn lease_holder(state: &str) -> String {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("redis-cli").args(["-u", state]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let keys = run(&["--scan"]);
    let key = keys.lines().find(|k| k.ends_with("connect:lease")).expect("the lease").to_owned();
    run(&["GET", &key])
}

#[test]
fn two_instances_on_one_redis_share_the_work_and_the_rate_limit() {
    let Some(redis) = RedisServer::start() else { return };
    let setup = setup("connect-two", |s| s);
    let state = redis.url();
    let args = ["--state", state.as_str(), "--lease", "2"];
    let (a, b) = (setup.start(&args), setup.start(&args));
    let chats: Vec<String> = (1..=20).map(|i| format!("7917000{i:04}")).collect();
    for (i, chat) in chats.iter().enumerate() {
        // Each webhook twice, to either instance.
        let m = message(&format!("two-{i}"), WA, chat);
        send(if i % 2 == 0 { &a } else { &b }, vec![m.clone()]);
        send(if i % 2 == 0 { &b } else { &a }, vec![m]);
    }
    wait_until("twenty deals", Duration::from_secs(40), || setup.amo.with(|amo| amo.leads.len()) >= 20);
    std::thread::sleep(Duration::from_millis(500));
    setup.amo.with(|amo| {
        assert_eq!(amo.leads.len(), 20);
        let mut leads: Vec<_> = amo.leads.values().collect();
        leads.sort_by_key(|l| l.id);
        let users: Vec<u64> = leads.iter().map(|l| l.responsible_user_id.unwrap()).collect();
        let expected: Vec<u64> = [1001, 1002, 1003, 1003, 1004].iter().copied().cycle().take(20).collect();
        assert_eq!(users, expected, "the weighted cycle exactly");
        assert!(amo.busiest_second() <= PER_SECOND, "{} requests in one second", amo.busiest_second());
    });
}

#[test]
fn register_points_both_webhooks_at_the_service() {
    let setup = setup("connect-register", |s| s);
    let service = setup.start(&[]);
    let wazzup = FakeWazzup::start(WAZZUP_KEY);
    let accounts = setup.accounts.to_str().unwrap();
    let public = service.url("");
    let register = || {
        let args =
            ["connect", "register", "--accounts", accounts, "--public-url", &public, "--wazzup-url", &wazzup.base_url];
        chatroute(&args)
    };
    let run = register();
    let said = stderr(&run);
    assert_eq!(run.status.code(), Some(0), "{said}");
    assert!(!said.contains(SECRET), "the secret is never printed: {said}");
    let taken = wazzup.registered.lock().unwrap().clone();
    assert_eq!(taken.len(), 1, "Wazzup's probe was answered 200");
    assert_eq!(taken[0]["webhooksUri"], json!(format!("{public}/v1/wazzup/acme?key={SECRET}")));
    assert_eq!(taken[0]["subscriptions"]["messagesAndStatuses"], json!(true));
    setup.amo.with(|amo| {
        assert_eq!(amo.webhooks.len(), 1);
        assert_eq!(amo.webhooks[0]["destination"], json!(format!("{public}/v1/amocrm/acme?key={SECRET}")));
        assert_eq!(amo.webhooks[0]["settings"], json!(["status_lead", "responsible_lead", "delete_lead"]));
    });
    // With the service gone, Wazzup's probe fails and so does the command
    // (exit 2, as every command whose service call failed).
    drop(service);
    let run = register();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("webhooksUriTestFailed"), "{}", stderr(&run));
}

#[test]
fn a_deal_closed_in_amocrm_frees_its_member_for_the_next_client() {
    let members = "members = [\n  { employee = \"bruce\" },            # weight defaults to 1\n  { employee = \"scrooge\" },\n  { employee = \"tony\", weight = 2 },\n  { employee = \"kostya\" },\n]";
    let setup = setup("connect-closed", |s| {
        assert!(s.contains(members));
        s.replace(members, "members = [{ employee = \"bruce\", max_open = 1 }]")
            .replace("after_close = \"append_to_last_closed\"", "after_close = \"create_new\"")
    });
    let service = setup.start(&[]);
    send(&service, vec![message("cl-1", WA, "79161110001")]);
    processed(&service, 1);
    let first = setup.amo.with(|amo| {
        let lead = amo.leads.values().next().unwrap().clone();
        assert_eq!(lead.responsible_user_id, Some(BRUCE));
        amo.leads.get_mut(&lead.id).unwrap().status_id = 142;
        lead.id
    });
    // amoCRM's webhook, form-encoded as it sends them.
    let form = format!(
        "leads%5Bstatus%5D%5B0%5D%5Bid%5D={first}&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=5002"
    );
    let hook = agent()
        .post(&service.url(&format!("/v1/amocrm/acme?key={SECRET}")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_str())
        .unwrap();
    assert_eq!(hook.status().as_u16(), 200);
    // Bruce's one open deal closed: the next client is his.
    send(&service, vec![message("cl-2", WA, "79161110002")]);
    processed(&service, 2);
    // The first client writes again: a new deal (create_new), and Bruce is at his limit.
    send(&service, vec![message("cl-3", WA, "79161110001")]);
    processed(&service, 3);
    setup.amo.with(|amo| {
        let users: Vec<Option<u64>> = amo.leads.values().map(|l| l.responsible_user_id).collect();
        assert_eq!(users, [Some(BRUCE), Some(BRUCE), None]);
    });
    let wrong = agent().post(&service.url("/v1/amocrm/acme?key=nope")).send("leads[delete][0][id]=1").unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
}

/// ACCOUNTS.toml of `setup` made an OAuth integration's.
fn with_oauth(setup: &Setup) {
    std::fs::write(setup.dir.join("secrets/client.secret"), "client-secret-0123456789\n").unwrap();
    std::fs::write(setup.dir.join("secrets/acme.refresh"), "refresh-0\n").unwrap();
    let text = format!(
        "[accounts.acme]\namocrm = \"{}\"\nwebhook_secret_file = \"secrets/acme.webhook\"\n\
         oauth = {{ client_id = \"client-1\", client_secret_file = \"secrets/client.secret\", redirect_uri = \"https://example.org/oauth\", refresh_token_file = \"secrets/acme.refresh\" }}\n",
        setup.amo.base_url
    );
    std::fs::write(&setup.accounts, text).unwrap();
    setup.amo.with(|amo| {
        amo.oauth.client_id = "client-1".into();
        amo.oauth.client_secret = "client-secret-0123456789".into();
        amo.oauth.refresh = "refresh-0".into();
    });
}

#[test]
fn oauth_refresh_tokens_are_spent_once_across_instances() {
    let Some(redis) = RedisServer::start() else { return };
    let setup = setup("connect-oauth", |s| s);
    with_oauth(&setup);
    let state = redis.url();
    let args = ["--state", state.as_str(), "--lease", "1"];
    let (a, b) = (setup.start(&args), setup.start(&args));
    for round in 0..4 {
        // amoCRM forgets the access token: the next request is refused and
        // the instance at work refreshes, once.
        setup.amo.with(|amo| amo.oauth.expire_access());
        let m = message(&format!("oauth-{round}"), WA, &format!("7916222{round:04}"));
        send(&a, vec![m.clone()]);
        send(&b, vec![m]);
        wait_until("the deal", SETTLE, || setup.amo.with(|amo| amo.leads.len()) == round + 1);
    }
    setup.amo.with(|amo| {
        assert_eq!((amo.oauth.refreshes, amo.oauth.reused), (4, 0), "each refresh token spent once");
        let latest = amo.oauth.refresh.clone();
        let file = std::fs::read_to_string(setup.dir.join("secrets/acme.refresh")).unwrap();
        assert_eq!(file.trim(), latest, "the file holds the refresh token amoCRM takes next");
    });
    // The instance that refreshed last knows when its token expires (24 h on).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expiry = |service: &Serve| {
        let (_, metrics) = get(&agent(), &service.url("/metrics"));
        let prefix = "chatroute_connect_token_expiry_timestamp_seconds{account=\"acme\"} ";
        metrics.lines().find_map(|l| l.strip_prefix(prefix)?.parse::<u64>().ok()).unwrap_or(0)
    };
    assert!(expiry(&a).max(expiry(&b)) > now + 86_000, "{} {}", expiry(&a), expiry(&b));
    // The tokens are in the state sealed, never in clear.
    let dump = std::process::Command::new("redis-cli").args(["-u", &state, "--scan"]).output().unwrap();
    let keys = String::from_utf8_lossy(&dump.stdout).into_owned();
    let key = keys.lines().find(|k| k.ends_with("connect:oauth")).expect("the tokens' key").to_owned();
    let value = std::process::Command::new("redis-cli").args(["-u", &state, "GET", &key]).output().unwrap();
    let value = String::from_utf8_lossy(&value.stdout).into_owned();
    assert!(!value.contains("refresh-") && !value.contains("access-"), "{value}");
}

#[test]
fn a_spent_refresh_token_halts_the_account_with_what_to_do() {
    let setup = setup("connect-oauth-spent", |s| s);
    with_oauth(&setup);
    setup.amo.with(|amo| amo.oauth.refresh = "refresh-issued-to-someone-else".into());
    let service = setup.start(&[]);
    send(&service, vec![message("spent-1", WA, "79163330001")]);
    wait_until("the halt", SETTLE, || {
        health(&service)["health"]["halted"].as_str().is_some_and(|h| h.contains("authorize the integration again"))
    });
    assert_eq!(health(&service)["queue_depth"], json!(1), "the message waits for the new authorization");
}

#[test]
fn a_deal_nobody_answered_is_passed_on_in_amocrm() {
    let Some(lib) = crate::support::faketime::library() else { return };
    let setup = setup("connect-reassign", |s| {
        s.replace(
            "after_close = \"append_to_last_closed\"",
            "after_close = \"append_to_last_closed\"\nreassign_after = \"15m\"",
        )
    });
    // The service's clock, moved by the test.
    let clock = setup.dir.join("clock");
    std::fs::write(&clock, "+0\n").unwrap();
    let env = crate::support::faketime::clock_env(lib, &clock);
    let args = ["--accounts", setup.accounts.to_str().unwrap(), "--tick", "50"];
    let service = Serve::connect_with_env(&env, &setup.table, &args);
    send(&service, vec![message("ra-1", WA, "79165550101"), message("ra-2", WA, "79165550102")]);
    processed(&service, 2);
    // Bruce answers his client; Scrooge does not answer his.
    send(&service, vec![echo("ra-3", WA, "79165550101", BRUCE)]);
    processed(&service, 3);
    std::fs::write(&clock, "+16m\n").unwrap();
    wait_until("the change applied", SETTLE, || health(&service)["health"]["responsible_changes"] == json!(1));
    setup.amo.with(|amo| {
        let users: Vec<Option<u64>> = amo.leads.values().map(|l| l.responsible_user_id).collect();
        assert_eq!(users, [Some(BRUCE), Some(TONY)], "Scrooge's unanswered deal passed on to the next of the cycle");
        assert_eq!(amo.requests("PATCH", "/api/v4/leads"), 1);
    });
}

/// amoCRM's webhook as amoCRM posts it: form-encoded fields.
fn amocrm_hook(service: &Serve, fields: &[(String, String)]) -> Value {
    let form: Vec<String> =
        fields.iter().map(|(k, v)| format!("{}={v}", k.replace('[', "%5B").replace(']', "%5D"))).collect();
    let mut answer = agent()
        .post(&service.url(&format!("/v1/amocrm/acme?key={SECRET}")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.join("&").as_str())
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap()
}

#[test]
fn a_responsible_a_person_sets_becomes_the_owner_a_returning_client_goes_to() {
    let setup = setup("connect-handed-over", |s| {
        s.replace(
            "after_close = \"append_to_last_closed\"",
            "after_close = \"create_new\"\nreturning_clients = \"owner\"",
        )
    });
    let service = setup.start(&[]);
    send(&service, vec![message("ho-1", WA, "79166660001")]);
    processed(&service, 1);
    let deal = setup.amo.with(|amo| amo.leads.values().next().unwrap().id);
    // A person gives the deal to Tony, then wins it.
    let field = |event: &str, name: &str, value: u64| (format!("leads[{event}][0][{name}]"), value.to_string());
    let handed =
        amocrm_hook(&service, &[field("responsible", "id", deal), field("responsible", "responsible_user_id", TONY)]);
    assert_eq!(handed["handed_over"], json!(1));
    setup.amo.with(|amo| amo.leads.get_mut(&deal).unwrap().status_id = 142);
    let closed = amocrm_hook(&service, &[field("status", "id", deal), field("status", "status_id", 142)]);
    assert_eq!(closed["closed"], json!(1));
    // The client returns: a new deal (create_new), and it is Tony's, not
    // the cycle's next (Scrooge).
    send(&service, vec![message("ho-2", WA, "79166660001")]);
    processed(&service, 2);
    setup.amo.with(|amo| {
        let users: Vec<Option<u64>> = amo.leads.values().map(|l| l.responsible_user_id).collect();
        assert_eq!(users, [Some(BRUCE), Some(TONY)]);
    });
    // A deal chatroute does not know: nothing.
    let unknown = amocrm_hook(
        &service,
        &[field("responsible", "id", 999_999), field("responsible", "responsible_user_id", TONY)],
    );
    assert_eq!(unknown["handed_over"], json!(0));
}

/// A `connect` whose clock the test sets (libfaketime: the file holds
/// `@YYYY-MM-DD HH:MM:SS` in UTC, and the clock runs on from it).
fn at_clock(setup: &Setup, lib: &str, start: &str, extra: &[&str]) -> (Serve, PathBuf) {
    let clock = setup.dir.join("clock");
    std::fs::write(&clock, format!("@{start}\n")).unwrap();
    let env = crate::support::faketime::clock_env(lib, &clock);
    let mut args = vec!["--accounts", setup.accounts.to_str().unwrap(), "--tick", "50"];
    args.extend_from_slice(extra);
    (Serve::connect_with_env(&env, &setup.table, &args), clock)
}

/// A dialog of three messages (the client twice, Bruce once), a late one
/// after the first period's note, in `mode`: the notes amoCRM got.
fn notes_in(mode: &str, lib: &str) -> Vec<String> {
    let setup = setup(&format!("connect-copy-{mode}"), |s| {
        s.replace("copy_dialog = \"hourly\"", &format!("copy_dialog = \"{mode}\"")).replace(
            "enabled = true                       # false",
            "timezone = \"Europe/Moscow\"\nenabled = true                       # false",
        )
    });
    let (service, clock) = at_clock(&setup, lib, "2026-12-07 14:10:00", &[]);
    let said = |id: &str, text: &str, at: &str, manager: bool| {
        let mut m = if manager { echo(id, WA, "79165550201", BRUCE) } else { message(id, WA, "79165550201") };
        m["text"] = json!(text);
        m["dateTime"] = json!(at);
        send(&service, vec![m]);
    };
    said("cp-1", "Hello, I need a kitchen", "2026-12-07T14:09:30Z", false);
    said("cp-2", "Good afternoon! Which size?", "2026-12-07T14:11:00Z", true);
    said("cp-3", "Three metres", "2026-12-07T14:12:00Z", false);
    processed(&service, 3);
    if mode == "hourly" {
        // One note waits for the hour's end (18:00 in Moscow).
        let due = json!([{ "due": "2026-12-07T15:00:00Z", "notes": 1 }]);
        wait_until("the note pending", SETTLE, || health(&service)["notes_by_period"] == due);
    }
    // The hour (17:00-18:00 in Moscow) ends, and the day does not.
    std::fs::write(&clock, "@2026-12-07 15:00:02\n").unwrap();
    if mode == "hourly" {
        wait_until("the hour's note", SETTLE, || setup.amo.with(|a| a.notes.len()) == 1);
    }
    // A message that arrived after its hour's note: in the next note.
    said("cp-4", "Are you there?", "2026-12-07T14:59:59Z", false);
    processed(&service, 4);
    std::fs::write(&clock, "@2026-12-07 21:00:02\n").unwrap();
    let expected = match mode {
        "each_message" => 4,
        "hourly" => 2,
        "daily" => 1,
        _ => 0,
    };
    wait_until("the notes", SETTLE, || {
        setup.amo.with(|a| a.notes.len()) == expected && health(&service)["notes_pending"] == json!(0)
    });
    std::thread::sleep(Duration::from_millis(300));
    setup.amo.with(|amo| amo.notes.iter().map(|(_, text)| text.clone()).collect())
}

#[test]
fn the_dialog_is_copied_into_the_deal_card_in_each_mode() {
    let Some(lib) = crate::support::faketime::library() else { return };
    for mode in ["each_message", "hourly", "daily", "off"] {
        let notes = notes_in(mode, lib);
        insta::assert_snapshot!(format!("copy-{mode}"), notes.join("\n---\n"));
    }
}

#[test]
fn a_periods_note_is_written_once_when_its_writer_dies_at_the_boundary() {
    let Some(lib) = crate::support::faketime::library() else { return };
    let Some(redis) = RedisServer::start() else { return };
    let setup = setup("connect-copy-kill", |s| s);
    let state = redis.url();
    let extra = ["--state", state.as_str(), "--lease", "1"];
    let (first, clock) = at_clock(&setup, lib, "2026-12-07 14:10:00", &extra);
    let (second, _) = at_clock(&setup, lib, "2026-12-07 14:10:00", &extra);
    // at_clock wrote the same clock file for both.
    let mut instances = [first, second];
    send(&instances[0], vec![message("nk-1", WA, "79165550301"), message("nk-2", WA, "79165550302")]);
    wait_until("two deals", SETTLE, || setup.amo.with(|a| a.leads.len()) == 2);
    // amoCRM takes the notes and its answer never comes: the writer dies.
    setup.amo.with(|amo| amo.faults.hang = Some(("POST", "/api/v4/leads/notes")));
    std::fs::write(&clock, "@2026-12-07 15:00:02\n").unwrap();
    wait_until("the notes taken", SETTLE, || setup.amo.with(|a| a.notes.len()) == 2);
    let holder = lease_holder(&state);
    let working = instances.iter().position(|s| holder.contains(&format!("-{}-", s.child.id()))).expect("a holder");
    instances[working].child.kill().unwrap();
    instances[working].child.wait().unwrap();
    setup.amo.with(|amo| amo.faults.hang = None);
    let other = &instances[1 - working];
    wait_until("the period settled", SETTLE, || health(other)["notes_pending"] == json!(0));
    setup.amo.with(|amo| {
        assert_eq!(amo.notes.len(), 2, "one note per deal for the period, none twice");
        assert_eq!(amo.requests("POST", "/api/v4/leads/notes"), 1);
        let looked = amo.seen.iter().filter(|(_, m, p)| m == "GET" && p.ends_with("/notes")).count();
        assert_eq!(looked, 2, "the taker looked at each deal's notes before writing");
    });
}

/// `route --events` shows when each note of the dialog copy would be
/// written, so an admin sees `hourly` before deploying it.
#[test]
fn route_shows_when_each_note_would_be_written() {
    let dir = scratch("connect-route-notes");
    let table = dir.join("t.json");
    let run = chatroute(&["compile", "examples/three-zones.toml", "-o", table.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let script = dir.join("timeline.txt");
    std::fs::write(&script, "deal D1\nmessage D1\nwait 20m\nreply D1 ivan\ndeal D2\nwait 40m\nmessage D1\nwait 2h\n")
        .unwrap();
    let args = ["route", table.to_str().unwrap(), "--channel", "wa-shop", "--events", script.to_str().unwrap()];
    let run = chatroute(&[&args[..], &["--at", "2026-12-07T14:10:00Z"]].concat());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    insta::assert_snapshot!("route-notes", crate::support::cli::stdout(&run));
}
