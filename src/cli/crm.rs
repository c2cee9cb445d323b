//! `chatroute crm pull`: the account's users, pipelines and stages into a
//! snapshot file. The token is read from the environment or a file and
//! never written anywhere.

use std::io::IsTerminal;
use std::path::Path;

use chatroute::crm::pull::{Domain, PullOptions};

use super::i18n::t;
use super::{Outcome, secret, untouched, write_file};

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
    let token = secret(token_file, "AMOCRM_TOKEN", &t!("secret-amocrm-token"))?;
    let domain = if target.kommo { Domain::Kommo } else { Domain::AmoCrm };
    let mut opts = PullOptions::on(domain, target.account, token);
    opts.contacts = contacts.is_some();
    opts.max_contacts = contacts.flatten();
    if let Some(url) = &target.base_url {
        opts.base_url = url.trim_end_matches('/').to_owned();
    }
    if let Ok(true) = chatroute::crm::pull::check_base_url(&opts.base_url) {
        eprintln!("{}", t!("warning-plain-http-token", url = opts.base_url.as_str()));
    }
    // Contacts can take minutes: a counter on a terminal, nothing in a log.
    let bar = indicatif::ProgressBar::new_spinner().with_message("contacts read");
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {pos} {msg}").expect("a valid template"));
    let result = chatroute::crm::pull::pull_reporting(target.account, &opts, &|n| bar.set_position(n as u64));
    bar.finish_and_clear();
    let snapshot = result.map_err(|err| untouched(&err, output))?;
    write_file(output, &snapshot.to_bytes())?;
    let wrote = t!(
        "crm-wrote",
        path = output.display().to_string(),
        users = snapshot.users.len(),
        pipelines = snapshot.pipelines.len(),
        contacts = snapshot.contacts.as_ref().map_or(-1, |c| c.len() as i64)
    );
    eprintln!("{wrote}");
    Ok(())
}
