//! The `check` pipeline for one file: read -> parse -> schema -> typed spec
//! -> rules, collecting every diagnostic on the way.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use serde_json::Value;

use crate::crm::Snapshot;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::parse::{self, Locator};
use crate::rules::PhoneFacts;
use crate::source::SourceFile;
use crate::spec::Spec;
use crate::{rules, schema};

/// Everything `check` learnt about one file.
pub struct Checked {
    pub source: SourceFile,
    /// All problems, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed spec, when the file is free of errors.
    pub spec: Option<Spec>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Checks one file's bytes.
pub fn check_bytes(name: &str, bytes: Vec<u8>) -> Checked {
    check_bytes_with(name, bytes, None)
}

/// Checks one file's bytes, and its references against an account snapshot.
pub fn check_bytes_with(name: &str, bytes: Vec<u8>, crm: Option<&Snapshot>) -> Checked {
    analyse(name, bytes, crm).finish()
}

/// A file checked but for its phone facts, which need libphonenumber's data.
struct Analysed {
    source: SourceFile,
    diagnostics: Vec<Diagnostic>,
    spec: Option<Spec>,
    phone_facts: PhoneFacts,
}

impl Analysed {
    fn finish(mut self) -> Checked {
        self.diagnostics.extend(rules::phones::check(&self.phone_facts));
        diagnostics::sort(&mut self.diagnostics);
        let has_errors = self.diagnostics.iter().any(|d| d.severity == Severity::Error);
        Checked { source: self.source, diagnostics: self.diagnostics, spec: self.spec.filter(|_| !has_errors) }
    }
}

fn analyse(name: &str, bytes: Vec<u8>, crm: Option<&Snapshot>) -> Analysed {
    let (source, refused) = parse::read_source(name, bytes);
    if let Some(diag) = refused {
        return Analysed { source, diagnostics: vec![diag], spec: None, phone_facts: PhoneFacts::default() };
    }
    let (diagnostics, spec, phone_facts) = check_text(&source.text, crm);
    Analysed { source, diagnostics, spec, phone_facts }
}

/// Checks a spec's text; syntax errors stop the later stages, schema errors
/// only remove the values they condemn from the rules' view.
fn check_text(text: &str, crm: Option<&Snapshot>) -> (Vec<Diagnostic>, Option<Spec>, PhoneFacts) {
    let root = match parse::parse(text) {
        Ok(root) => root,
        Err(diags) => return (diags, None, PhoneFacts::default()),
    };
    let loc = Locator::new(&root);
    let json = parse::to_json(root.get_ref());
    let report = schema::validate(&json, loc);
    let mut diagnostics = report.diagnostics;
    let handles: BTreeSet<String> =
        json.get("employees").and_then(Value::as_object).map(|e| e.keys().cloned().collect()).unwrap_or_default();
    let spec = typed(&json, &report.invalid);
    let mut phone_facts = PhoneFacts::default();
    if let Some(spec) = &spec {
        let (found, facts) = rules::run(spec, loc, &handles, crm);
        diagnostics.extend(found);
        phone_facts = facts;
    }
    (diagnostics, spec, phone_facts)
}

/// Reads the typed spec without the values the schema condemned. When a
/// removed value was required, the table that needed it goes too, so the
/// rules still see every part of the file that is sound.
fn typed(json: &Value, invalid: &[Vec<String>]) -> Option<Spec> {
    if invalid.is_empty() {
        if let Ok(spec) = Spec::deserialize(json) {
            return Some(spec);
        }
    }
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

/// Checks files in parallel on every core, in input order; a file that
/// cannot be read is an `Err` in its place.
///
/// Files are taken one at a time, so a few large files do not leave the
/// other cores idle; libphonenumber's data loads on another thread
/// meanwhile, and a file's phone facts are checked as soon as it is there,
/// or after the last file, so no worker waits for it.
pub fn check_files(paths: &[PathBuf], crm: Option<&Snapshot>) -> Vec<std::io::Result<Checked>> {
    crate::phone::warm_up_in_background();
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<std::io::Result<Checked>>>> = paths.iter().map(|_| Mutex::new(None)).collect();
    let waiting: Mutex<Vec<(usize, Analysed)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(paths.len());
    let store = |i: usize, result| *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    match std::fs::read(path) {
                        Err(err) => store(i, Err(err)),
                        Ok(bytes) => {
                            let analysed = analyse(&path.display().to_string(), bytes, crm);
                            if crate::phone::ready() {
                                store(i, Ok(analysed.finish()));
                            } else {
                                waiting.lock().unwrap_or_else(|p| p.into_inner()).push((i, analysed));
                            }
                        }
                    }
                }
            });
        }
    });
    for (i, analysed) in waiting.into_inner().unwrap_or_else(|p| p.into_inner()) {
        store(i, Ok(analysed.finish()));
    }
    slots.into_iter().filter_map(|r| r.into_inner().unwrap_or_else(|p| p.into_inner())).collect()
}
