//! Phone numbers: the channel-number check, client regions and the
//! 8 -> +7 rewrite, all on libphonenumber data (the `phonenumber` crate).
//!
//! Validation is the crate's (`is_valid_with`: the territory a number
//! belongs to, then whether one of its number types matches) on the crate's
//! metadata (data/PhoneNumberMetadata.xml, see data/README.md), read with
//! the crate's loader at build time and every pattern compiled there into a
//! digit automaton (build.rs): validating a number compiles no regular
//! expression (the crate compiles each on first use, ~0.2 ms apiece).
//! Numbers written in forms other than `+`, digits and separators go
//! through the crate's parser, with a database of their calling code only.
//! The tests compare every verdict with the crate's own.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use phonenumber::metadata::{Database, loader};

// `TERRITORIES`: the metadata split by territory at build time (build.rs).
include!(concat!(env!("OUT_DIR"), "/phone_territories.rs"));
// `PLANS`: each territory's patterns, as offsets into `AUTOMATA`; `REGIONS`
// (build.rs).
include!(concat!(env!("OUT_DIR"), "/phone_plans.rs"));

/// The digit automata of every pattern: per state 11 little-endian u16,
/// whether the digits read so far match, then the next state after each
/// digit 0-9 (`DEAD`: no match can follow).
static AUTOMATA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/phone_automata.bin"));
const DEAD: u16 = u16::MAX;

/// One of libphonenumber's national number patterns, with the lengths it
/// allows (none listed: any).
struct Pattern {
    at: u32,
    lengths: &'static [u16],
}

impl Pattern {
    fn entry(&self, state: u16, slot: usize) -> u16 {
        let at = 2 * (self.at as usize + 11 * state as usize + slot);
        u16::from_le_bytes([AUTOMATA[at], AUTOMATA[at + 1]])
    }

    /// Whether some prefix of `digits` is in the pattern's language: the
    /// crate searches a pattern from the number's first digit.
    fn matches_from_start(&self, digits: &str) -> bool {
        let mut state = 0;
        for byte in digits.bytes() {
            if self.entry(state, 0) == 1 {
                return true;
            }
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return false;
            }
            state = self.entry(state, 1 + usize::from(digit));
            if state == DEAD {
                return false;
            }
        }
        self.entry(state, 0) == 1
    }

    /// The crate's `Descriptor::is_match`.
    fn is_match(&self, national: &str) -> bool {
        let length = u16::try_from(national.len()).unwrap_or(u16::MAX);
        (self.lengths.is_empty() || self.lengths.contains(&length)) && self.matches_from_start(national)
    }
}

/// A territory's numbering plan: what validation needs of its metadata.
struct Plan {
    id: &'static str,
    code: u16,
    main: bool,
    leading: Option<Pattern>,
    general: Pattern,
    /// The patterns of the number types the crate names (premium rate, toll
    /// free, ..., fixed line, mobile).
    types: &'static [Pattern],
}

impl Plan {
    /// The crate's `number_type(..) != Type::Unknown`.
    fn knows(&self, national: &str) -> bool {
        self.general.is_match(national) && self.types.iter().any(|t| t.is_match(national))
    }
}

/// The plans of a calling code, the main country first (as the crate's
/// database orders them).
fn plans(code: u16) -> Vec<&'static Plan> {
    let mut plans: Vec<&Plan> = PLANS.iter().filter(|p| p.code == code).collect();
    plans.sort_by_key(|p| !p.main);
    plans
}

/// The crate's `is_valid_with` for a national number: the territory is the
/// only one of the code, or the first whose leading digits start the number
/// (without leading digits: the first that knows it).
fn is_valid_national(code: u16, national: &str) -> bool {
    let plans = plans(code);
    let plan = match plans.as_slice() {
        [only] => Some(*only),
        several => several.iter().copied().find(|p| match &p.leading {
            Some(leading) => leading.matches_from_start(national),
            None => p.knows(national),
        }),
    };
    plan.is_some_and(|p| p.knows(national))
}

/// The regions (ISO 3166-1 alpha-2; not the non-geographic "001") and their
/// calling codes, sorted by region.
fn regions_and_codes() -> impl Iterator<Item = (&'static str, u16)> {
    REGIONS.iter().map(|(id, code)| (std::str::from_utf8(id).expect("build.rs writes ASCII ids"), *code))
}

/// The parsed metadata of the territories with this calling code.
fn territories(code: u16) -> Vec<loader::Metadata> {
    let elements: String = TERRITORIES.iter().filter(|(_, c, _)| *c == code).map(|(_, _, xml)| *xml).collect();
    if elements.is_empty() {
        return Vec::new();
    }
    let document = format!("<phoneNumberMetadata><territories>{elements}</territories></phoneNumberMetadata>");
    loader::load(std::io::Cursor::new(document)).expect("the vendored libphonenumber metadata loads")
}

