//! The commands that print documentation: shell completions, the man page,
//! the JSON Schema and a code's explanation.

use std::io::IsTerminal;

use chatroute::diagnostics::Code;

use super::i18n::t;
use super::{Failure, Outcome, emit};

pub(crate) fn completions(shell: clap_complete::Shell, mut command: clap::Command) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "chatroute", &mut out);
    emit(&out)
}

pub(crate) fn man(command: clap::Command) -> Outcome {
    let mut out = Vec::new();
    clap_mangen::Man::new(command).render(&mut out).map_err(|err| Failure::Error(err.to_string()))?;
    emit(&out)
}

pub(crate) fn schema() -> Outcome {
    emit(chatroute::schema::to_pretty_string().as_bytes())
}

pub(crate) fn openapi(accounts: bool) -> Outcome {
    emit(chatroute::serve::openapi::document(accounts).as_bytes())
}

pub(crate) fn explain(code: &str) -> Outcome {
    let code = Code::parse(code).ok_or_else(|| Failure::Error(t!("explain-unknown-code", code = code)))?;
    let styled = std::io::stdout().is_terminal();
    emit(chatroute::diagnostics::render::explain::terminal(code.explanation(), styled).as_bytes())
}
