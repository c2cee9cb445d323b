//! Running the `chatroute` binary as users do, from integration tests.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs chatroute with `NO_COLOR` set and no `AMOCRM_TOKEN` but the one given.
pub(crate) fn chatroute_with_token(args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chatroute"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("AMOCRM_TOKEN");
    if let Some(t) = token {
        cmd.env("AMOCRM_TOKEN", t);
    }
    cmd.output().unwrap()
}

pub(crate) fn chatroute(args: &[&str]) -> Output {
    chatroute_with_token(args, None)
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test's files.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chatroute-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
