//! Routing over time: working hours across zones (Moscow by day, Almaty by
//! night past midnight, Tokyo with a lunch break), days off, a
//! daylight-saving change, `route --at`; returning clients in process and
//! across two Redis-backed service instances.

use crate::support::cli as cli_support;
use crate::support::redis_server;
use crate::support::serve_process;

use std::collections::BTreeMap;

use chatroute::runtime::{DealRequest, InProcess, Responsible, Router, Timestamp, ready};
use chatroute::table::TableFile;
use cli_support::{chatroute, scratch, stderr, stdout};
use proptest::prelude::*;

fn compiled(text: &str) -> TableFile {
    let checked = chatroute::check::check("hours.toml", text.as_bytes().to_vec(), Default::default());
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

fn three_zones() -> TableFile {
    compiled(&std::fs::read_to_string("examples/three-zones.toml").unwrap())
}

fn at(instant: &str) -> Timestamp {
    instant.parse().unwrap()
}

/// Who gets `n` successive new deals at `instant` (`-` for nobody).
fn deals(router: &Router<InProcess>, instant: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let request = DealRequest { at: Some(at(instant)), ..DealRequest::now("wa-shop") };
            match ready(router.decide(&request)).unwrap().responsible {
                Responsible::Employee(h) => h.to_owned(),
                Responsible::Unassigned => "-".to_owned(),
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

#[test]
fn schedules_across_three_zones_decide_who_is_on_shift() {
    let table = three_zones();
    let fresh = || Router::new(table.clone(), InProcess::new());
    // Monday 10:00 in Moscow: Ivan on shift, Kenji after lunch (16:00 in
    // Tokyo), Aigerim's night over (12:00 in Almaty).
    assert_eq!(deals(&fresh(), "2026-12-07T10:00:00+03:00", 6), ["ivan", "ivan", "kenji", "ivan", "ivan", "kenji"]);
    // Monday 23:00 in Moscow is Tuesday 01:00 in Almaty: Monday's night.
    assert_eq!(deals(&fresh(), "2026-12-07T23:00:00+03:00", 3), ["aigerim"; 3]);
    // Tokyo's lunch (12:30) while Almaty's night has ended (08:30): nobody.
    assert_eq!(deals(&fresh(), "2026-12-07T06:30:00+03:00", 1), ["-"]);
    // Half an hour earlier both are on: 07:30 in Almaty, 11:30 in Tokyo.
    assert_eq!(deals(&fresh(), "2026-12-07T05:30:00+03:00", 3), ["aigerim", "kenji", "aigerim"]);
    // An interval's end is not inside it: 12:00 in Tokyo, 08:00 in Almaty.
    assert_eq!(deals(&fresh(), "2026-12-07T06:00:00+03:00", 1), ["-"]);
    // 1 January 2027, a Friday, is off in Moscow and Tokyo.
    assert_eq!(deals(&fresh(), "2027-01-01T10:00:00+03:00", 1), ["-"]);
    // The night that starts on 31 December runs into the 1st in Almaty.
    assert_eq!(deals(&fresh(), "2027-01-01T02:00:00+06:00", 1), ["aigerim"]);
    // Saturday: Moscow 10:00-14:00, Tokyo closed.
    assert_eq!(deals(&fresh(), "2026-12-12T11:00:00+03:00", 2), ["ivan", "ivan"]);
    assert_eq!(deals(&fresh(), "2026-12-12T15:00:00+03:00", 1), ["-"]);
}

#[test]
fn a_shift_in_the_hour_daylight_saving_skips_starts_when_the_clock_reaches_it() {
    let spec = std::fs::read_to_string("examples/three-zones.toml").unwrap().replace(
        "[schedules.tokyo]\ntimezone = \"Asia/Tokyo\"\nmon-fri = [\"09:00-12:00\", \"13:00-18:00\"]",
        "[schedules.tokyo]\ntimezone = \"Europe/Berlin\"\nsun = [\"02:30-04:00\"]",
    );
    let table = compiled(&spec);
    let kenji = |instant: &str| Router::new(table.clone(), InProcess::new()).in_hours("kenji", at(instant));
    // 28 March 2027, Berlin: 02:00 CET becomes 03:00 CEST.
    assert!(!kenji("2027-03-28T00:45:00Z"), "01:45 CET, before the shift");
    assert!(kenji("2027-03-28T01:00:00Z"), "03:00 CEST: 02:30 never showed, the shift is on");
    assert!(kenji("2027-03-28T01:59:00Z"), "03:59 CEST");
    assert!(!kenji("2027-03-28T02:00:00Z"), "04:00 CEST, over");
    // 31 October 2027: 03:00 CEST becomes 02:00 CET; 02:30-04:00 is met
    // on both passes of the repeated hour.
    assert!(kenji("2027-10-31T00:45:00Z"), "02:45 CEST");
    assert!(kenji("2027-10-31T01:45:00Z"), "02:45 CET, the second pass");
    assert!(!kenji("2027-10-31T03:00:00Z"), "04:00 CET");
}

#[test]
fn route_at_simulates_an_instant() {
    let dir = scratch("route-at");
    let table = dir.join("t.json");
    let out = chatroute(&["compile", "examples/three-zones.toml", "-o", table.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let route = |instant: &str| {
        let args = ["route", table.to_str().unwrap(), "--channel", "wa-shop", "--new-deals", "3", "--at", instant];
        let out = chatroute(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let day = route("2026-12-07T10:00:00+03:00");
    assert_eq!(day.matches("ivan").count(), 2, "{day}");
    assert!(day.contains("kenji") && !day.contains("aigerim"), "{day}");
    let night = route("2026-12-07T23:00:00+03:00");
    assert_eq!(night.matches("aigerim").count(), 3, "{night}");
    let holiday = route("2027-01-01T10:00:00+03:00");
    assert_eq!(holiday.matches("unassigned").count(), 3, "{holiday}");
    let lunch = route("2026-12-07T06:30:00+03:00");
    assert_eq!(lunch.matches("unassigned").count(), 3, "Tokyo's lunch, Almaty's morning: {lunch}");
    let new_year_night = route("2027-01-01T02:00:00+06:00");
    assert_eq!(new_year_night.matches("aigerim").count(), 3, "31 December's night: {new_year_night}");
    let bad = chatroute(&["route", table.to_str().unwrap(), "--channel", "wa-shop", "--at", "tomorrow"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

fn client(router: &Router<InProcess>, contact: &str, owner: Option<&str>) -> (String, Option<u64>) {
    let request = DealRequest {
        contact: Some(contact),
        owner,
        at: Some(at("2026-12-07T10:00:00+03:00")),
        ..DealRequest::now("wa-shop")
    };
    let deal = ready(router.decide(&request)).unwrap();
    let Responsible::Employee(who) = deal.responsible else { panic!("{:?}", deal.responsible) };
    (who.to_owned(), deal.ticket)
}

#[test]
fn a_returning_client_goes_to_their_owner_without_a_cycle_position() {
    let router = Router::new(three_zones(), InProcess::new());
    // Monday 10:00: the cycle among those on shift is ivan, ivan, kenji.
    assert_eq!(client(&router, "c1", None), ("ivan".into(), Some(0)));
    assert_eq!(client(&router, "c1", None), ("ivan".into(), None), "back to ivan, no position used");
    assert_eq!(client(&router, "c2", None), ("ivan".into(), Some(1)));
    assert_eq!(client(&router, "c3", None), ("kenji".into(), Some(3)), "the cycle goes on for new clients");
    assert_eq!(client(&router, "c3", None), ("kenji".into(), None));
    // The caller's owner wins over the one remembered, even outside the cycle.
    assert_eq!(client(&router, "c1", Some("olga")), ("olga".into(), None));
    // An owner off shift (Aigerim at 12:00 in Almaty): the cycle decides.
    assert_eq!(client(&router, "c4", Some("aigerim")), ("ivan".into(), Some(4)));
    // An owner marked unavailable: the cycle, and the client's owner moves.
    ready(router.set_available("ivan", false)).unwrap();
    assert_eq!(client(&router, "c2", None), ("kenji".into(), Some(7)));
    assert_eq!(client(&router, "c2", None), ("kenji".into(), None));
}

#[test]
fn returning_clients_keep_their_owner_across_two_instances_on_redis() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let dir = scratch("returning-redis");
    let table = dir.join("t.json");
    // Always open, so the wall clock of the test does not matter.
    let spec = std::fs::read_to_string("examples/three-zones.toml")
        .unwrap()
        .replace("mon-fri = \"09:00-18:00\"\nsat = \"10:00-14:00\"", "mon-sun = \"00:00-24:00\"")
        .replace("mon-sun = \"20:00-08:00\"", "mon-sun = \"00:00-24:00\"")
        .replace("mon-fri = [\"09:00-12:00\", \"13:00-18:00\"]\noff = [\"2027-01-01\"]", "mon-sun = \"00:00-24:00\"")
        .replace("off = [\"2027-01-01\", \"2027-01-07\"]\n", "");
    std::fs::write(&table, compiled(&spec).to_bytes()).unwrap();
    let url = server.url();
    let a = serve_process::Serve::start(&table, &["--state", url.as_str()]);
    let b = serve_process::Serve::start(&table, &["--state", url.as_str()]);
    let agent = serve_process::agent();
    let deal = |serve: &serve_process::Serve, contact: &str| {
        let body = format!(r#"{{"channel": "wa-shop", "contact": "{contact}"}}"#);
        let (status, v) = serve_process::post(&agent, &serve.url("/v1/deals"), &body).unwrap();
        assert_eq!(status, 200, "{v}");
        (v["responsible"]["employee"].as_str().unwrap().to_owned(), v["ticket"].as_u64())
    };
    // New clients alternate between the instances and take the cycle in
    // order; each comes back through the other instance to their owner.
    let mut owners = BTreeMap::new();
    for n in 0..8 {
        let (first, second) = if n % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let (owner, ticket) = deal(first, &format!("client-{n}"));
        assert_eq!(ticket, Some(n), "new clients take the cycle in order");
        assert_eq!(deal(second, &format!("client-{n}")), (owner.clone(), None));
        owners.insert(n, owner);
    }
    let order: Vec<&str> = owners.values().map(String::as_str).collect();
    assert_eq!(order, ["ivan", "ivan", "aigerim", "kenji", "ivan", "ivan", "aigerim", "kenji"]);
}

fn weighted_spec(weights: &[u32], opens: &[u8]) -> String {
    let mut t =
        String::from("version = 1\n[integration]\naccount = \"p\"\ntimezone = \"Europe/Moscow\"\n[employees]\n");
    for (i, _) in weights.iter().enumerate() {
        t.push_str(&format!("m{i} = {{ name = \"M{i}\", schedule = \"s{i}\" }}\n"));
    }
    for (i, open) in opens.iter().enumerate() {
        let zone = ["Europe/Moscow", "Asia/Almaty", "Asia/Tokyo"][i % 3];
        t.push_str(&format!(
            "[schedules.s{i}]\ntimezone = \"{zone}\"\nmon-sun = \"{open:02}:00-{:02}:00\"\n",
            open + 8
        ));
    }
    t.push_str("[defaults]\nnew_deals = { pipeline = \"S\", stage = \"New\" }\naccess = \"read_send\"\n");
    t.push_str("[assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nmembers = [\n");
    for (i, w) in weights.iter().enumerate() {
        t.push_str(&format!("{{ employee = \"m{i}\", weight = {w} }},\n"));
    }
    t.push_str("]\n[channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n");
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the instant, the members in their hours get new deals in
    /// exactly their weights' proportion, the others none.
    #[test]
    fn members_in_hours_share_deals_by_weight(
        members in prop::collection::vec((1u32..4, 0u8..16), 2..6),
        seconds in 0i64..(7 * 24 * 3600),
        rounds in 1usize..4,
    ) {
        let (weights, opens): (Vec<u32>, Vec<u8>) = members.into_iter().unzip();
        let router = Router::new(compiled(&weighted_spec(&weights, &opens)), InProcess::new());
        let instant = Timestamp::from_second(1_796_000_000 + seconds).unwrap();
        let on: Vec<bool> = (0..weights.len()).map(|i| router.in_hours(&format!("m{i}"), instant)).collect();
        let per_round: u32 = weights.iter().zip(&on).filter(|(_, on)| **on).map(|(w, _)| *w).sum();
        let mut counts = vec![0u32; weights.len()];
        for _ in 0..per_round as usize * rounds {
            let request = DealRequest { at: Some(instant), ..DealRequest::now("wa") };
            if let Responsible::Employee(h) = ready(router.decide(&request)).unwrap().responsible {
                counts[h[1..].parse::<usize>().unwrap()] += 1;
            }
        }
        for (i, w) in weights.iter().enumerate() {
            prop_assert_eq!(counts[i], if on[i] { w * rounds as u32 } else { 0 }, "member {}", i);
        }
    }
}

/// A spec where `[assignment]` skips the unavailable and Instagram has an
/// assignment of its own; `ig_skip` is what that one says of it.
fn instagram(ig_skip: &str) -> String {
    format!(
        "version = 1\n[integration]\naccount = \"acme\"\ntimezone = \"Europe/Moscow\"\n\
         [employees]\nolga = {{ name = \"Olga\", schedule = \"week\" }}\nivan = {{ name = \"Ivan\" }}\n\
         [schedules.week]\nmon-fri = \"09:00-18:00\"\n\
         [defaults]\nnew_deals = {{ pipeline = \"Sales\", stage = \"New\" }}\naccess = \"read_send\"\n\
         [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\n\
         members = [{{ employee = \"olga\" }}, {{ employee = \"ivan\" }}]\n\
         [channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n\
         [channels.wa.access]\nolga = {{ level = \"read_send\", default_outgoing = true }}\n\
         ivan = {{ level = \"read_send\", default_outgoing = true }}\n\
         [channels.ig]\nname = \"IG\"\ntransport = \"instagram\"\nhandle = \"@acme.art\"\n\
         [channels.ig.assignment]\nmode = \"round_robin\"\n{ig_skip}members = [{{ employee = \"olga\" }}, {{ employee = \"ivan\" }}]\n"
    )
}

/// A channel's own assignment follows `[assignment]`'s `skip_unavailable`
/// unless it sets its own: Olga gets no Instagram deal on a Saturday.
#[test]
fn a_channel_assignment_follows_the_integrations_skip_unavailable() {
    let checked = chatroute::check::check("ig.toml", instagram("").into_bytes(), Default::default());
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let router =
        Router::new(chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()), InProcess::new());
    let saturday = at("2026-12-05T11:00:00+03:00");
    let who: Vec<String> = (0..4)
        .map(|_| {
            let request = DealRequest { at: Some(saturday), ..DealRequest::now("ig") };
            match ready(router.decide(&request)).unwrap().responsible {
                Responsible::Employee(h) => h.to_owned(),
                other => format!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(who, ["ivan", "ivan", "ivan", "ivan"]);
}

/// Where a channel's assignment says `skip_unavailable = false`, her hours
/// do not apply there: check says so at that line, and the report shows it.
#[test]
fn a_schedule_that_one_assignment_ignores_is_a_warning_there() {
    let spec = instagram("skip_unavailable = false\n");
    let checked = chatroute::check::check("ig.toml", spec.clone().into_bytes(), Default::default());
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["CR908"], "{:?}", checked.diagnostics);
    let diagnostic = &checked.diagnostics[0];
    assert!(diagnostic.message.contains("do not apply in every assignment"), "{}", diagnostic.message);
    let line = &spec[diagnostic.labels[1].span.clone()];
    assert_eq!(line, "false", "labelled at the channel's setting");
    let dir = scratch("ig-report");
    let source = dir.join("ig.toml");
    std::fs::write(&source, &spec).unwrap();
    let page = dir.join("ig.html");
    let out = chatroute(&["report", source.to_str().unwrap(), "-o", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(page).unwrap();
    assert_eq!(html.matches("not applied here").count(), 1, "on Instagram only");
}

/// `MSK` is Moscow time: the suggestion follows the meaning, not the
/// spelling (`MST` is US Mountain time); an unknown abbreviation gets no
/// guess; a misspelt Area/City gets the closest name.
#[test]
fn time_zone_suggestions_follow_meaning() {
    let spec = std::fs::read_to_string("tests/fixtures/CR901.toml").unwrap();
    for (written, meant) in [
        ("MSK", Some("Europe/Moscow")),
        ("yekt", Some("Asia/Yekaterinburg")),
        ("QQT", None),
        ("Europe/Moskow", Some("Europe/Moscow")),
    ] {
        let text = spec.replace("Europe/Moskow", written);
        let checked = chatroute::check::check("tz.toml", text.into_bytes(), Default::default());
        let found = checked.diagnostics.iter().find(|d| d.code.as_str() == "CR901").expect("CR901");
        let help = found.help.clone().unwrap_or_default();
        match meant {
            Some(zone) => assert!(help.contains(&format!("`{zone}`")), "{written}: {help}"),
            None => assert!(!help.contains("did you mean"), "{written}: {help}"),
        }
        assert!(!help.contains("MST"), "{written}: {help}");
    }
}
