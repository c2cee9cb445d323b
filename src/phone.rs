//! Phone numbers: the channel-number check, client regions and the
//! 8 -> +7 rewrite, all on libphonenumber data (the `phonenumber` crate).

use phonenumber::metadata::DATABASE;

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
    let rewritten = bare_digits(raw)
        .filter(|d| d.len() == 11 && d.starts_with('8'))
        .map(|d| format!("+7{}", &d[1..]));
    let changed = rewritten.is_some();
    let number = rewritten.unwrap_or_else(|| raw.to_owned());
    let valid = is_valid_international(&number);
    Rewrite {
        number,
        changed,
        valid,
    }
}

/// Whether `number` is a valid number in international form (`+CC...`).
pub fn is_valid_international(number: &str) -> bool {
    number.trim_start().starts_with('+')
        && phonenumber::parse(None, number).is_ok_and(|n| phonenumber::is_valid(&n))
}

/// When the rewrite would turn a valid `+8x` number (Japan, China, Korea,
/// ...) written without `+` into a Russian one: the region it really is.
pub fn mangled_region(raw: &str) -> Option<String> {
    let digits = bare_digits(raw)?;
    if !(digits.len() == 11 && digits.starts_with('8')) {
        return None;
    }
    let number = phonenumber::parse(None, format!("+{digits}")).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.country().id().map_or_else(
        || format!("+{}", number.code().value()),
        |id| format!("{id:?}"),
    ))
}

/// The country calling code of an ISO 3166-1 alpha-2 region, when
/// libphonenumber knows the region.
pub fn calling_code(region: &str) -> Option<u16> {
    if region.len() != 2 || !region.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    DATABASE.by_id(region).map(|m| m.country_code())
}

/// Every region libphonenumber knows, for suggestions.
pub fn regions() -> impl Iterator<Item = &'static str> {
    DATABASE
        .iter()
        .map(|m| m.id())
        .filter(|id| id.len() == 2 && id.chars().all(|c| c.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_prefix_numbers_become_plus_seven() {
        let r = to_international("88005553535");
        assert_eq!(
            r,
            Rewrite {
                number: "+78005553535".into(),
                changed: true,
                valid: true
            }
        );
        let r = to_international("8 912 345-67-89");
        assert_eq!(r.number, "+79123456789");
        assert!(r.changed && r.valid);
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
        for raw in [
            "+79123456789",
            "9123456789",
            "891234567",
            "8912345678901",
            "8-abc-1234567",
            "",
        ] {
            let r = to_international(raw);
            assert_eq!(r.number, raw);
            assert!(!r.changed);
        }
        assert_eq!(
            mangled_region("89123456789"),
            None,
            "an ordinary Russian mobile"
        );
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
