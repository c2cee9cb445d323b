//! The `chatroute` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use chatroute::check::{Checked, check_bytes_with};
use chatroute::crm::Snapshot;
use chatroute::crm::pull::PullOptions;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use chatroute::diagnostics::{Code, Severity};
use chatroute::diff::Side;
use chatroute::runtime::redis::RedisState;
use chatroute::runtime::{AssignmentState, InProcess, Responsible, Router};
use chatroute::table::TableFile;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

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
        /// Also check every pipeline, stage and user against this account snapshot (`crm pull`).
        #[arg(long, value_name = "SNAPSHOT")]
        crm: Option<PathBuf>,
    },
    /// Compile a spec into a routing table (written atomically; nothing is written when the spec has errors).
    Compile {
        /// Spec file.
        file: PathBuf,
        /// Table file to write; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Check against this account snapshot and write amoCRM ids into the table.
        #[arg(long, value_name = "SNAPSHOT")]
        crm: Option<PathBuf>,
    },
    /// Talk to the amoCRM account.
    #[command(subcommand)]
    Crm(CrmCommand),
    /// Write a commented starter spec (from the account snapshot when given) that passes `check`.
    Init {
        /// Account snapshot to take employees and the default stage from.
        #[arg(long, value_name = "SNAPSHOT")]
        crm: Option<PathBuf>,
        /// Spec file to create; standard output when absent. An existing file is not overwritten.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Simulate the runtime: the pipeline, stage and responsible of N successive new deals.
    Route {
        /// Table file written by `compile`.
        table: PathBuf,
        /// Channel id.
        #[arg(long)]
        channel: String,
        /// How many new deals to route.
        #[arg(long, default_value_t = 1)]
        new_deals: u64,
        /// Output format: aligned text, or one JSON object per line.
        #[arg(long, value_enum, default_value_t = Output::Human)]
        format: Output,
        /// Assignment state: `memory` (this process only) or a Redis URL
        /// (`redis://HOST:PORT/DB`) shared with other instances.
        #[arg(long, default_value = "memory")]
        state: String,
    },
    /// Show the change in routing between two specs or tables (exit 0 no change, 3 changes, 1 errors, 2 I/O).
    Diff {
        /// The old spec (TOML) or table (JSON), e.g. the deployed table.
        old: PathBuf,
        /// The new spec or table.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Human)]
        format: Output,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Print the JSON Schema of the spec format.
    Schema,
    /// Explain a diagnostic code, e.g. `chatroute explain CR204`.
    Explain {
        /// The code.
        code: String,
    },
}

#[derive(Subcommand)]
enum CrmCommand {
    /// Pull users, pipelines and stages (and contacts' phones) into a snapshot file.
    /// The token comes from AMOCRM_TOKEN or --token-file and is never written anywhere.
    Pull {
        /// amoCRM subdomain (`acme` of acme.amocrm.ru).
        #[arg(long)]
        account: String,
        /// API base URL; default https://ACCOUNT.amocrm.ru.
        #[arg(long)]
        base_url: Option<String>,
        /// Also pull contacts' phone numbers (for the 8 -> +7 rewrite check).
        #[arg(long)]
        contacts: bool,
        /// File holding the token (instead of AMOCRM_TOKEN).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Snapshot file to write (atomically).
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Output of commands that are not diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// rustc-style text (miette), colored on a terminal unless NO_COLOR is set.
    Human,
    /// One JSON document (format_version 1).
    Json,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
    /// GitHub Actions workflow commands (inline annotations on pull requests).
    Github,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files, format, deny_warnings, crm } => check(&files, format, deny_warnings, crm.as_deref()),
        Command::Compile { file, output, crm } => compile(&file, output.as_deref(), crm.as_deref()),
        Command::Crm(CrmCommand::Pull { account, base_url, contacts, token_file, output }) => {
            crm_pull(&account, base_url, contacts, token_file.as_deref(), &output)
        }
        Command::Init { crm, output } => init(crm.as_deref(), output.as_deref()),
        Command::Route { table, channel, new_deals, format, state } => {
            route(&table, &channel, new_deals, format, &state)
        }
        Command::Diff { old, new, format } => diff(&old, &new, format),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "chatroute", &mut out);
            exit(emit(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => exit(emit(&out)),
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Schema => exit(emit(chatroute::schema::to_pretty_string().as_bytes())),
        Command::Explain { code } => match Code::parse(&code) {
            Some(code) => exit(emit(format!("{}\n", code.explanation()).as_bytes())),
            None => {
                eprintln!("error: unknown diagnostic code `{code}` (codes look like CR101; see docs/diagnostics.md)");
                ExitCode::from(2)
            }
        },
    }
}

/// Writes to standard output and flushes. A closed pipe or a full disk is
/// an I/O error (exit 2), reported once, never a panic.
fn emit(bytes: &[u8]) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|err| {
        eprintln!("error: cannot write to standard output: {err}");
        ExitCode::from(2)
    })
}

