//! `chatroute diff`: the change in routing between two specs or tables.

use std::path::Path;

use chatroute::diff::{Side, SideError};

use super::i18n::t;
use super::{Failure, Outcome, at, emit, read_spec, report_to_stderr};

fn side(path: &Path) -> Result<Side, Failure> {
    match Side::from_bytes(&path.display().to_string(), read_spec(path)?) {
        Ok(side) => Ok(side),
        Err(SideError::Table(err)) => Err(at(path, err)),
        Err(SideError::Spec(checked)) => {
            report_to_stderr(&checked);
            let message = t!("diff-has-errors", path = path.display().to_string());
            eprintln!("{}", t!("error", message = message));
            Err(Failure::Problems)
        }
    }
}

/// How `diff` writes the change.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// Grouped by subject, like a plan.
    Human,
    /// One document with the changes and their count.
    Json,
    /// For a pull-request comment or `$GITHUB_STEP_SUMMARY`: shares before and after, access changes.
    Markdown,
}

pub(crate) fn run(old: &Path, new: &Path, format: DiffFormat) -> Outcome {
    let (old, new) = (side(old)?, side(new)?);
    let changes = chatroute::diff::diff(&old, &new);
    let text = match format {
        DiffFormat::Human => chatroute::diff::render(&changes),
        DiffFormat::Json => chatroute::diff::to_json(&changes),
        DiffFormat::Markdown => chatroute::diff::markdown::render(&old, &new, &changes),
    };
    emit(text.as_bytes())?;
    if changes.is_empty() { Ok(()) } else { Err(Failure::Changes) }
}
