//! `chatroute diff`: the change in routing between two specs or tables.

use std::path::Path;

use chatroute::diff::{Side, SideError};

use super::{Failure, Outcome, Output, at, emit, read_spec, report_to_stderr};

fn side(path: &Path) -> Result<Side, Failure> {
    match Side::from_bytes(&path.display().to_string(), read_spec(path)?) {
        Ok(side) => Ok(side),
        Err(SideError::Table(err)) => Err(at(path, err)),
        Err(SideError::Spec(checked)) => {
            report_to_stderr(&checked);
            eprintln!("error: {} has errors; cannot compare it", path.display());
            Err(Failure::Problems)
        }
    }
}

pub fn run(old: &Path, new: &Path, format: Output) -> Outcome {
    let (old, new) = (side(old)?, side(new)?);
    let changes = chatroute::diff::diff(&old, &new);
    let text = match format {
        Output::Human => chatroute::diff::render(&changes),
        Output::Json => chatroute::diff::to_json(&changes),
    };
    emit(text.as_bytes())?;
    if changes.is_empty() { Ok(()) } else { Err(Failure::Changes) }
}