/// Success, or the exit code of a failure already reported.
fn exit(result: Result<(), ExitCode>) -> ExitCode {
    result.err().unwrap_or(ExitCode::SUCCESS)
}

/// Refuses to write `output` when it is one of the command's inputs.
fn not_an_input(output: Option<&Path>, inputs: &[Option<&Path>]) -> Result<(), ExitCode> {
    let Some(output) = output else { return Ok(()) };
    match inputs.iter().flatten().find(|input| chatroute::artifact::same_file(input, output)) {
        Some(input) => {
            eprintln!("error: the output {} is the input {}; not overwriting it", output.display(), input.display());
            Err(ExitCode::from(2))
        }
        None => Ok(()),
    }
}

/// Loads `--crm`, reporting a bad snapshot (the caller exits 2).
fn snapshot(path: Option<&Path>) -> Result<Option<Snapshot>, ExitCode> {
    let Some(path) = path else { return Ok(None) };
    Snapshot::load(path).map(Some).map_err(|err| {
        eprintln!("error: {}: {err}", path.display());
        ExitCode::from(2)
    })
}

/// Reads a spec file (at most one byte over the size limit), reporting a
/// failure (the caller exits 2).
fn read_bytes(path: &Path) -> Result<Vec<u8>, ExitCode> {
    chatroute::check::read_spec(path).map_err(|err| {
        eprintln!("error: cannot read {}: {err}", path.display());
        ExitCode::from(2)
    })
}

