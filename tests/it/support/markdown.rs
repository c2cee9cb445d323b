//! Markdown as the documentation tests read it: each line with the fenced
//! block it stands in, and the blocks of a tag.

/// Each line but the fences, with the fenced block it stands in (its
/// number and tag). Fences are lines starting with three backticks.
fn scan(text: &str) -> Vec<(Option<(usize, &str)>, &str)> {
    let (mut lines, mut fence, mut count) = (Vec::new(), None, 0);
    for line in text.lines() {
        match (line.strip_prefix("```"), fence) {
            (Some(tag), None) => {
                fence = Some((count, tag));
                count += 1;
            }
            (Some(_), Some(_)) => fence = None,
            (None, _) => lines.push((fence, line)),
        }
    }
    lines
}

/// Each line of `text` but the fences, with the tag of the fenced block it
/// stands in: `None` outside any, `Some("")` in an untagged one.
pub(crate) fn fenced(text: &str) -> Vec<(Option<&str>, &str)> {
    scan(text).into_iter().map(|(fence, line)| (fence.map(|(_, tag)| tag), line)).collect()
}

/// The text of every block fenced with `tag`, in order, each line ending
/// with a line break.
pub(crate) fn blocks(text: &str, tag: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for (fence, line) in scan(text) {
        let Some((number, _)) = fence.filter(|(_, t)| *t == tag) else { continue };
        if found.last().is_none_or(|(n, _)| *n != number) {
            found.push((number, String::new()));
        }
        found.last_mut().expect("a block").1.push_str(&format!("{line}\n"));
    }
    found.into_iter().map(|(_, block)| block).collect()
}
