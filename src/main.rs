//! The `chatroute` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chatroute::check::{Checked, check_bytes};
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use chatroute::diagnostics::{Code, Severity};
use clap::{Parser, Subcommand, ValueEnum};

/// Validate and compile messenger-to-amoCRM routing specs.
#[derive(Parser)]
#[command(name = "chatroute", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check specs and report every problem (exit 0 ok, 1 problems, 2 usage or I/O error).
    Check {
        /// Spec files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors for the exit code.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the JSON Schema of the spec format.
    Schema,
    /// Explain a diagnostic code, e.g. `chatroute explain CR204`.
    Explain {
        /// The code.
        code: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            files,
            format,
            deny_warnings,
        } => check(&files, format, deny_warnings),
        Command::Schema => {
            print!("{}", chatroute::schema::to_pretty_string());
            ExitCode::SUCCESS
        }
        Command::Explain { code } => match Code::parse(&code) {
            Some(code) => {
                println!("{}", code.explanation());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!(
                    "error: unknown diagnostic code `{code}` (codes look like CR101; see docs/diagnostics.md)"
                );
                ExitCode::from(2)
            }
        },
    }
}

fn check(files: &[PathBuf], format: Format, deny_warnings: bool) -> ExitCode {
    let mut io_failed = false;
    let mut results: Vec<Checked> = Vec::new();
    for path in files {
        match std::fs::read(path) {
            Ok(bytes) => results.push(check_bytes(&path.display().to_string(), bytes)),
            Err(err) => {
                eprintln!("error: cannot read {}: {err}", path.display());
                io_failed = true;
            }
        }
    }
    let reports: Vec<FileDiagnostics<'_>> = results
        .iter()
        .map(|c| FileDiagnostics {
            file: &c.source,
            diagnostics: &c.diagnostics,
        })
        .collect();
    let count = |s| {
        results
            .iter()
            .flat_map(|c| &c.diagnostics)
            .filter(|d| d.severity == s)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let out = match format {
        Format::Human => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut text = render::human(&reports, HumanStyle { color, width: 100 });
            text.push_str(&format!(
                "checked {} file(s): {errors} error(s), {warnings} warning(s)\n",
                results.len()
            ));
            text
        }
        Format::Json => render::json(&reports),
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    if io_failed {
        ExitCode::from(2)
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
