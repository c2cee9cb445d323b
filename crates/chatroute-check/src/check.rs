//! The `check` pipeline for one file: read -> parse -> typed spec (a file
//! the strict reading refuses: JSON twin -> schema -> pruned typed spec) ->
//! rules, collecting every diagnostic on the way.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use foldhash::HashSet;
use serde_json::Value;

use crate::diagnostics::{self, Diagnostic, Severity};
use crate::parse::{self, Locator};
use crate::source::SourceFile;
use crate::spec::Spec;
use crate::{rules, schema, typed};

/// Everything `check` learnt about one file.
#[derive(Debug)]
pub struct Checked {
    pub source: SourceFile,
    /// All problems, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed spec, when the file is free of errors.
    pub spec: Option<Spec>,
    /// The spec the rules read in a file with errors: the file's, without
    /// the values the schema refused (an unknown key, a wrong type). The
    /// editor's hover and completion read it; nothing compiles from it.
    /// `None` after a syntax error, or when the file is free of errors.
    pub pruned: Option<Spec>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        has_errors(&self.diagnostics)
    }
}

pub use crate::accounts::Accounts;

/// Checks one file's bytes (named `name` in diagnostics), against the
/// accounts' snapshots when given (`Accounts::default()`: none).
pub fn check(name: &str, bytes: Vec<u8>, accounts: Accounts<'_>) -> Checked {
    check_inner(name, bytes, accounts, None::<fn(&Spec)>).0
}

/// Checks one file's bytes and, when it has no errors, does `then` with its
/// typed spec (`compile::from_source`: the table). On a large file `then`
/// runs on this core while the rules run on another; its result is dropped
/// if they find an error.
pub(crate) fn check_then<R>(
    name: &str,
    bytes: Vec<u8>,
    accounts: Accounts<'_>,
    then: impl FnOnce(&Spec) -> R,
) -> (Checked, Option<R>) {
    check_inner(name, bytes, accounts, Some(then))
}

fn check_inner<R>(
    name: &str,
    bytes: Vec<u8>,
    accounts: Accounts<'_>,
    then: Option<impl FnOnce(&Spec) -> R>,
) -> (Checked, Option<R>) {
    let (source, refused) = parse::read_source(name, bytes);
    if let Some(diag) = refused {
        return (Checked { source, diagnostics: vec![diag], spec: None, pruned: None }, None);
    }
    // A large file's `then` runs beside the rules; a small file's after
    // the check, when the parsed tree's memory is free to reuse.
    let (beside, after) = match then {
        Some(then) if source.text.len() >= LARGE_FILE => (Some(then), None),
        then => (None, then),
    };
    let (mut diagnostics, spec, done) = check_text(&source.text, accounts, beside);
    diagnostics::sort(&mut diagnostics);
    let clean = !has_errors(&diagnostics);
    let (spec, pruned) = if clean { (spec, None) } else { (None, spec) };
    let done = done.filter(|_| clean).or_else(|| Some(after?(spec.as_ref()?)));
    (Checked { source, diagnostics, spec, pruned }, done)
}

/// From this size on, `then` runs beside the rules on a second core; below
/// it a thread costs more than it saves.
const LARGE_FILE: usize = 256 * 1024;

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Checks a spec's text; syntax errors leave only the tables that read
/// cleanly to the later stages (`broken`), schema errors only remove the
/// values they condemn from the rules' view. `beside` runs on the typed
/// spec while the rules run on a second core.
fn check_text<R>(
    text: &str,
    accounts: Accounts<'_>,
    beside: Option<impl FnOnce(&Spec) -> R>,
) -> (Vec<Diagnostic>, Option<Spec>, Option<R>) {
    match parse::parse(text) {
        Ok(root) => check_tree(&root, accounts, beside),
        Err(broken) => (self::broken(broken, accounts), None, None),
    }
}

/// A file with syntax errors: those, and of what the rest of it says, only
/// what the tables read alone decide (`Code::is_local`): a rule that needs
/// a broken table stays quiet rather than report a problem that is not
/// there.
fn broken(broken: parse::Broken, accounts: Accounts<'_>) -> Vec<Diagnostic> {
    let mut diagnostics = broken.diagnostics;
    match parse::parse(&broken.rest) {
        Ok(root) => {
            let (found, _, _) = check_tree(&root, accounts, None::<fn(&Spec)>);
            diagnostics.extend(found.into_iter().filter(|d| d.code.is_local()));
        }
        // Integers TOML forbids are only found in a text that parses: the
        // rest's are reported too, their tables set aside in turn.
        Err(more) if more.parsed => diagnostics.extend(self::broken(more, accounts)),
        // Blanking the broken tables leaves TOML; if it did not, nothing more is said.
        Err(_) => {}
    }
    diagnostics
}

