//! The subcommands, one module each, and the one place a command's outcome
//! becomes a message and an exit code (`finish`).
//!
//! Exit codes: 0 success; 1 problems found (errors, or warnings under
//! `--deny-warnings`); 2 usage or I/O error; 3 `diff` found changes.

pub(crate) mod check;
pub(crate) mod compile;
pub(crate) mod connect;
pub(crate) mod crm;
pub(crate) mod deferred;
pub(crate) mod diff;
pub(crate) mod docs;
pub(crate) mod i18n;
pub(crate) mod init;
pub(crate) mod report;
pub(crate) mod route;
pub(crate) mod serve;
pub(crate) mod state;
pub(crate) mod timeline;
pub(crate) mod wazzup;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use chatroute::check::{Accounts, Checked};
use chatroute::crm::Snapshot;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use chatroute::wazzup::WazzupSnapshot;
use clap::ValueEnum;
use i18n::t;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Problems were found and already reported (exit 1).
    Problems,
    /// `diff` found changes (exit 3).
    Changes,
    /// A usage or I/O error, printed as `error: ...` (exit 2).
    Error(String),
}

/// What a command returns.
pub(crate) type Outcome = Result<(), Failure>;

/// A usage or I/O error about `path`.
pub(crate) fn at(path: &Path, err: impl std::fmt::Display) -> Failure {
    Failure::Error(format!("{}: {err}", path.display()))
}

/// Leaves a command's large results to the process exit: the OS takes the
/// memory back at once, while dropping a large spec's trees value by value
/// costs a good part of the check itself (0.1 s of a 7 MB spec's 0.5 s).
pub(crate) fn leave_to_exit<T>(results: T) {
    std::mem::forget(results);
}

/// The exit code of an outcome, after printing a failure's message.
pub(crate) fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Problems) => ExitCode::from(1),
        Err(Failure::Changes) => ExitCode::from(3),
        Err(Failure::Error(message)) => {
            // Paths and names from the user's files: no control character
            // reaches the terminal (a file name cannot forge a line).
            eprintln!("{}", t!("error", message = chatroute::table::text::printable(&message)));
            ExitCode::from(2)
        }
    }
}

/// Writes to standard output and flushes. A closed pipe or a full disk is
/// an I/O error, never a panic.
pub(crate) fn emit(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|err| Failure::Error(t!("cannot-write-stdout", error = err.to_string())))
}

/// Runs the CLI's async calls (the assignment state's) on a small runtime
/// of their own: the same async core `serve` awaits, not a second client.
pub(crate) fn block_on<F: Future>(work: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Failure::Error(format!("cannot start the I/O runtime: {err}")))?;
    Ok(runtime.block_on(work))
}

/// Refuses to write `output` when it is one of the command's inputs.
pub(crate) fn not_an_input(output: Option<&Path>, inputs: &[Option<&Path>]) -> Outcome {
    let Some(output) = output else { return Ok(()) };
    match inputs.iter().flatten().find(|input| chatroute::artifact::same_file(input, output)) {
        Some(input) => Err(Failure::Error(t!(
            "output-is-input",
            output = output.display().to_string(),
            input = input.display().to_string()
        ))),
        None => Ok(()),
    }
}

/// The account snapshots a command checks against.
#[derive(clap::Args)]
pub(crate) struct AccountArgs {
    /// The amoCRM account's snapshot (`crm pull`): pipelines, stages and users.
    #[arg(long, value_name = "SNAPSHOT")]
    pub crm: Option<std::path::PathBuf>,
    /// The Wazzup account's snapshot (`wazzup pull`): its channels.
    #[arg(long, value_name = "SNAPSHOT")]
    pub wazzup: Option<std::path::PathBuf>,
}

/// The snapshots of `AccountArgs`, loaded.
pub(crate) struct Loaded {
    pub crm: Option<Snapshot>,
    pub wazzup: Option<WazzupSnapshot>,
}

impl AccountArgs {
    pub(crate) fn inputs(&self) -> [Option<&Path>; 2] {
        [self.crm.as_deref(), self.wazzup.as_deref()]
    }

    pub(crate) fn load(&self) -> Result<Loaded, Failure> {
        let crm = self.crm.as_deref().map(|p| Snapshot::load(p).map_err(|err| at(p, err))).transpose()?;
        let wazzup = self.wazzup.as_deref().map(|p| WazzupSnapshot::load(p).map_err(|err| at(p, err))).transpose()?;
        Ok(Loaded { crm, wazzup })
    }
}

impl Loaded {
    pub(crate) fn accounts(&self) -> Accounts<'_> {
        Accounts { crm: self.crm.as_ref(), wazzup: self.wazzup.as_ref() }
    }
}

/// "cannot read PATH: why", in the current language.
pub(crate) fn cannot_read(path: &Path, err: &std::io::Error) -> String {
    t!("cannot-read", path = path.display().to_string(), error = err.to_string())
}

/// Reads a spec file (at most one byte over the size limit).
pub(crate) fn read_spec(path: &Path) -> Result<Vec<u8>, Failure> {
    chatroute::check::read_spec(path).map_err(|err| Failure::Error(cannot_read(path, &err)))
}

/// A secret from a file (trimmed) or else an environment variable; never
/// printed. `hint` says where to get one when neither has it.
pub(crate) fn secret(file: Option<&Path>, env: &str, hint: &str) -> Result<String, Failure> {
    let secret = match file {
        Some(path) => secret_file(path)?,
        None => std::env::var(env).unwrap_or_default(),
    };
    if secret.is_empty() {
        return Err(Failure::Error(t!("no-secret", hint = hint, env = env)));
    }
    Ok(secret)
}

/// A failed pull: why, and that the snapshot file was left as it was.
pub(crate) fn untouched(why: &impl std::fmt::Display, output: &Path) -> Failure {
    Failure::Error(t!("pull-failed", why = why.to_string(), path = output.display().to_string()))
}

/// A secret file's text, trimmed (`artifact::read_secret`).
pub(crate) fn secret_file(path: &Path) -> Result<String, Failure> {
    chatroute::artifact::read_secret(path).map_err(Failure::Error)
}

/// Writes a file atomically.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Outcome {
    chatroute::artifact::write_atomically(path, bytes)
        .map_err(|err| Failure::Error(t!("cannot-write", path = path.display().to_string(), error = err.to_string())))
}

/// Output of commands that are not diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    Human,
    Json,
}

/// Output of diagnostics.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// rustc-style text (miette), colored on a terminal unless NO_COLOR is set.
    Human,
    /// One JSON document (format_version 1).
    Json,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
    /// GitHub Actions workflow commands (inline annotations on pull requests).
    Github,
}

/// Diagnostics of checked files in a format.
pub(crate) fn render(results: &[Checked], format: Format, to_terminal: bool) -> String {
    let reports: Vec<FileDiagnostics<'_>> =
        results.iter().map(|c| FileDiagnostics { file: &c.source, diagnostics: &c.diagnostics }).collect();
    match format {
        Format::Human => {
            let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            render::human(&reports, HumanStyle { color, width: 100 })
        }
        Format::Json => render::json(&reports),
        Format::Sarif => render::sarif(&reports),
        Format::Github => render::github(&reports),
    }
}

/// A checked file's diagnostics on standard error, for commands whose
/// standard output carries something else.
pub(crate) fn report_to_stderr(checked: &Checked) {
    eprint!("{}", render(std::slice::from_ref(checked), Format::Human, std::io::stderr().is_terminal()));
}
