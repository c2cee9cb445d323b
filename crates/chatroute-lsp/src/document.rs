//! One analysis of one version of a document: its check and everything
//! the features read, computed once (on the analysis thread), so no
//! request parses the text again.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use chatroute_check::check::{Accounts, Checked, check};
use chatroute_check::crm::Snapshot;
use chatroute_check::diagnostics::Code;
use chatroute_check::spec::Spec;
use chatroute_check::wazzup::WazzupSnapshot;
use toml::de::DeTable;

use super::analysis::{self, Items, Occurrence, Symbol};
use super::position::{Encoding, LineStarts, Lines};

use crate::i18n::t;

/// The account snapshots named in the client's initialization options
/// (`crmSnapshot`, `wazzupSnapshot`); without them, the files beside the
/// spec (`chatroute.crm.json`, `chatroute.wazzup.json`).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub crm: Option<PathBuf>,
    pub wazzup: Option<PathBuf>,
}

/// An inlay hint: where, what, why.
pub struct Hint {
    pub offset: usize,
    pub label: String,
    pub tooltip: String,
}

pub struct Document {
    /// Which text of the session this is (the server's count over every
    /// document) and the client's version.
    pub generation: u64,
    pub version: i32,
    pub text: String,
    pub line_starts: LineStarts,
    pub checked: Checked,
    pub crm: Option<Snapshot>,
    /// Every place a handle is written, from what the text still parses
    /// (unclosed delimiters' tables blanked, offsets kept: `recover`).
    pub occurrences: Vec<Occurrence>,
    /// Every key and scalar value with its path.
    pub items: Items,
    pub outline: Vec<Symbol>,
    pub hints: Vec<Hint>,
    /// The spec as this version reads (rule errors or not), else as the
    /// last version that did (`Server` carries it over): what hover and
    /// completion use while the current text is broken.
    pub spec: Option<Spec>,
    /// Whether the text is a chatroute spec (`source::is_spec`). Editors
    /// attach the server to TOML files at large; a file that is not a spec
    /// (Cargo.toml, pyproject.toml) gets no diagnostics and no answers.
    pub is_spec: bool,
}

impl Document {
    pub fn spec(&self) -> Option<&Spec> {
        self.spec.as_ref()
    }

    /// The text's positions in `encoding`.
    pub fn lines(&self, encoding: Encoding) -> Lines<'_> {
        Lines::new(&self.text, &self.line_starts, encoding)
    }
}

/// Checks one version of the document at `uri` and reads what the
/// features need from it.
pub fn analyze(uri: &str, generation: u64, version: i32, text: String, settings: &Settings) -> Document {
    let path = super::file_path(uri);
    let crm = snapshot_for(&path, &settings.crm, "chatroute.crm.json", |p| Snapshot::load(p).ok());
    let wazzup = snapshot_for(&path, &settings.wazzup, "chatroute.wazzup.json", |p| WazzupSnapshot::load(p).ok());
    let accounts = Accounts { crm: crm.as_ref(), wazzup: wazzup.as_ref() };
    let mut checked = check(&path, text.clone().into_bytes(), accounts);
    let is_spec = chatroute_check::source::is_spec(&text);
    if !is_spec {
        checked.diagnostics.clear();
    }
    // Only a syntax error can leave a delimiter unclosed: a file that
    // parsed is read as it is, without scanning it a second time.
    let syntax = checked.diagnostics.iter().any(|d| d.code == Code::Syntax);
    let readable = if syntax { chatroute_check::recover::readable(&text).0 } else { Cow::Borrowed(text.as_str()) };
    let root = DeTable::parse_recoverable(&readable).0;
    let root = root.get_ref();
    let occurrences = analysis::occurrences(root);
    let items = Items::new(root);
    let outline = analysis::outline(root);
    let hints = hints(root);
    // The features read the spec from here; `checked` need not keep it.
    let spec = checked.spec.take().or_else(|| checked.pruned.take()).or_else(|| toml::from_str(&text).ok());
    let line_starts = LineStarts::of(&text);
    Document { generation, version, text, line_starts, checked, crm, occurrences, items, outline, hints, spec, is_spec }
}

/// Each round-robin member's share of new deals, and the level an access
/// entry without one has.
fn hints(root: &DeTable<'_>) -> Vec<Hint> {
    let (share, level) = (t!("hint-share"), t!("hint-level"));
    let shares =
        analysis::member_shares(root).into_iter().map(|(offset, label)| Hint { offset, label, tooltip: share.clone() });
    let levels = analysis::implied_levels(root).into_iter().map(|(offset, label)| Hint {
        offset,
        label,
        tooltip: level.clone(),
    });
    shares.chain(levels).collect()
}

/// An account snapshot: the one of the settings, else `file` beside the
/// spec (none when neither reads).
fn snapshot_for<T>(spec: &str, setting: &Option<PathBuf>, file: &str, load: impl Fn(&Path) -> Option<T>) -> Option<T> {
    let beside = || Path::new(spec).parent().map(|d| d.join(file));
    let path = setting.clone().or_else(beside)?;
    load(&path)
}
