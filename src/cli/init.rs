//! `chatroute init`: a commented starter spec that passes `check`.

use std::path::Path;

use super::i18n::t;
use super::{AccountArgs, Failure, Outcome, emit, write_file};

pub(crate) fn run(accounts: &AccountArgs, output: Option<&Path>) -> Outcome {
    let loaded = accounts.load()?;
    let text = chatroute::init::starter(loaded.accounts());
    match output {
        None => emit(text.as_bytes()),
        Some(path) if path.exists() => Err(Failure::Error(format!("{} exists; not overwriting it", path.display()))),
        Some(path) => {
            write_file(path, text.as_bytes())?;
            // The schema the starter's `#:schema` line names, beside it
            // (refreshed: it is generated).
            let schema = path.with_file_name(chatroute::init::SCHEMA_FILE);
            write_file(&schema, chatroute::schema::to_pretty_string().as_bytes())?;
            eprintln!("{}", t!("init-wrote", spec = path.display().to_string(), schema = schema.display().to_string()));
            Ok(())
        }
    }
}
