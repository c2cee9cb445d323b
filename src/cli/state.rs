//! `chatroute state migrate`: an account's Redis keys moved to this
//! build's layout (`runtime::keys`), and the Redis state every command
//! opens refused while they are not.

use std::path::Path;
use std::time::Duration;

use chatroute::runtime::redis::{RedisState, redacted};
use chatroute::table::TableFile;

use super::{Failure, Outcome, at};

/// The Redis state at `url` for `account`, refused while the account's
/// keys are on the previous layout.
pub fn open(url: &str, account: &str) -> Result<RedisState, Failure> {
    open_for(url, &[account.to_owned()])
}

/// `open` for several accounts (`serve DIR`).
pub fn open_for(url: &str, accounts: &[String]) -> Result<RedisState, Failure> {
    let failed = |err: chatroute::runtime::StateError| Failure::Error(format!("--state {}: {err}", redacted(url)));
    let redis = RedisState::open(url, Duration::from_secs(2)).map_err(failed)?;
    for account in accounts {
        redis.check_layout(account).map_err(failed)?;
    }
    Ok(redis)
}

pub fn migrate(table: &Path, url: &str) -> Outcome {
    let account = TableFile::load(table).map_err(|err| at(table, err))?.body.account;
    let failed = |err: chatroute::runtime::StateError| Failure::Error(format!("--state {}: {err}", redacted(url)));
    let redis = RedisState::open(url, Duration::from_secs(2)).map_err(failed)?;
    let moved = redis.migrate(&account).map_err(failed)?;
    eprintln!("account `{account}`: {moved} key(s) moved to layout {}", chatroute::runtime::redis::KEY_VERSION);
    Ok(())
}
