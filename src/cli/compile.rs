//! `chatroute compile`: a spec without errors into a routing table.

use std::path::Path;

use super::{
    AccountArgs, Failure, Outcome, emit, leave_to_exit, not_an_input, read_spec, report_to_stderr, write_file,
};

pub fn run(file: &Path, output: Option<&Path>, accounts: &AccountArgs) -> Outcome {
    let [crm, wazzup] = accounts.inputs();
    not_an_input(output, &[Some(file), crm, wazzup])?;
    let loaded = accounts.load()?;
    let bytes = read_spec(file)?;
    let (checked, table) = chatroute::compile::from_source(&file.display().to_string(), bytes, loaded.accounts());
    // Diagnostics go to stderr: stdout may carry the table.
    report_to_stderr(&checked);
    // A table is only there when the file has no errors.
    let Some((table, bytes)) = table else {
        eprintln!("error: {} has errors; no table written", file.display());
        return Err(Failure::Problems);
    };
    leave_to_exit((checked, table));
    match output {
        None => emit(&bytes),
        Some(path) => write_file(path, &bytes),
    }
}