fn render(results: &[Checked], format: Format, to_terminal: bool) -> String {
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

fn check(files: &[PathBuf], format: Format, deny_warnings: bool, crm: Option<&Path>) -> ExitCode {
    let crm = match snapshot(crm) {
        Ok(crm) => crm,
        Err(code) => return code,
    };
    let mut io_failed = false;
    let results: Vec<Checked> = chatroute::check::check_files(files, crm.as_ref())
        .into_iter()
        .zip(files)
        .filter_map(|(result, path)| {
            result
                .map_err(|err| {
                    eprintln!("error: cannot read {}: {err}", path.display());
                    io_failed = true;
                })
                .ok()
        })
        .collect();
    let count = |s| results.iter().flat_map(|c| &c.diagnostics).filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let mut out = render(&results, format, std::io::stdout().is_terminal());
    if let Format::Human = format {
        out.push_str(&format!("checked {} file(s): {errors} error(s), {warnings} warning(s)\n", results.len()));
    }
    if let Err(code) = emit(out.as_bytes()) {
        return code;
    }
    if io_failed {
        ExitCode::from(2)
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn compile(file: &Path, output: Option<&Path>, crm_path: Option<&Path>) -> ExitCode {
    if let Err(code) = not_an_input(output, &[Some(file), crm_path]) {
        return code;
    }
    let crm = match snapshot(crm_path) {
        Ok(crm) => crm,
        Err(code) => return code,
    };
    let checked = match read_bytes(file) {
        Ok(bytes) => check_bytes_with(&file.display().to_string(), bytes, crm.as_ref()),
        Err(code) => return code,
    };
    // Diagnostics go to stderr: stdout may carry the table.
    eprint!("{}", render(std::slice::from_ref(&checked), Format::Human, std::io::stderr().is_terminal()));
    // `spec` is only there when the file has no errors.
    let Some(spec) = checked.spec.as_ref() else {
        eprintln!("error: {} has errors; no table written", file.display());
        return ExitCode::from(1);
    };
    let bytes = chatroute::compile::compile(spec, crm.as_ref()).to_bytes();
    match output {
        None => exit(emit(&bytes)),
        Some(path) => write_file(path, &bytes),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> ExitCode {
    match chatroute::artifact::write_atomically(path, bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", path.display());
            ExitCode::from(2)
        }
    }
}

fn crm_pull(
    account: &str,
    base_url: Option<String>,
    contacts: bool,
    token_file: Option<&Path>,
    output: &Path,
) -> ExitCode {
    let token = match token_file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => t.trim().to_owned(),
            Err(err) => {
                eprintln!("error: cannot read the token file {}: {err}", path.display());
                return ExitCode::from(2);
            }
        },
        None => std::env::var("AMOCRM_TOKEN").unwrap_or_default(),
    };
    if token.is_empty() {
        eprintln!(
            "error: no token: set AMOCRM_TOKEN or pass --token-file (an account administrator's long-lived token)"
        );
        return ExitCode::from(2);
    }
    let mut opts = PullOptions::new(account, token);
    opts.contacts = contacts;
    if let Some(url) = base_url {
        opts.base_url = url.trim_end_matches('/').to_owned();
    }
    if let Ok(true) = chatroute::crm::pull::check_base_url(&opts.base_url) {
        eprintln!("warning: {} is plain http: the token travels unencrypted (allowed to loopback only)", opts.base_url);
    }
    match chatroute::crm::pull::pull(account, &opts) {
        Ok(snapshot) => {
            let code = write_file(output, &snapshot.to_bytes());
            if code == ExitCode::SUCCESS {
                let contacts = snapshot.contacts.as_ref().map_or(String::new(), |c| format!(", {} contacts", c.len()));
                eprintln!(
                    "wrote {}: {} users, {} pipelines{contacts}",
                    output.display(),
                    snapshot.users.len(),
                    snapshot.pipelines.len()
                );
            }
            code
        }
        Err(err) => {
            eprintln!("error: {err}; {} left untouched", output.display());
            ExitCode::from(2)
        }
    }
}

fn init(crm: Option<&Path>, output: Option<&Path>) -> ExitCode {
    let crm = match snapshot(crm) {
        Ok(crm) => crm,
        Err(code) => return code,
    };
    let text = chatroute::init::starter(crm.as_ref());
    match output {
        None => exit(emit(text.as_bytes())),
        Some(path) if path.exists() => {
            eprintln!("error: {} exists; not overwriting it", path.display());
            ExitCode::from(2)
        }
        Some(path) => write_file(path, text.as_bytes()),
    }
}

fn route(table: &Path, channel: &str, new_deals: u64, format: Output, state: &str) -> ExitCode {
    let table = match TableFile::load(table) {
        Ok(t) => t,
        Err(err) => {
            eprintln!("error: {}: {err}", table.display());
            return ExitCode::from(2);
        }
    };
    if state == "memory" {
        return route_with(Router::new(table, InProcess::new()), channel, new_deals, format);
    }
    match RedisState::open(state, Duration::from_secs(2)) {
        Ok(redis) => route_with(Router::new(table, redis), channel, new_deals, format),
        Err(err) => {
            eprintln!("error: --state {}: {err}", chatroute::runtime::redis::redacted(state));
            ExitCode::from(2)
        }
    }
}

fn route_with<S: AssignmentState>(router: Router<S>, channel: &str, new_deals: u64, format: Output) -> ExitCode {
    // Lines are printed (and flushed) as decisions are made, so a failure
    // midway leaves every decision already taken on record, and a closed
    // stdout stops the run before another ticket is taken.
    for n in 1..=new_deals {
        let deal = match router.new_deal(channel) {
            Ok(d) => d,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        };
        let name = |h: &str| router.table().employees.get(h).map_or("", |e| e.name.as_str()).to_owned();
        let line = match format {
            Output::Human => {
                let who = match &deal.responsible {
                    Responsible::Employee(h) => format!("{h} ({})", name(h)),
                    Responsible::FirstOf(group) => {
                        format!("first to answer of: {}", group.join(", "))
                    }
                };
                // Names come from the table: escaped so each decision stays one line.
                chatroute::text::printable(&format!("{n:>4}  {} / {}  {who}", deal.pipeline, deal.stage)).into_owned()
            }
            Output::Json => {
                let responsible = match &deal.responsible {
                    Responsible::Employee(h) => serde_json::json!({ "handle": h, "name": name(h) }),
                    Responsible::FirstOf(group) => serde_json::json!({ "first_responder": group }),
                };
                serde_json::json!({
                    "deal": n,
                    "pipeline": deal.pipeline,
                    "stage": deal.stage,
                    "responsible": responsible,
                })
                .to_string()
            }
        };
        if let Err(code) = emit(format!("{line}\n").as_bytes()) {
            return code;
        }
    }
    ExitCode::SUCCESS
}

/// One side of `diff`: a table file as it is, or a spec checked and compiled.
fn diff_side(path: &Path) -> Result<Side, ExitCode> {
    let bytes = read_bytes(path)?;
    // A TOML spec cannot start with `{`; a table always does.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let table = TableFile::from_slice(&bytes).map_err(|err| {
            eprintln!("error: {}: {err}", path.display());
            ExitCode::from(2)
        })?;
        return Ok(Side { body: table.body, declared_channels: None });
    }
    let checked = check_bytes_with(&path.display().to_string(), bytes, None);
    match checked.spec.as_ref() {
        Some(spec) => Ok(Side {
            body: chatroute::compile::compile(spec, None).body,
            declared_channels: Some(spec.channels.keys().cloned().collect()),
        }),
        None => {
            eprint!("{}", render(std::slice::from_ref(&checked), Format::Human, std::io::stderr().is_terminal()));
            eprintln!("error: {} has errors; cannot compare it", path.display());
            Err(ExitCode::from(1))
        }
    }
}

fn diff(old: &Path, new: &Path, format: Output) -> ExitCode {
    let (old, new) = match (diff_side(old), diff_side(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let changes = chatroute::diff::diff(&old, &new);
    let text = match format {
        Output::Human => chatroute::diff::render(&changes),
        Output::Json => {
            serde_json::to_string_pretty(&serde_json::json!({ "changes": changes, "count": changes.len() }))
                .unwrap_or_default()
                + "\n"
        }
    };
    if let Err(code) = emit(text.as_bytes()) {
        return code;
    }
    if changes.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) }
}