/// The crate's database of one calling code, for its parser; built on
/// first use and kept; `None` (also kept) for a code no territory has.
fn database(code: u16) -> Option<&'static Database> {
    static DATABASES: LazyLock<Mutex<HashMap<u16, Option<&'static Database>>>> = LazyLock::new(Default::default);
    let mut databases = DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    *databases.entry(code).or_insert_with(|| {
        let territories = territories(code);
        if territories.is_empty() {
            return None;
        }
        // Kept for the life of the process, like the crate's own database.
        Database::from(territories).ok().map(|db| &*Box::leak(Box::new(db)))
    })
}

/// The crate's database for the calling code a `+...` number starts with.
fn database_for(number: &str) -> Option<&'static Database> {
    let digits: String = number.trim_start().strip_prefix('+')?.chars().filter(char::is_ascii_digit).take(3).collect();
    database(split_calling_code(&digits)?.0)
}

/// The calling code `digits` start with and the rest: the first of their
/// first one, two or three digits that is a calling code, as libphonenumber
/// reads it.
fn split_calling_code(digits: &str) -> Option<(u16, &str)> {
    (1..=digits.len().min(3)).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        PLANS.iter().any(|p| p.code == code).then(|| (code, &digits[len..]))
    })
}

/// The result of the `to_international` rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The number to dial: the rewritten one, or the input untouched.
    pub number: String,
    /// Whether the rule changed the number.
    pub changed: bool,
    /// Whether libphonenumber considers the result a valid number.
    pub valid: bool,
}

/// Separators people write inside phone numbers.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{a0}')
}

/// The digits of a number written only with digits and separators, without
/// a leading `+`; `None` for anything else.
fn bare_digits(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || !raw.chars().all(|c| c.is_ascii_digit() || is_separator(c)) {
        return None;
    }
    Some(raw.chars().filter(char::is_ascii_digit).collect())
}

/// The source's rule 7: an 11-digit number written with the trunk prefix 8
/// becomes `+7` and the other ten digits. Everything else stays as written.
pub fn to_international(raw: &str) -> Rewrite {
    let rewritten = bare_digits(raw).filter(|d| d.len() == 11 && d.starts_with('8')).map(|d| format!("+7{}", &d[1..]));
    let changed = rewritten.is_some();
    let number = rewritten.unwrap_or_else(|| raw.to_owned());
    let valid = is_valid_international(&number);
    Rewrite { number, changed, valid }
}

/// A channel's number as its international digits (`79865784457`), when it
/// is valid: written with `+` and the country code, or the way Wazzup shows
/// numbers, the same digits without `+` (`79865784457`).
pub fn channel_number(written: &str) -> Option<String> {
    let number = match bare_digits(written) {
        Some(digits) => format!("+{digits}"),
        None => written.trim().to_owned(),
    };
    international(&number)
        .filter(|(code, national)| is_valid_national(*code, national))
        .map(|(code, national)| format!("{code}{national}"))
}

/// For a channel number that is not valid: the number the writer most
/// likely meant, in international form, when one is valid. A Russian
/// national number (`8 986 ...`, or ten digits without the 8) gets `+7`.
pub fn likely_meant(written: &str) -> Option<String> {
    let digits = bare_digits(written)?;
    let candidate = match digits.len() {
        11 if digits.starts_with('8') => format!("+7{}", &digits[1..]),
        10 => format!("+7{digits}"),
        _ => return None,
    };
    is_valid_international(&candidate).then_some(candidate)
}

/// Whether `number` is a valid number in international form (`+CC...`).
pub fn is_valid_international(number: &str) -> bool {
    international(number).is_some_and(|(code, national)| is_valid_national(code, &national))
}

/// A number in international form (`+CC...`) as its calling code and
/// national number, as written: `+`, digits and separators are read here;
/// any other form by the crate's parser.
///
/// After `+CC` there is no trunk prefix to strip, but phonenumber 0.3.10
/// strips RU's 8 even there (`+7 800 555-35-35` would read as national
/// `005553535`): when its parser dropped digits, the digits written count.
fn international(number: &str) -> Option<(u16, String)> {
    if let Some(digits) = number.trim().strip_prefix('+').and_then(bare_digits) {
        let (code, national) = split_calling_code(&digits)?;
        return national_number(national).then(|| (code, national.to_owned()));
    }
    let db = database_for(number)?;
    let parsed = phonenumber::parse_with(db, None, number).ok()?;
    let code = parsed.code().value();
    let national = parsed.national().to_string();
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let written = digits.strip_prefix(&code.to_string())?;
    if parsed.extension().is_some() || national == written {
        return Some((code, national));
    }
    national_number(written).then(|| (code, written.to_owned()))
}

