//! `chatroute wazzup pull`: the account's channel list into a snapshot
//! file. The API key is read from the environment or a file and never
//! written anywhere.

use std::path::Path;

use chatroute::wazzup::pull::WazzupOptions;

use super::{Failure, Outcome, write_file};

pub fn pull(base_url: Option<String>, token_file: Option<&Path>, output: &Path) -> Outcome {
    let key = match token_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| Failure::Error(format!("cannot read the key file {}: {err}", path.display())))?
            .trim()
            .to_owned(),
        None => std::env::var("WAZZUP_TOKEN").unwrap_or_default(),
    };
    if key.is_empty() {
        return Err(Failure::Error(
            "no API key: set WAZZUP_TOKEN or pass --token-file (Wazzup: Settings -> API)".into(),
        ));
    }
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
