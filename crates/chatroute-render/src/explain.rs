//! `chatroute explain` for a terminal: a code's section of
//! diagnostics.md without its Markdown. The heading stands out (bold on a
//! terminal), examples are indented four spaces under a blank line, and
//! inline code and emphasis lose their markers (code shows bold on a
//! terminal).

const BOLD: &str = "\u{1b}[1m";
const RESET: &str = "\u{1b}[0m";

/// The explanation as terminal text; `styled`: with ANSI bold.
pub fn terminal(markdown: &str, styled: bool) -> String {
    let bold = |text: &str| if styled { format!("{BOLD}{text}{RESET}") } else { text.to_owned() };
    let mut out = String::new();
    // A paragraph's lines, rendered together: inline code may span a line
    // break.
    let mut paragraph = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        let plain = !in_code && !line.starts_with("```") && !line.starts_with('#') && !line.is_empty();
        if plain {
            paragraph.push_str(line);
            paragraph.push('\n');
            continue;
        }
        out.push_str(&inline(&std::mem::take(&mut paragraph), &bold));
        if line.starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            out.push_str(&format!("    {line}\n"));
        } else if let Some(heading) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            let heading = inline(heading, &bold);
            out.push_str(&format!("{}\n{}\n", bold(&heading), "=".repeat(heading.chars().count())));
        } else {
            out.push('\n');
        }
    }
    out.push_str(&inline(&paragraph, &bold));
    out
}

/// A paragraph's inline Markdown: `code` and **strong** made bold (or plain),
/// *emphasis* plain.
fn inline(line: &str, bold: &impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(['`', '*']) {
        out.push_str(&rest[..at]);
        let marker = if rest[at..].starts_with("**") { "**" } else { &rest[at..at + 1] };
        let after = &rest[at + marker.len()..];
        match after.find(marker) {
            Some(end) if end > 0 => {
                let inner = &after[..end];
                out.push_str(&if marker == "*" { inner.to_owned() } else { bold(inner) });
                rest = &after[end + marker.len()..];
            }
            _ => {
                out.push_str(marker);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::terminal;

    #[test]
    fn markdown_becomes_terminal_text() {
        let md = "## CR001: TOML syntax error\n\nThe `[integration]` table, **twice**, *here*.\n\n```toml\n[integration\n```\n\nA lone * stays; `code\nacross` lines.";
        let plain = terminal(md, false);
        assert_eq!(
            plain,
            "CR001: TOML syntax error\n========================\n\nThe [integration] table, twice, here.\n\n    [integration\n\nA lone * stays; code\nacross lines.\n"
        );
        let styled = terminal(md, true);
        assert!(styled.contains("\u{1b}[1m[integration]\u{1b}[0m"), "{styled}");
    }
}