fn check_tree<'t, R>(
    root: &'t toml::Spanned<toml::de::DeTable<'t>>,
    accounts: Accounts<'_>,
    beside: Option<impl FnOnce(&Spec) -> R>,
) -> (Vec<Diagnostic>, Option<Spec>, Option<R>) {
    let loc = Locator::new(root);
    // A file the schema accepts reads straight into the typed spec; only a
    // file with problems needs the JSON twin and the schema to explain them.
    if let Some(spec) = typed::read(root) {
        let handles: HashSet<String> = spec.employees.keys().cloned().collect();
        let rules = || run_rules(&spec, loc, &handles, accounts);
        let (diagnostics, done) = match beside {
            Some(then) => std::thread::scope(|scope| {
                let rules = scope.spawn(rules);
                let done = then(&spec);
                (rules.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), Some(done))
            }),
            None => (rules(), None),
        };
        return (diagnostics, Some(spec), done);
    }
    let json = parse::to_json(root.get_ref());
    let report = schema::validate(&json, loc);
    let mut diagnostics = report.diagnostics;
    let handles: HashSet<String> =
        json.get("employees").and_then(Value::as_object).map(|e| e.keys().cloned().collect()).unwrap_or_default();
    let spec = typed(&json, &report.invalid, loc, &mut diagnostics);
    if let Some(spec) = &spec {
        diagnostics.extend(run_rules(spec, loc, &handles, accounts));
    }
    let done = match (&spec, beside) {
        (Some(spec), Some(then)) if !has_errors(&diagnostics) => Some(then(spec)),
        _ => None,
    };
    (diagnostics, spec, done)
}

/// Every rule's diagnostics, the phone checks last.
fn run_rules(spec: &Spec, loc: Locator<'_>, handles: &HashSet<String>, accounts: Accounts<'_>) -> Vec<Diagnostic> {
    let (mut found, phone_facts) = rules::run(spec, loc, handles, accounts);
    found.extend(rules::phones::check(&phone_facts));
    found
}

/// Reads the typed spec without the values the schema condemned. When a
/// removed value was required, the table that needed it goes too, so the
/// rules still see every part of the file that is sound. A value the schema
/// let through but the types cannot hold (`weight = 3.0`: JSON Schema counts
/// 3.0 as an integer) is removed too, and reported: nothing is dropped
/// silently.
fn typed(json: &Value, invalid: &[Vec<String>], loc: Locator<'_>, out: &mut Vec<Diagnostic>) -> Option<Spec> {
    let mut json = json.clone();
    let mut paths: Vec<&Vec<String>> = invalid.iter().collect();
    // Deepest first, so removing one value never shifts another's index.
    paths.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| b.cmp(a)));
    for path in paths {
        prune(&mut json, path);
    }
    // Each failed attempt removes one more table, so this ends.
    loop {
        match serde_path_to_error::deserialize::<_, Spec>(&json) {
            Ok(spec) => return Some(spec),
            Err(err) => {
                let path: Vec<String> = err
                    .path()
                    .iter()
                    .map(|seg| match seg {
                        serde_path_to_error::Segment::Seq { index } => index.to_string(),
                        other => other.to_string(),
                    })
                    .collect();
                let reported = invalid.iter().any(|p| p.starts_with(&path) || path.starts_with(p));
                if !reported {
                    let found = path.iter().try_fold(&json, |v, seg| match v {
                        Value::Object(m) => m.get(seg),
                        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                        _ => None,
                    });
                    out.push(schema::unusable(&path, found, &err.inner().to_string(), loc));
                }
                if path.is_empty() || !prune(&mut json, &path) {
                    return None;
                }
            }
        }
    }
}

/// Removes the value at `path`; false when there was none.
fn prune(json: &mut Value, path: &[String]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    let parent = parent.iter().try_fold(json, |v, seg| match v {
        Value::Object(m) => m.get_mut(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    });
    match parent {
        Some(Value::Object(m)) => m.remove(last).is_some(),
        Some(Value::Array(a)) => match last.parse::<usize>().ok().filter(|i| *i < a.len()) {
            Some(i) => {
                a.remove(i);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Reads a spec file, at most one byte over the size limit: enough for
/// `read_source` to refuse it (CR003) without reading the rest.
pub fn read_spec(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    crate::artifact::read_up_to(path, parse::MAX_FILE_BYTES as u64)
}

/// Checks files in parallel on every core, in input order; a file that
/// cannot be read is an `Err` in its place. Files are taken one at a time,
/// so a few large files do not leave the other cores idle. A single file is
/// checked on the calling thread: a thread of its own costs more than it
/// saves (its own allocator arena, grown page by page).
pub fn check_files(paths: &[PathBuf], accounts: Accounts<'_>) -> Vec<std::io::Result<Checked>> {
    let check = |path: &PathBuf| read_spec(path).map(|bytes| check(&path.display().to_string(), bytes, accounts));
    if let [path] = paths {
        return vec![check(path)];
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<std::io::Result<Checked>>>> = paths.iter().map(|_| Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(paths.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(check(path));
                }
            });
        }
    });
    slots.into_iter().filter_map(|r| r.into_inner().unwrap_or_else(|p| p.into_inner())).collect()
}
