//! `chatroute crm pull`: the account's users, pipelines and stages into a
//! snapshot file. The token is read from the environment or a file and
//! never written anywhere.

use std::io::IsTerminal;
use std::path::Path;

use chatroute::crm::pull::{Domain, PullOptions};

use super::{Failure, Outcome, secret, write_file};

/// Which account, where.
pub(crate) struct Target<'a> {
    pub account: &'a str,
    pub base_url: Option<String>,
    pub kommo: bool,
}

/// `contacts`: `None` to skip them, `Some(cap)` to read them (all, or at
/// most `cap`).
pub(crate) fn pull(
    target: &Target<'_>,
    contacts: Option<Option<usize>>,
    token_file: Option<&Path>,
    output: &Path,
) -> Outcome {
    let token = secret(token_file, "AMOCRM_TOKEN", "token (an account administrator's long-lived token)")?;
    let domain = if target.kommo { Domain::Kommo } else { Domain::AmoCrm };
    let mut opts = PullOptions::on(domain, target.account, token);
    opts.contacts = contacts.is_some();
    opts.max_contacts = contacts.flatten();
    if let Some(url) = &target.base_url {
        opts.base_url = url.trim_end_matches('/').to_owned();
    }
    if let Ok(true) = chatroute::crm::pull::check_base_url(&opts.base_url) {
        eprintln!("warning: {} is plain http: the token travels unencrypted (allowed to loopback only)", opts.base_url);
    }
    // Contacts can take minutes: a counter on a terminal, nothing in a log.
    let bar = indicatif::ProgressBar::new_spinner().with_message("contacts read");
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {pos} {msg}").expect("a valid template"));
    let result = chatroute::crm::pull::pull_reporting(target.account, &opts, &|n| bar.set_position(n as u64));
    bar.finish_and_clear();
    let snapshot = result.map_err(|err| Failure::Error(format!("{err}; {} left untouched", output.display())))?;
    write_file(output, &snapshot.to_bytes())?;
    let contacts = snapshot.contacts.as_ref().map_or(String::new(), |c| format!(", {} contacts", c.len()));
    eprintln!(
        "wrote {}: {} users, {} pipelines{contacts}",
        output.display(),
        snapshot.users.len(),
        snapshot.pipelines.len()
    );
    Ok(())
}
