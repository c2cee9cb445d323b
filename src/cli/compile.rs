//! `chatroute compile`: a spec without errors into a routing table.

use std::path::{Path, PathBuf};

use super::i18n::t;
use super::{
    AccountArgs, Failure, Outcome, emit, leave_to_exit, not_an_input, read_spec, report_to_stderr, write_file,
};

/// One spec to one table (`-o FILE` or standard output), or several specs
/// (or `-o` an existing directory) each to `DIR/<spec name>.json`, every
/// spec's problems reported in one run; a spec with errors writes nothing
/// and makes the run fail, the others are written.
pub(crate) fn run(files: &[PathBuf], output: Option<&Path>, accounts: &AccountArgs) -> Outcome {
    match (files, output) {
        ([file], output) if !output.is_some_and(Path::is_dir) => one(file, output, accounts),
        (_, Some(dir)) if dir.is_dir() => many(files, dir, accounts),
        _ => Err(Failure::Error(t!("compile-several-need-dir"))),
    }
}

fn many(files: &[PathBuf], dir: &Path, accounts: &AccountArgs) -> Outcome {
    let mut failed = false;
    for file in files {
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let target = dir.join(format!("{stem}.json"));
        if let Err(failure) = one(file, Some(&target), accounts) {
            if let Failure::Error(message) = &failure {
                eprintln!("{}", t!("error", message = chatroute::table::text::printable(message)));
            }
            failed = true;
        }
    }
    if failed { Err(Failure::Problems) } else { Ok(()) }
}

fn one(file: &Path, output: Option<&Path>, accounts: &AccountArgs) -> Outcome {
    let [crm, wazzup] = accounts.inputs();
    not_an_input(output, &[Some(file), crm, wazzup])?;
    let loaded = accounts.load()?;
    let bytes = read_spec(file)?;
    let (checked, table) = chatroute::compile::from_source(&file.display().to_string(), bytes, loaded.accounts());
    // Diagnostics go to stderr: stdout may carry the table.
    report_to_stderr(&checked);
    // A table is only there when the file has no errors.
    let Some((table, bytes)) = table else {
        let file = file.display().to_string();
        let message = t!("compile-has-errors", path = chatroute::table::text::printable(&file));
        eprintln!("{}", t!("error", message = message));
        return Err(Failure::Problems);
    };
    if output.is_none() {
        leave_to_exit((checked, table));
    }
    match output {
        None => emit(&bytes),
        Some(path) => write_file(path, &bytes),
    }
}
