//! The Lua scripts of the Redis state, one file each under `scripts/`,
//! each sent with `prelude.lua` in front (as `EVALSHA`, loaded again on
//! `NOSCRIPT`), and what a call passes them.
//!
//! Every name shared with the in-memory state is the same on both sides
//! (`state::memory`): `cannot_take`, `take_next`, `open_deal`,
//! `close_deal`, `pass`, `enqueue`, `dequeue`, `forget`, `expire`,
//! `start_timer`, `stop_timer`; and the scripts `pick`, `claim`,
//! `reassign`, `drain`, `due`, `replied`, `can_take`, `close`,
//! `hand_over` are the twins of the `AssignmentState` methods of those
//! names.
//! `tests/it/agreement.rs` holds each pair to the same answers and books.

use std::sync::LazyLock;

use redis::Script;

use crate::state::PickRules;

static PRELUDE: &str = include_str!("scripts/prelude.lua");

macro_rules! scripts {
    ($($name:ident = $file:literal),* $(,)?) => {
        $(pub(super) static $name: LazyLock<Script> =
            LazyLock::new(|| Script::new(&[PRELUDE, include_str!(concat!("scripts/", $file))].concat()));)*
    };
}

scripts! {
    PICK = "pick.lua",
    CAN_TAKE = "can_take.lua",
    CLAIM = "claim.lua",
    CLOSE = "close.lua",
    REASSIGN = "reassign.lua",
    DRAIN = "drain.lua",
    REPLIED = "replied.lua",
    HAND_OVER = "hand_over.lua",
    DUE = "due.lua",
}

/// Scripts without the account's book (no prelude).
pub(super) static MOVE_CURSOR: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("scripts/move_cursor.lua")));
pub(super) static MIGRATE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("scripts/migrate.lua")));
pub(super) static MIGRATE_DEAL: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("scripts/migrate_deal.lua")));

/// What a script call is about beside its arguments.
pub(super) struct Call<'a> {
    pub(super) account: &'a str,
    /// The script's own keys, after the account's book.
    pub(super) keys: &'a [String],
    /// The instant; `None`: the server's clock.
    pub(super) now_ms: Option<u64>,
    /// With more than 0, the call's writes reach that many replicas before
    /// it answers.
    pub(super) replicas: u32,
}

impl<'a> Call<'a> {
    pub(super) fn on(account: &'a str) -> Self {
        Call { account, keys: &[], now_ms: None, replicas: 0 }
    }

    pub(super) fn keys(self, keys: &'a [String]) -> Self {
        Call { keys, ..self }
    }

    pub(super) fn at(self, now_ms: Option<u64>) -> Self {
        Call { now_ms, ..self }
    }
}

/// A script's arguments after the time and a deal's lifetime (ARGV 3 on),
/// in the order its header lists them, each put by what it is.
#[derive(Default)]
pub(super) struct Args(pub(super) Vec<Vec<u8>>);

impl Args {
    pub(super) fn text(mut self, text: &str) -> Self {
        self.0.push(text.as_bytes().to_vec());
        self
    }

    /// `1` or `0`.
    pub(super) fn flag(self, on: bool) -> Self {
        self.text(if on { "1" } else { "0" })
    }

    pub(super) fn number(self, n: impl Into<u128>) -> Self {
        self.text(&n.into().to_string())
    }

    /// The pick rules over `handles`, as the prelude's `rules(at)` reads
    /// them: skip (0/1), n, the n handles, m, m (handle, limit) pairs, k,
    /// the k handles outside their hours.
    pub(super) fn rules(mut self, handles: &[String], rules: &PickRules<'_>) -> Self {
        self = self.flag(rules.skip_unavailable).number(handles.len() as u64);
        for handle in handles {
            self = self.text(handle);
        }
        self = self.number(rules.max_open.len() as u64);
        for (handle, max) in rules.max_open {
            self = self.text(handle).number(*max);
        }
        self = self.number(rules.away.len() as u64);
        for handle in rules.away {
            self = self.text(handle);
        }
        self
    }
}
