//! The `chatroute` command line: a thin layer over the library. This file
//! only declares the arguments and dispatches; each subcommand lives in
//! `cli/`, and `cli::finish` turns every outcome into its message and exit
//! code.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cli::deferred::Deferred;
use cli::{Format, Output};

/// Validate and compile messenger-to-amoCRM routing specs.
#[derive(Parser)]
#[command(name = "chatroute", version = version(), about)]
struct Cli {
    /// The language of messages: en or ru (default: the locale's LC_ALL, LC_MESSAGES or LANG, else en).
    #[arg(long, global = true, value_name = "LANG", value_parser = cli::i18n::parse_lang)]
    lang: Option<chatroute::i18n::Lang>,
    #[command(subcommand)]
    command: Command,
}

/// Each subcommand's arguments are `Deferred`: clap builds the list of the
/// one on the command line only, not of all twenty at every start.
#[derive(Subcommand)]
enum Command {
    /// Check specs and report every problem (exit 0 ok, 1 problems, 2 usage or I/O error).
    Check(Deferred<CheckArgs>),
    /// Compile a spec into a routing table (written atomically; nothing is written when the spec has errors).
    Compile(Deferred<CompileArgs>),
    /// Talk to the amoCRM account.
    #[command(subcommand)]
    Crm(Deferred<CrmCommand>),
    /// Talk to the Wazzup account.
    #[command(subcommand)]
    Wazzup(Deferred<WazzupCommand>),
    /// Write a commented starter spec (from the account snapshots when given) that passes `check`.
    Init(Deferred<InitArgs>),
    /// Simulate the runtime: the pipeline, stage and responsible of N successive new deals.
    Route(Deferred<RouteArgs>),
    /// Serve the table's routing decisions over HTTP (reloads on SIGHUP and when the file is replaced).
    Serve(Deferred<ServeArgs>),
    /// Serve as `serve` does and run the integration: Wazzup's webhooks become amoCRM deals as each account's table says (docs/connect.md).
    Connect(Deferred<cli::connect::ConnectArgs>),
    /// The assignment state in Redis: upgrade an account's keys to this build's layout.
    #[command(subcommand)]
    State(Deferred<StateCommand>),
    /// Write the routing of a spec as one self-contained HTML page (channels, shares, access matrix, problems).
    Report(Deferred<ReportArgs>),
    /// Show the change in routing between two specs or tables (exit 0 no change, 3 changes, 1 errors, 2 I/O).
    Diff(Deferred<DiffArgs>),
    /// Print a shell completion script.
    Completions(Deferred<CompletionsArgs>),
    /// Print the man page (roff).
    Man,
    /// Print the JSON Schema of the spec format.
    Schema,
    /// Print the OpenAPI document of `serve`.
    Openapi(Deferred<OpenapiArgs>),
    /// Run the language server on stdio (every rule, hover, completion, rename and quick fixes in the editor).
    Lsp,
    /// Explain a diagnostic code, e.g. `chatroute explain CR204`.
    Explain(Deferred<ExplainArgs>),
}

#[derive(Args)]
struct CheckArgs {
    /// Spec files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Treat warnings as errors for the exit code.
    #[arg(long)]
    deny_warnings: bool,
    /// Skip files that are not chatroute specs (no `[integration]` table, no chatroute `#:schema` line): pre-commit passes every TOML file.
    #[arg(long)]
    only_specs: bool,
    #[command(flatten)]
    accounts: cli::AccountArgs,
}

#[derive(Args)]
struct CompileArgs {
    /// Spec files: one, or several into `-o DIR`.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Table file to write (standard output when absent), or a directory for one table per spec.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Check against these snapshots too; the table gets amoCRM ids (`--crm`) and Wazzup channel ids (`--wazzup`).
    #[command(flatten)]
    accounts: cli::AccountArgs,
}

#[derive(Args)]
struct InitArgs {
    /// Employees and the default stage from the amoCRM snapshot (`--crm`), one channel per Wazzup channel (`--wazzup`).
    #[command(flatten)]
    accounts: cli::AccountArgs,
    /// Spec file to create; standard output when absent. An existing file is not overwritten.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct RouteArgs {
    /// Table file written by `compile`.
    table: PathBuf,
    /// Channel id, or the channel's Wazzup channelId (tables compiled with --wazzup).
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
    /// Mark this employee unavailable first (repeatable; skipped where skip_unavailable is on).
    #[arg(long, value_name = "HANDLE")]
    unavailable: Vec<String>,
    /// Decide at this instant instead of now (working hours), e.g. 2026-12-05T11:00:00+03:00.
    #[arg(long, value_name = "RFC3339")]
    at: Option<chatroute::runtime::Timestamp>,
    /// Every deal is this client's (returning_clients = "owner": their owner gets the next ones).
    #[arg(long, value_name = "ID")]
    contact: Option<String>,
    /// Play a timeline of deals, replies and waits (reassign_after, waiting deals) instead.
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    /// Table file written by `compile`.
    table: PathBuf,
    #[command(flatten)]
    service: cli::serve::Service,
    #[command(flatten)]
    limits: cli::serve::Limits,
}