/// Whether the crate can hold `digits` as a national number: 2 to 17 digits,
/// not all zeros, below 2^56.
fn national_number(digits: &str) -> bool {
    (2..=17).contains(&digits.len())
        && digits.bytes().any(|b| b != b'0')
        && digits.parse::<u64>().is_ok_and(|value| value < 1 << 56)
}

/// When the rewrite would turn a valid `+8x` number (Japan, China, Korea,
/// ...) written without `+` into an invalid Russian one: the region it
/// really is. A number valid both ways (`8 495 ...` is Moscow, and also a
/// valid Vietnamese +84 number) is taken for the Russian one it most likely
/// is, and not reported.
pub fn mangled_region(raw: &str) -> Option<String> {
    let digits = bare_digits(raw)?;
    if !(digits.len() == 11 && digits.starts_with('8')) || to_international(raw).valid {
        return None;
    }
    let (code, national) = international(&format!("+{digits}"))?;
    if !is_valid_national(code, &national) {
        return None;
    }
    // The territory whose numbering plan the number belongs to (+7: RU or KZ).
    let mut territories: Vec<&Plan> = plans(code).into_iter().filter(|p| p.general.is_match(&national)).collect();
    territories.sort_by_key(|p| (!p.main, p.id));
    Some(territories.first().map_or_else(|| format!("+{code}"), |p| p.id.to_owned()))
}

/// The country calling code of an ISO 3166-1 alpha-2 region, when
/// libphonenumber knows the region.
pub fn calling_code(region: &str) -> Option<u16> {
    let at = REGIONS.binary_search_by(|(id, _)| id.as_slice().cmp(region.as_bytes())).ok()?;
    Some(REGIONS[at].1)
}

