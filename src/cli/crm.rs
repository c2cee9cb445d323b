//! `chatroute crm pull`: the account's users, pipelines and stages into a
//! snapshot file. The token is read from the environment or a file and
//! never written anywhere.

use std::path::Path;

use chatroute::crm::pull::PullOptions;

use super::{Failure, Outcome, write_file};

pub fn pull(
    account: &str,
    base_url: Option<String>,
    contacts: bool,
    token_file: Option<&Path>,
    output: &Path,
) -> Outcome {
    let token = match token_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| Failure::Error(format!("cannot read the token file {}: {err}", path.display())))?
            .trim()
            .to_owned(),
        None => std::env::var("AMOCRM_TOKEN").unwrap_or_default(),
    };
    if token.is_empty() {
        return Err(Failure::Error(
            "no token: set AMOCRM_TOKEN or pass --token-file (an account administrator's long-lived token)".into(),
        ));
    }
    let mut opts = PullOptions::new(account, token);
    opts.contacts = contacts;
    if let Some(url) = base_url {
        opts.base_url = url.trim_end_matches('/').to_owned();
    }
    if let Ok(true) = chatroute::crm::pull::check_base_url(&opts.base_url) {
        eprintln!("warning: {} is plain http: the token travels unencrypted (allowed to loopback only)", opts.base_url);
    }
    let snapshot = chatroute::crm::pull::pull(account, &opts)
        .map_err(|err| Failure::Error(format!("{err}; {} left untouched", output.display())))?;
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
