//! User text that reaches a terminal, a CI log or a key: what may be printed
//! as it is, and which identifiers the format accepts.
//!
//! A spec or table is untrusted input. Its text is printed by every
//! reporter and by `diff`/`route`, where a raw control character can
//! rewrite the terminal or start a GitHub workflow command, and a bidi
//! override can make a line read differently from what it is.

use std::borrow::Cow;

/// Characters that change how the rest of a line is shown: C0 and C1
/// controls (tab, newline and carriage return excepted when `keep_lines`)
/// and the Unicode bidi overrides and isolates.
fn hides_text(c: char, keep_lines: bool) -> bool {
    (c.is_control() && !(keep_lines && matches!(c, '\t' | '\n' | '\r')))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `text` has a character that `hides_text`, read from its UTF-8
/// bytes rather than decoded: C0 controls and DEL are single bytes, C1
/// controls are 0xC2 0x80-0x9F, the bidi characters 0xE2 0x80 0xAA-0xAE
/// and 0xE2 0x81 0xA6-0xA9 (0xC2 and 0xE2 only ever lead a character).
fn hides_any(text: &str, keep_lines: bool) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => !keep_lines,
        0..0x20 | 0x7f => true,
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// `text` with every control or bidi character written as an escape
/// (`\u{1b}`), so it prints on one line exactly as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !hides_any(text, false) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hides_text(c, false) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A source text safe to show with its lines: each hiding character becomes
/// a visible one of the same UTF-8 length (`?`, `¿`, `�`), so byte offsets
/// and column counts stay exactly those of the file.
pub fn printable_source(text: &str) -> Cow<'_, str> {
    if !hides_any(text, true) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c.len_utf8() {
                _ if !hides_text(c, true) => c,
                1 => '?',
                2 => '¿',
                _ => '\u{FFFD}',
            })
            .collect(),
    )
}

/// Longest employee handle or channel id.
pub const MAX_IDENTIFIER: usize = 64;

/// Whether `id` may be an employee handle or a channel id: 1 to 64 letters,
/// digits, `_`, `-` and `.`, starting with a letter or digit. Ids become
/// parts of state keys (`account:channel`) and are printed in CI logs, so
/// `:`, spaces, `%`, `,` and controls are out.
pub fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(char::is_alphanumeric)
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && id.chars().count() <= MAX_IDENTIFIER
}

/// Whether `account` is an amoCRM subdomain: 1 to 63 lowercase ASCII
/// letters, digits and hyphens, not starting or ending with a hyphen. It
/// becomes a host name and the namespace of every state key.
pub fn is_subdomain(account: &str) -> bool {
    (1..=63).contains(&account.len())
        && account.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !account.starts_with('-')
        && !account.ends_with('-')
}

/// `%XX` escapes decoded (URLs' user and password, `file://` paths);
/// `None` for a broken escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi_only() {
        assert_eq!(printable("Иван Petrov"), "Иван Petrov");
        assert_eq!(printable("a\n::warning::x"), "a\\u{a}::warning::x");
        assert_eq!(printable("\u{1b}[31m"), "\\u{1b}[31m");
        assert_eq!(printable("x\u{202E}y"), "x\\u{202e}y");
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_hiding_characters() {
        let every: Vec<char> = (0..=0x3000).chain([0x10FFFF]).filter_map(char::from_u32).collect();
        for keep_lines in [false, true] {
            for c in &every {
                let text = format!("ab «{c}» где");
                let decoded = text.chars().any(|c| hides_text(c, keep_lines));
                assert_eq!(hides_any(&text, keep_lines), decoded, "{c:?} keep_lines={keep_lines}");
            }
        }
    }

    #[test]
    fn printable_source_keeps_offsets() {
        let text = "a\u{1b}b\u{85}c\u{202E}d\n\te";
        let shown = printable_source(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown, "a?b¿c\u{FFFD}d\n\te");
    }

    #[test]
    fn identifiers() {
        for ok in ["bruce", "wa-retail", "ig.art", "иван", "a1_b", "0"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "-x", "a:b", "a b", "a\nb", "a,b", "a%b", &"x".repeat(65)] {
            assert!(!is_identifier(bad), "{bad:?}");
        }
    }

    #[test]
    fn subdomains() {
        for ok in ["acme", "a-1", "x"] {
            assert!(is_subdomain(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "Acme", "127.0.0.2:9999#", "a.b", "a/b", &"a".repeat(64)] {
            assert!(!is_subdomain(bad), "{bad:?}");
        }
    }
}
