//! Routing benchmarks (divan): `cargo bench --bench routing`.
//!
//! - a round-robin decision and a first-responder claim, in process;
//! - loading (parse + hash check) the compiled tables of the S, M and L
//!   generated specs.

#[path = "specgen.rs"]
mod specgen;

use chatroute::runtime::{DealRequest, InProcess, Router, Timestamp, ready};
use chatroute::table::TableFile;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

fn table_bytes(size: &str) -> Vec<u8> {
    let toml = specgen::generate(specgen::size(size).expect("known size"));
    let checked = chatroute::check::check(size, toml.into_bytes(), Default::default());
    assert!(checked.diagnostics.is_empty(), "generated spec {size} is not clean: {:?}", checked.diagnostics.first());
    chatroute::compile::compile(checked.spec.as_ref().expect("clean spec"), Default::default()).to_bytes()
}

fn router(size: &str) -> Router<InProcess> {
    Router::new(TableFile::from_slice(&table_bytes(size)).expect("fresh table loads"), InProcess::new())
}

#[divan::bench]
fn round_robin_decision(bencher: Bencher) {
    let router = router("M");
    bencher.bench(|| black_box(ready(router.new_deal(black_box("ch0"))).map(|d| d.responsible).is_ok()));
}

/// The stationery example with `skip_unavailable` and a limit on every
/// member, Tony unavailable: each decision skips him.
/// The stationery example skipping the unavailable (tony is); `capped`:
/// bruce has an open-deal limit too, so decisions need deal ids.
fn availability_router(capped: bool) -> Router<InProcess> {
    let spec = std::fs::read_to_string("examples/stationery-wholesale.toml").expect("example").replacen(
        "mode = \"round_robin\"",
        "mode = \"round_robin\"\nskip_unavailable = true",
        1,
    );
    let spec = match capped {
        true => spec.replace("{ employee = \"bruce\" }", "{ employee = \"bruce\", max_open = 1000000000 }"),
        false => spec,
    };
    let checked = chatroute::check::check("spec", spec.into_bytes(), Default::default());
    let router = Router::new(
        chatroute::compile::compile(checked.spec.as_ref().expect("valid"), Default::default()),
        InProcess::new(),
    );
    ready(router.set_available("tony", false)).expect("in memory");
    router
}

#[divan::bench]
fn round_robin_decision_with_availability(bencher: Bencher) {
    let router = availability_router(false);
    bencher.bench(|| black_box(ready(router.new_deal(black_box("wa-opt"))).map(|d| d.responsible).expect("decided")));
}

#[divan::bench]
fn round_robin_decision_with_availability_and_deal_id(bencher: Bencher) {
    let router = availability_router(true);
    let mut n = 0u64;
    bencher.bench_local(|| {
        n += 1;
        black_box(ready(router.new_deal_for("wa-opt", Some(&n.to_string()))).map(|d| d.responsible).is_ok())
    });
}

/// Five members in three zones (Moscow, Almaty, Tokyo), each with a
/// schedule; decided at an instant when three of them are in hours.
fn hours_router() -> Router<InProcess> {
    let spec = "version = 1\n[integration]\naccount = \"b\"\ntimezone = \"Europe/Moscow\"\n[employees]\n\
        m0 = { name = \"M0\", schedule = \"msk\" }\nm1 = { name = \"M1\", schedule = \"msk\" }\n\
        m2 = { name = \"M2\", schedule = \"ala\" }\nm3 = { name = \"M3\", schedule = \"tyo\" }\n\
        m4 = { name = \"M4\", schedule = \"tyo\" }\n\
        [schedules.msk]\nmon-fri = \"09:00-18:00\"\n\
        [schedules.ala]\ntimezone = \"Asia/Almaty\"\nmon-sun = \"20:00-08:00\"\n\
        [schedules.tyo]\ntimezone = \"Asia/Tokyo\"\nmon-fri = [\"09:00-12:00\", \"13:00-18:00\"]\n\
        [defaults]\nnew_deals = { pipeline = \"S\", stage = \"New\" }\naccess = \"read_send\"\n\
        [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nreturning_clients = \"owner\"\n\
        members = [{ employee = \"m0\" }, { employee = \"m1\" }, { employee = \"m2\" }, { employee = \"m3\" }, { employee = \"m4\" }]\n\
        [channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n";
    let checked = chatroute::check::check("spec", spec.as_bytes().to_vec(), Default::default());
    Router::new(
        chatroute::compile::compile(checked.spec.as_ref().expect("valid"), Default::default()),
        InProcess::new(),
    )
}

/// Monday 10:00 in Moscow: m0, m1 in hours, m2 not (12:00 in Almaty), m3
/// and m4 after lunch in Tokyo (16:00).
const MONDAY_MORNING: &str = "2026-12-07T10:00:00+03:00";

#[divan::bench]
fn round_robin_decision_with_schedules(bencher: Bencher) {
    let router = hours_router();
    let at: Timestamp = MONDAY_MORNING.parse().expect("an instant");
    bencher.bench(|| {
        let request = DealRequest { at: Some(at), ..DealRequest::now(black_box("wa")) };
        black_box(ready(router.decide(&request)).map(|d| d.responsible).is_ok())
    });
}

#[divan::bench]
fn round_robin_decision_for_a_returning_client(bencher: Bencher) {
    let router = hours_router();
    let at: Timestamp = MONDAY_MORNING.parse().expect("an instant");
    // The client's first deal makes its owner; each bench call is a return.
    let first = DealRequest { at: Some(at), contact: Some("client-1"), ..DealRequest::now("wa") };
    ready(router.decide(&first)).expect("in memory");
    bencher.bench(|| {
        let request = DealRequest { at: Some(at), contact: Some(black_box("client-1")), ..DealRequest::now("wa") };
        black_box(ready(router.decide(&request)).map(|d| d.responsible).is_ok())
    });
}

#[divan::bench]
fn first_responder_claim(bencher: Bencher) {
    let router = router("M");
    let deal = match ready(router.new_deal("ch1")).expect("routed").responsible {
        chatroute::runtime::Responsible::FirstOf(group) => group[0],
        _ => unreachable!("odd channels are first responder"),
    };
    let mut n = 0u64;
    bencher.bench_local(|| {
        n += 1;
        black_box(ready(router.claim("ch1", &n.to_string(), deal)).is_ok())
    });
}

/// The phone rule on a client's number as a service applies it per
/// message: the 8 -> +7 rewrite and libphonenumber's validity, cold start
/// included in the first call only.
#[divan::bench(args = ["8 912 345-67-89", "+7 495 123-45-67", "+81 3-1234-5678"])]
fn phone_rule(bencher: Bencher, number: &str) {
    bencher.bench_local(|| black_box(chatroute::phone::to_international(black_box(number)).valid));
}

#[divan::bench(args = ["S", "M", "L"])]
fn load_table(bencher: Bencher, size: &str) {
    let bytes = table_bytes(size);
    bencher
        .counter(divan::counter::BytesCount::of_slice(&bytes))
        .bench(|| black_box(TableFile::from_slice(&bytes).is_ok()));
}
