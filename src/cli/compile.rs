//! `chatroute compile`: a spec without errors into a routing table.

use std::path::Path;

use chatroute::check::check_bytes_with;

use super::{Failure, Outcome, emit, not_an_input, read_spec, report_to_stderr, snapshot, write_file};

pub fn run(file: &Path, output: Option<&Path>, crm_path: Option<&Path>) -> Outcome {
    not_an_input(output, &[Some(file), crm_path])?;
    let crm = snapshot(crm_path)?;
    let checked = check_bytes_with(&file.display().to_string(), read_spec(file)?, crm.as_ref());
    // Diagnostics go to stderr: stdout may carry the table.
    report_to_stderr(&checked);
    // `spec` is only there when the file has no errors.
    let Some(spec) = checked.spec.as_ref() else {
        eprintln!("error: {} has errors; no table written", file.display());
        return Err(Failure::Problems);
    };
    let bytes = chatroute::compile::compile(spec, crm.as_ref()).to_bytes();
    match output {
        None => emit(&bytes),
        Some(path) => write_file(path, &bytes),
    }
}
