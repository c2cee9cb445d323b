//! Prepares libphonenumber's metadata (data/PhoneNumberMetadata.xml) at
//! build time, so a run compiles no regular expression to validate a
//! number. `src/phone.rs` includes the result:
//!
//! - `phone_territories.rs`: the XML of each territory, for the crate's
//!   parser, which reads numbers written in unusual forms (rarely needed);
//! - `phone_plans.rs` and `phone_automata.bin`: every pattern validation
//!   uses (each territory's general pattern, its number types' patterns and
//!   its leading digits), read with the crate's own loader and compiled
//!   with regex-automata into a table of digit transitions.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;

use phonenumber::metadata::loader::{self, Descriptor};
use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, nfa::thompson};

/// The state a transition leads to when no match can follow.
const DEAD: u16 = u16::MAX;

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()
}

/// Appends the automaton of `pattern` to `out` (11 u16 per state: 1 when
/// the digits read so far match, then the next state after each digit 0-9;
/// state 0 is the start) and returns its offset in u16 units.
///
/// The crate compiles patterns with `x` (whitespace ignored) and searches
/// them from the number's first digit, so "matches" means "some prefix of
/// the digits is in the pattern's language": `MatchKind::All` keeps every
/// prefix, and a state matches when ending the input there would report one.
fn compile(pattern: &str, out: &mut Vec<u16>) -> u32 {
    let dfa = dense::Builder::new()
        .configure(dense::Config::new().start_kind(StartKind::Anchored).match_kind(MatchKind::All))
        .syntax(syntax::Config::new().ignore_whitespace(true).unicode(false).utf8(false))
        .thompson(thompson::Config::new().utf8(false))
        .build(pattern)
        .unwrap_or_else(|e| panic!("libphonenumber pattern {pattern:?} compiles: {e}"));
    let start = dfa.start_state_forward(&Input::new("").anchored(Anchored::Yes)).expect("an anchored start state");
    let offset = u32::try_from(out.len()).expect("the automata fit u32 offsets");
    let mut ids = HashMap::from([(start, 0u16)]);
    let mut queue = VecDeque::from([start]);
    while let Some(state) = queue.pop_front() {
        out.push(u16::from(dfa.is_match_state(dfa.next_eoi_state(state))));
        for digit in b'0'..=b'9' {
            let next = dfa.next_state(state, digit);
            if dfa.is_dead_state(next) {
                out.push(DEAD);
                continue;
            }
            let fresh = u16::try_from(ids.len()).ok().filter(|&id| id != DEAD).expect("fewer than 65,535 states");
            let id = *ids.entry(next).or_insert_with(|| {
                queue.push_back(next);
                fresh
            });
            out.push(id);
        }
    }
    offset
}

/// `Pattern { at, lengths }` for a descriptor with a pattern.
fn pattern(descriptor: &Descriptor, out: &mut Vec<u16>) -> String {
    let regex = descriptor.national_number.as_deref().expect("every descriptor has a pattern");
    format!("Pattern {{ at: {}, lengths: &{:?} }}", compile(regex, out), descriptor.possible_length)
}

fn main() {
    let source = "data/PhoneNumberMetadata.xml";
    println!("cargo::rerun-if-changed={source}");
    let xml = std::fs::read_to_string(source).expect("the vendored metadata is readable");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

    let mut territories =
        String::from("/// (id, calling code, `<territory>` XML) of every territory, in file order.\n");
    territories.push_str("pub static TERRITORIES: &[(&str, u16, &str)] = &[\n");
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<territory ") {
        let end = rest[start..].find("</territory>").expect("every territory is closed") + start + "</territory>".len();
        let element = &rest[start..end];
        let tag = &element[..element.find('>').expect("a territory tag ends")];
        let id = attribute(tag, "id").expect("a territory has an id");
        let code: u16 =
            attribute(tag, "countryCode").and_then(|c| c.parse().ok()).expect("a territory has a calling code");
        assert!(!element.contains("\"###"), "the raw string delimiter occurs in the metadata");
        let _ = writeln!(territories, "    ({id:?}, {code}, r###\"{element}\"###),");
        rest = &rest[end..];
    }
    territories.push_str("];\n");
    std::fs::write(out_dir.join("phone_territories.rs"), territories).expect("OUT_DIR is writable");

    let metadata = loader::load(std::io::BufReader::new(xml.as_bytes())).expect("the vendored metadata loads");
    let mut automata = Vec::new();
    let mut plans = String::from("/// Every territory's validation patterns, in file order.\n");
    plans.push_str("static PLANS: &[Plan] = &[\n");
    for meta in &metadata {
        let general = pattern(meta.general.as_ref().expect("every territory has a general pattern"), &mut automata);
        // The types the crate's `number_type` tells apart from `Unknown`.
        let types = [
            &meta.premium_rate,
            &meta.toll_free,
            &meta.shared_cost,
            &meta.voip,
            &meta.personal_number,
            &meta.pager,
            &meta.uan,
            &meta.voicemail,
            &meta.fixed_line,
            &meta.mobile,
        ];
        let types: Vec<String> = types.into_iter().flatten().map(|d| pattern(d, &mut automata)).collect();
        let leading = match &meta.leading_digits {
            Some(regex) => format!("Some(Pattern {{ at: {}, lengths: &[] }})", compile(regex, &mut automata)),
            None => "None".to_owned(),
        };
        let _ = writeln!(
            plans,
            "    Plan {{ id: {:?}, code: {}, main: {}, leading: {leading}, general: {general}, types: &[{}] }},",
            meta.id.as_deref().expect("every territory has an id"),
            meta.country_code.expect("every territory has a calling code"),
            meta.main_country_for_code,
            types.join(", "),
        );
    }
    plans.push_str("];\n");
    // The regions apart, sorted, two bytes each: a lookup reads 1 KB, not
    // the plans' ids spread among the territories' XML.
    let mut regions: Vec<(&str, u16)> = metadata
        .iter()
        .filter_map(|m| Some((m.id.as_deref()?, m.country_code?)))
        .filter(|(id, _)| id.len() == 2 && id.bytes().all(|b| b.is_ascii_uppercase()))
        .collect();
    regions.sort_unstable();
    plans.push_str("/// The regions (ISO 3166-1 alpha-2) and their calling codes, by id.\n");
    plans.push_str("static REGIONS: &[([u8; 2], u16)] = &[\n");
    for (id, code) in regions {
        let _ = writeln!(plans, "    (*b{id:?}, {code}),");
    }
    plans.push_str("];\n");
    let bytes: Vec<u8> = automata.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(out_dir.join("phone_automata.bin"), bytes).expect("OUT_DIR is writable");
    std::fs::write(out_dir.join("phone_plans.rs"), plans).expect("OUT_DIR is writable");
}
