//! `chatroute check`: every problem of every file, in one run.

use std::io::IsTerminal;
use std::path::PathBuf;

use chatroute::check::Checked;
use chatroute::diagnostics::Severity;

use super::i18n::t;
use super::{AccountArgs, Failure, Format, Outcome, emit, leave_to_exit, render};

/// The files of `files` that are chatroute specs (`source::is_spec`); the
/// others are named on stderr and left alone. A file that cannot be read
/// stays, so `check` reports it.
pub(crate) fn specs_among(files: Vec<PathBuf>) -> Vec<PathBuf> {
    files
        .into_iter()
        .filter(|path| match std::fs::read(path) {
            Ok(bytes) if !chatroute::source::is_spec(&String::from_utf8_lossy(&bytes)) => {
                eprintln!("{}", t!("skipped-not-a-spec", path = path.display().to_string()));
                false
            }
            _ => true,
        })
        .collect()
}

pub(crate) fn run(files: &[PathBuf], format: Format, deny_warnings: bool, accounts: &AccountArgs) -> Outcome {
    let loaded = accounts.load()?;
    let mut unreadable = Vec::new();
    let results: Vec<Checked> = chatroute::check::check_files(files, loaded.accounts())
        .into_iter()
        .zip(files)
        .filter_map(|(result, path)| result.map_err(|err| unreadable.push(super::cannot_read(path, &err))).ok())
        .collect();
    let count = |s| results.iter().flat_map(|c| &c.diagnostics).filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let mut out = render(&results, format, std::io::stdout().is_terminal());
    if let Format::Human = format {
        out.push_str(&t!("checked", files = results.len(), errors = errors, warnings = warnings));
        out.push('\n');
    }
    leave_to_exit(results);
    emit(out.as_bytes())?;
    if !unreadable.is_empty() {
        let next = format!("\n{}", t!("error", message = ""));
        return Err(Failure::Error(unreadable.join(&next)));
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        return Err(Failure::Problems);
    }
    Ok(())
}
