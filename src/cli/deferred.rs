//! A subcommand whose arguments clap builds only when it is the one on
//! the command line (`Command::defer`). Building every subcommand's
//! argument list is most of what the command line costs at start-up, and
//! `check` runs once per file save in editors and hooks.

use std::sync::atomic::{AtomicBool, Ordering};

use clap::{ArgMatches, Args, Command, CommandFactory, Error, FromArgMatches, Subcommand};

pub(crate) struct Deferred<T>(pub(crate) T);

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, Error> {
        T::from_arg_matches(matches).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), Error> {
        self.0.update_from_arg_matches(matches)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: Command) -> Command {
        defer(cmd, |cmd| keeping_about(cmd, T::augment_args))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        defer(cmd, |cmd| keeping_about(cmd, T::augment_args_for_update))
    }
}

/// The subcommand's own description: built late, a flattened group's doc
/// comment would otherwise replace it.
fn keeping_about(cmd: Command, augment: fn(Command) -> Command) -> Command {
    let (about, long_about) = (cmd.get_about().cloned(), cmd.get_long_about().cloned());
    let cmd = augment(cmd).about(None::<&str>).long_about(None::<&str>);
    let cmd = match about {
        Some(about) => cmd.about(about),
        None => cmd,
    };
    match long_about {
        Some(long_about) => cmd.long_about(long_about),
        None => cmd,
    }
}

/// Whether subcommands are built at once: for what describes every
/// subcommand (shell completions, the man page), whose `help` subcommand
/// must know the nested ones when the root is built.
static WHOLE: AtomicBool = AtomicBool::new(false);

/// The whole command tree, nothing deferred.
pub(crate) fn whole<T: CommandFactory>() -> Command {
    WHOLE.store(true, Ordering::Relaxed);
    T::command()
}

fn defer(cmd: Command, augment: fn(Command) -> Command) -> Command {
    if WHOLE.load(Ordering::Relaxed) { augment(cmd) } else { cmd.defer(augment) }
}

impl<T: Subcommand> Subcommand for Deferred<T> {
    fn augment_subcommands(cmd: Command) -> Command {
        defer(cmd, T::augment_subcommands)
    }

    fn augment_subcommands_for_update(cmd: Command) -> Command {
        defer(cmd, T::augment_subcommands_for_update)
    }

    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}
