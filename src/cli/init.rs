//! `chatroute init`: a commented starter spec that passes `check`.

use std::path::Path;

use super::{Failure, Outcome, emit, snapshot, write_file};

pub fn run(crm: Option<&Path>, output: Option<&Path>) -> Outcome {
    let crm = snapshot(crm)?;
    let text = chatroute::init::starter(crm.as_ref());
    match output {
        None => emit(text.as_bytes()),
        Some(path) if path.exists() => Err(Failure::Error(format!("{} exists; not overwriting it", path.display()))),
        Some(path) => write_file(path, text.as_bytes()),
    }
}
