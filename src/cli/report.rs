//! `chatroute report`: the routing of a spec as one HTML page.

use std::path::Path;

use super::{AccountArgs, Failure, Outcome, not_an_input, read_spec, write_file};

/// Writes the page (atomically), also for a spec with errors, which lists
/// them first; such a spec still fails the command (exit 1), as `check`.
pub(crate) fn run(file: &Path, accounts: &AccountArgs, output: &Path) -> Outcome {
    let [crm, wazzup] = accounts.inputs();
    not_an_input(Some(output), &[Some(file), crm, wazzup])?;
    let loaded = accounts.load()?;
    let checked = chatroute::check::check(&file.display().to_string(), read_spec(file)?, loaded.accounts());
    write_file(output, chatroute::report::page(&checked, loaded.accounts()).as_bytes())?;
    if checked.has_errors() { Err(Failure::Problems) } else { Ok(()) }
}
