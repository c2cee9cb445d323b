//! Phone numbers: the channel-number check, client regions and the
//! 8 -> +7 rewrite, all on libphonenumber data (the `phonenumber` crate).
//!
//! The crate's built-in database compiles every region's patterns on first
//! use (about 0.13 s). Here the same metadata (data/PhoneNumberMetadata.xml,
//! see data/README.md) is loaded with the crate's loader, and the crate's
//! `Database` is built per calling code, only for the codes a number uses.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use phonenumber::metadata::{Database, loader};
use phonenumber::{NationalNumber, PhoneNumber};

// `TERRITORIES`: the metadata split by territory at build time (build.rs).
include!(concat!(env!("OUT_DIR"), "/phone_territories.rs"));

/// Calling code of each region (ISO 3166-1 alpha-2; not the non-geographic "001").
static REGIONS: LazyLock<HashMap<&'static str, u16>> = LazyLock::new(|| {
    TERRITORIES
        .iter()
        .map(|(id, code, _)| (*id, *code))
        .filter(|(id, _)| id.len() == 2 && id.chars().all(|c| c.is_ascii_uppercase()))
        .collect()
});

/// The parsed metadata of the territories with this calling code.
fn territories(code: u16) -> Vec<loader::Metadata> {
    let elements: String = TERRITORIES.iter().filter(|(_, c, _)| *c == code).map(|(_, _, xml)| *xml).collect();
    if elements.is_empty() {
        return Vec::new();
    }
    let document = format!("<phoneNumberMetadata><territories>{elements}</territories></phoneNumberMetadata>");
    loader::load(std::io::Cursor::new(document)).expect("the vendored libphonenumber metadata loads")
}

/// Loads the metadata most specs need (+7), so that a caller can have it
/// loaded on a thread of its own while files are parsed.
pub fn warm_up() {
    database(7);
}

/// The database of one calling code, built on first use and kept; `None`
/// (also kept) for a code no territory has.
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

/// The database of the calling code a `+...` number starts with.
fn database_for(number: &str) -> Option<&'static Database> {
    let digits: String = number.trim_start().strip_prefix('+')?.chars().filter(char::is_ascii_digit).take(3).collect();
    (1..=digits.len()).find_map(|len| database(digits[..len].parse().ok()?))
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
    let international = match bare_digits(written) {
        Some(digits) => format!("+{digits}"),
        None => written.trim().to_owned(),
    };
    parse_international(&international)
        .filter(|(n, db)| phonenumber::is_valid_with(db, n))
        .map(|(n, _)| format!("{}{}", n.code().value(), n.national()))
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
    parse_international(number).is_some_and(|(n, db)| phonenumber::is_valid_with(db, &n))
}

/// Parses a number written with `+` and the country code.
///
/// phonenumber 0.3.10 strips RU's trunk prefix 8 even after `+7`, so
/// `+7 800 555-35-35` parses as national `005553535` and reads invalid.
/// After `+CC` there is no trunk prefix to strip, so when the parser dropped
/// digits the number is rebuilt from exactly the digits that were written.
fn parse_international(number: &str) -> Option<(PhoneNumber, &'static Database)> {
    let db = database_for(number)?;
    let parsed = phonenumber::parse_with(db, None, number).ok()?;
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let written = digits.strip_prefix(&parsed.code().value().to_string())?;
    if parsed.extension().is_some() || parsed.national().to_string() == written {
        return Some((parsed, db));
    }
    let zeros = u8::try_from(written.chars().take_while(|&c| c == '0').count()).ok()?;
    let national = NationalNumber::new(written.parse().ok()?, zeros).ok()?;
    // PhoneNumber has no public constructor; its serde form is the stable way in.
    let mut json = serde_json::to_value(&parsed).ok()?;
    json["national"] = serde_json::to_value(national).ok()?;
    Some((serde_json::from_value(json).ok()?, db))
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
    let (number, db) = parse_international(&format!("+{digits}"))?;
    if !phonenumber::is_valid_with(db, &number) {
        return None;
    }
    // The territory whose numbering plan the number belongs to (+7: RU or KZ).
    let national = number.national().to_string();
    let mut territories: Vec<_> = db.iter().filter(|m| m.descriptors().general().is_match(&national)).collect();
    territories.sort_by_key(|m| (!m.is_main_country_for_code(), m.id()));
    Some(territories.first().map_or_else(|| format!("+{}", number.code().value()), |m| m.id().to_owned()))
}

/// The country calling code of an ISO 3166-1 alpha-2 region, when
/// libphonenumber knows the region.
pub fn calling_code(region: &str) -> Option<u16> {
    REGIONS.get(region).copied()
}

/// Every region libphonenumber knows, for suggestions (sorted).
pub fn regions() -> impl Iterator<Item = &'static str> {
    let mut ids: Vec<&'static str> = REGIONS.keys().copied().collect();
    ids.sort_unstable();
    ids.into_iter()
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

    /// The vendored metadata is the crate's: same regions, same calling
    /// codes, same verdict on every example number of every region.
    #[test]
    fn vendored_metadata_agrees_with_the_crate_database() {
        use phonenumber::metadata::DATABASE;
        let builtin: HashMap<&str, u16> = DATABASE
            .iter()
            .map(|m| (m.id(), m.country_code()))
            .filter(|(id, _)| id.len() == 2 && id.chars().all(|c| c.is_ascii_uppercase()))
            .collect();
        assert_eq!(*REGIONS, builtin);
        let mut checked = 0;
        let codes: std::collections::BTreeSet<u16> = TERRITORIES.iter().map(|(_, c, _)| *c).collect();
        for meta in codes.into_iter().flat_map(territories) {
            let code = meta.country_code.unwrap_or_default();
            let descriptors = [&meta.fixed_line, &meta.mobile, &meta.toll_free, &meta.premium_rate, &meta.voip];
            for example in descriptors.into_iter().flatten().filter_map(|d| d.example.as_deref()) {
                let number = format!("+{code}{example}");
                let (parsed, db) = parse_international(&number).unwrap_or_else(|| panic!("{number} does not parse"));
                assert!(phonenumber::is_valid_with(db, &parsed), "{number}: an example number reads invalid");
                assert!(phonenumber::is_valid(&parsed), "{number}: the built-in database disagrees");
                checked += 1;
            }
        }
        assert!(checked > 800, "only {checked} example numbers");
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
