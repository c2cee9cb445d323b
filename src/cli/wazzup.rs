//! `chatroute wazzup pull`: the account's channel list into a snapshot
//! file. The API key is read from the environment or a file and never
//! written anywhere.

use std::path::Path;

use chatroute::wazzup::pull::WazzupOptions;

use super::{Failure, Outcome, secret, write_file};

pub(crate) fn pull(base_url: Option<String>, token_file: Option<&Path>, output: &Path) -> Outcome {
    let key = secret(token_file, "WAZZUP_TOKEN", "API key (Wazzup: Settings -> API)")?;
    let mut opts = WazzupOptions::new(key);
    if let Some(url) = base_url {
        opts.base_url = url.trim_end_matches('/').to_owned();
    }
    if chatroute::http::check_base_url(&opts.base_url) == Some(true) {
        eprintln!("warning: {} is plain http: the key travels unencrypted (allowed to loopback only)", opts.base_url);
    }
    let snapshot = chatroute::wazzup::pull::pull(&opts)
        .map_err(|err| Failure::Error(format!("{err}; {} left untouched", output.display())))?;
    write_file(output, &snapshot.to_bytes())?;
    eprintln!("wrote {}: {} channels", output.display(), snapshot.channels.len());
    Ok(())
}