/// Every region libphonenumber knows, for suggestions (sorted).
pub fn regions() -> impl Iterator<Item = &'static str> {
    regions_and_codes().map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wazzup_digits_read_as_international() {
        assert_eq!(channel_number("79865784457").as_deref(), Some("79865784457"));
        assert_eq!(channel_number("+7 986 578-44-57").as_deref(), Some("79865784457"));
        assert_eq!(channel_number("+7 800 555-35-35").as_deref(), Some("78005553535"));
        assert_eq!(channel_number("89865784457"), None);
        assert_eq!(likely_meant("89865784457").as_deref(), Some("+79865784457"));
        assert_eq!(likely_meant("9865784457").as_deref(), Some("+79865784457"));
        assert_eq!(likely_meant("12"), None);
    }

    #[test]
    fn trunk_prefix_numbers_become_plus_seven() {
        let r = to_international("88005553535");
        assert_eq!(r, Rewrite { number: "+78005553535".into(), changed: true, valid: true });
        let r = to_international("8 912 345-67-89");
        assert_eq!(r.number, "+79123456789");
        assert!(r.changed && r.valid);
    }

    #[test]
    fn international_numbers_keep_their_digits() {
        for ok in ["+7 800 555-35-35", "+78005553535", "+7 999 000-00-01", "+81 3-1234-5678"] {
            assert!(is_valid_international(ok), "{ok}");
        }
        for bad in ["+71312345678", "+7 999", "89123456789", "+7 abc"] {
            assert!(!is_valid_international(bad), "{bad}");
        }
    }

    #[test]
    fn japanese_number_is_mangled_into_an_invalid_one() {
        let r = to_international("81312345678");
        assert_eq!(r.number, "+71312345678");
        assert!(r.changed);
        assert!(!r.valid, "+7 131... is not a valid number");
        assert_eq!(mangled_region("81312345678").as_deref(), Some("JP"));
    }

    #[test]
    fn everything_else_is_untouched() {
        for raw in ["+79123456789", "9123456789", "891234567", "8912345678901", "8-abc-1234567", ""] {
            let r = to_international(raw);
            assert_eq!(r.number, raw);
            assert!(!r.changed);
        }
        assert_eq!(mangled_region("89123456789"), None, "an ordinary Russian mobile");
        assert_eq!(mangled_region("8 (495) 123-45-67"), None, "Moscow, though also valid as +84 (Vietnam)");
    }

    /// The crate's verdict, with its built-in database, on a national
    /// number of a calling code.
    fn crate_verdict(code: u16, national: &str) -> bool {
        let zeros = national.bytes().take_while(|&b| b == b'0').count();
        let Some(national) = national.parse().ok().and_then(|v| phonenumber::NationalNumber::new(v, zeros as u8).ok())
        else {
            return false;
        };
        // PhoneNumber has no public constructor; its serde form is the stable way in.
        let number = serde_json::json!({
            "code": { "value": code, "source": "plus" },
            "national": national,
            "extension": null,
            "carrier": null,
        });
        phonenumber::is_valid(&serde_json::from_value(number).expect("PhoneNumber's serde form"))
    }

    /// Every example number of every territory, as (calling code, national number).
    static EXAMPLES: LazyLock<Vec<(u16, String)>> = LazyLock::new(|| {
        let codes: std::collections::BTreeSet<u16> = TERRITORIES.iter().map(|(_, c, _)| *c).collect();
        let mut examples = Vec::new();
        for meta in codes.into_iter().flat_map(territories) {
            let code = meta.country_code.unwrap_or_default();
            let descriptors = [&meta.fixed_line, &meta.mobile, &meta.toll_free, &meta.premium_rate, &meta.voip];
            for example in descriptors.into_iter().flatten().filter_map(|d| d.example.clone()) {
                examples.push((code, example));
            }
        }
        examples
    });

    /// The vendored metadata is the crate's: same regions, same calling
    /// codes, and every example number valid for both.
    #[test]
    fn vendored_metadata_agrees_with_the_crate_database() {
        use phonenumber::metadata::DATABASE;
        let builtin: HashMap<&str, u16> = DATABASE
            .iter()
            .map(|m| (m.id(), m.country_code()))
            .filter(|(id, _)| id.len() == 2 && id.chars().all(|c| c.is_ascii_uppercase()))
            .collect();
        assert_eq!(regions_and_codes().collect::<HashMap<_, _>>(), builtin);
        assert!(REGIONS.is_sorted(), "calling_code searches the regions by id");
        assert_eq!(calling_code("RU"), Some(7));
        assert_eq!(calling_code("ru"), None);
        let examples = &*EXAMPLES;
        for (code, national) in examples {
            let number = format!("+{code}{national}");
            assert!(is_valid_international(&number), "{number}: an example number reads invalid");
            assert!(crate_verdict(*code, national), "{number}: the built-in database disagrees");
        }
        assert!(examples.len() > 800, "only {} example numbers", examples.len());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// The compiled automata give the crate's verdict on numbers near
        /// the valid ones: an example number with digits changed, inserted,
        /// removed, or its calling code swapped.
        #[test]
        fn automata_agree_with_the_crate(
            pick in proptest::prelude::any::<proptest::sample::Index>(),
            other_code in proptest::prelude::any::<proptest::sample::Index>(),
            edits in proptest::collection::vec((0u8..4, proptest::prelude::any::<proptest::sample::Index>(), 0u8..10), 0..3),
        ) {
            let examples = &*EXAMPLES;
            let (mut code, national) = examples[pick.index(examples.len())].clone();
            let mut digits = national.into_bytes();
            for (kind, at, digit) in edits {
                let digit = b'0' + digit;
                match kind {
                    0 if !digits.is_empty() => { let i = at.index(digits.len()); digits[i] = digit; }
                    1 => { let i = at.index(digits.len() + 1); digits.insert(i, digit); }
                    2 if !digits.is_empty() => { digits.remove(at.index(digits.len())); }
                    _ => code = examples[other_code.index(examples.len())].0,
                }
            }
            let national = String::from_utf8(digits).expect("digits");
            let expected = national_number(&national) && crate_verdict(code, &national);
            proptest::prop_assert_eq!(is_valid_national(code, &national) && national_number(&national), expected, "+{} {}", code, national);
            proptest::prop_assert_eq!(is_valid_international(&format!("+{code} {national}")), expected);
        }
    }

    #[test]
    fn other_forms_go_through_the_crate_parser() {
        assert!(is_valid_international("+7 999 000-00-01 ext. 5"), "an extension is the crate's to read");
        assert!(!is_valid_international("+7 999 000-00-0x"));
        assert_eq!(international("+7 (800) 555-35-35"), Some((7, "8005553535".to_owned())));
        assert_eq!(international("+7"), None);
    }

    #[test]
    fn regions_and_calling_codes() {
        assert_eq!(calling_code("RU"), Some(7));
        assert_eq!(calling_code("JP"), Some(81));
        assert_eq!(calling_code("XX"), None);
        assert_eq!(calling_code("ru"), None);
        assert!(regions().any(|r| r == "KZ"));
    }
}
