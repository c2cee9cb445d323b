//! `chatroute state migrate`: an account's Redis keys moved to this
//! build's layout (`runtime::keys`), and the Redis state every command
//! opens refused while they are not.

use std::path::Path;
use std::time::Duration;

use chatroute::runtime::redis::{RedisState, redacted};
use chatroute::table::TableFile;

use super::{Failure, Outcome, at};

/// The Redis state at `url` (`serve` asks it about each account as that
/// account's table is activated).
pub(crate) fn connect(url: &str) -> Result<RedisState, Failure> {
    RedisState::open(url, Duration::from_secs(2)).map_err(failed(url))
}

/// The Redis state at `url` for `account`, refused while the account's
/// keys are on the previous layout.
pub(crate) async fn open(url: &str, account: &str) -> Result<RedisState, Failure> {
    let redis = connect(url)?;
    redis.check_layout(account).await.map_err(failed(url))?;
    Ok(redis)
}

/// A state error as the failure of `--state URL` (the password hidden).
fn failed(url: &str) -> impl Fn(chatroute::runtime::StateError) -> Failure + '_ {
    move |err| Failure::Error(format!("--state {}: {err}", redacted(url)))
}

pub(crate) fn migrate(table: &Path, url: &str) -> Outcome {
    let account = TableFile::load(table).map_err(|err| at(table, err))?.body.account;
    let redis = connect(url)?;
    let done = super::block_on(redis.migrate(&account))?.map_err(failed(url))?;
    let layout = chatroute::runtime::redis::KEY_VERSION;
    eprintln!("account `{account}`: {} key(s) moved to layout {layout}", done.moved);
    if done.vanished > 0 {
        eprintln!("account `{account}`: {} key(s) expired before they could move (nothing lost)", done.vanished);
    }
    Ok(())
}
