//! `chatroute wazzup pull`: the account's channel list into a snapshot
//! file. The API key is read from the environment or a file and never
//! written anywhere.

use std::path::Path;

use chatroute::wazzup::pull::WazzupOptions;

use super::i18n::t;
use super::{Outcome, secret, untouched, write_file};

pub(crate) fn pull(base_url: Option<String>, token_file: Option<&Path>, output: &Path) -> Outcome {
    let key = secret(token_file, "WAZZUP_TOKEN", &t!("secret-wazzup-key"))?;
    let mut opts = WazzupOptions::new(key);
    if let Some(url) = base_url {
        opts.base_url = url.trim_end_matches('/').to_owned();
    }
    if chatroute::http::check_base_url(&opts.base_url) == Some(true) {
        eprintln!("{}", t!("warning-plain-http-key", url = opts.base_url.as_str()));
    }
    let snapshot = chatroute::wazzup::pull::pull(&opts).map_err(|err| untouched(&err, output))?;
    write_file(output, &snapshot.to_bytes())?;
    let wrote = t!("wazzup-wrote", path = output.display().to_string(), channels = snapshot.channels.len());
    eprintln!("{wrote}");
    Ok(())
}