#[derive(Args)]
struct ReportArgs {
    /// Spec file.
    file: PathBuf,
    /// Show CRM names and Wazzup states from these snapshots.
    #[command(flatten)]
    accounts: cli::AccountArgs,
    /// The page to write (HTML).
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Args)]
struct DiffArgs {
    /// The old spec (TOML) or table (JSON), e.g. the deployed table.
    old: PathBuf,
    /// The new spec or table.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = cli::diff::DiffFormat::Human)]
    format: cli::diff::DiffFormat,
}

#[derive(Args)]
struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

#[derive(Args)]
struct OpenapiArgs {
    /// The document of `serve DIR` (decisions under /v1/accounts/{account}/).
    #[arg(long)]
    accounts: bool,
}

#[derive(Args)]
struct ExplainArgs {
    /// The code.
    code: String,
}

#[derive(Subcommand)]
enum WazzupCommand {
    /// Pull the account's channel list (API v3) into a snapshot file.
    /// The API key comes from WAZZUP_TOKEN or --token-file and is never written anywhere.
    Pull {
        /// API base URL; default https://api.wazzup24.com.
        #[arg(long)]
        base_url: Option<String>,
        /// File holding the API key (instead of WAZZUP_TOKEN).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Snapshot file to write (atomically).
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum StateCommand {
    /// Move the account's keys of the previous Redis layout to this one (stop older chatroute instances first).
    Migrate {
        /// Table file of the account (its account names the keys).
        table: PathBuf,
        /// The Redis URL the services share.
        #[arg(long)]
        state: String,
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
        /// API base URL; default https://ACCOUNT.amocrm.ru (or .kommo.com).
        #[arg(long)]
        base_url: Option<String>,
        /// The account is an international Kommo one (ACCOUNT.kommo.com), not ACCOUNT.amocrm.ru.
        #[arg(long)]
        kommo: bool,
        /// Also pull contacts' phone numbers (for the 8 -> +7 rewrite check).
        #[arg(long)]
        contacts: bool,
        /// Read at most N contacts (whole pages of 250).
        #[arg(long, value_name = "N", requires = "contacts")]
        max_contacts: Option<usize>,
        /// File holding the token (instead of AMOCRM_TOKEN).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Snapshot file to write (atomically).
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// `0.1.0 (time zone database 2025b)`: working hours depend on the zone
/// rules shipped in the binary.
fn version() -> &'static str {
    let text =
        format!("{} (time zone database {})", env!("CARGO_PKG_VERSION"), chatroute::table::schedule::DATABASE_VERSION);
    Box::leak(text.into_boxed_str())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::i18n::choose(cli.lang);
    cli::finish(match cli.command {
        Command::Check(Deferred(CheckArgs { files, format, deny_warnings, only_specs, accounts })) => {
            let files = if only_specs { cli::check::specs_among(files) } else { files };
            cli::check::run(&files, format, deny_warnings, &accounts)
        }
        Command::Compile(Deferred(CompileArgs { files, output, accounts })) => {
            cli::compile::run(&files, output.as_deref(), &accounts)
        }
        Command::Wazzup(Deferred(WazzupCommand::Pull { base_url, token_file, output })) => {
            cli::wazzup::pull(base_url, token_file.as_deref(), &output)
        }
        Command::Crm(Deferred(CrmCommand::Pull {
            account,
            base_url,
            kommo,
            contacts,
            max_contacts,
            token_file,
            output,
        })) => {
            let target = cli::crm::Target { account: &account, base_url, kommo };
            cli::crm::pull(&target, contacts.then_some(max_contacts), token_file.as_deref(), &output)
        }
        Command::Init(Deferred(InitArgs { accounts, output })) => cli::init::run(&accounts, output.as_deref()),
        Command::Route(Deferred(args)) => route(args),
        Command::Report(Deferred(ReportArgs { file, accounts, output })) => cli::report::run(&file, &accounts, &output),
        Command::Diff(Deferred(DiffArgs { old, new, format })) => cli::diff::run(&old, &new, format),
        Command::State(Deferred(StateCommand::Migrate { table, state })) => cli::state::migrate(&table, &state),
        Command::Serve(Deferred(ServeArgs { table, service, limits })) => cli::serve::run(table, &service, &limits),
        Command::Connect(Deferred(args)) => cli::connect::run(args),
        Command::Completions(Deferred(CompletionsArgs { shell })) => {
            cli::docs::completions(shell, cli::deferred::whole::<Cli>())
        }
        Command::Man => cli::docs::man(cli::deferred::whole::<Cli>()),
        Command::Schema => cli::docs::schema(),
        Command::Openapi(Deferred(OpenapiArgs { accounts })) => cli::docs::openapi(accounts),
        Command::Lsp => {
            chatroute::lsp::run_stdio().map_err(|err| cli::Failure::Error(format!("language server: {err}")))
        }
        Command::Explain(Deferred(ExplainArgs { code })) => cli::docs::explain(&code),
    })
}

fn route(args: RouteArgs) -> cli::Outcome {
    let RouteArgs { table, channel, new_deals, format, state, unavailable, at, contact, events } = args;
    let sim = cli::route::Simulation {
        channel: &channel,
        new_deals,
        unavailable: &unavailable,
        format,
        at,
        contact: contact.as_deref(),
        events: events.as_deref(),
    };
    cli::route::run(&table, &state, &sim)
}
