//! The tables a service serves: one file (`serve TABLE`), or every `*.json`
//! of a directory under its account (`serve DIR`). Each file is read,
//! verified and activated on its own: a change to one file touches its
//! account alone, and a refused file leaves its account's previous table
//! serving. A table the state could not be asked about (Redis briefly
//! down) is not refused: its account waits (503 with `Retry-After`) and the
//! file is read again at the next look, until the state answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chatroute_runtime::{AssignmentState, Router};

use crate::api::{AccountStatus, ReloadError};

/// A verified table, serving.
pub struct Active<S: AssignmentState> {
    pub router: Router<S>,
    pub hash: String,
    pub generator: String,
    pub loaded_at: u64,
    pub file: PathBuf,
}

/// What is known of one table file.
struct FileState {
    /// When it was last read (dev, inode, mtime, size): a change is a reload.
    identity: Option<Identity>,
    /// The account it serves, once it loaded.
    account: Option<String>,
    last_error: Option<ReloadError>,
    /// Refused because this account is served from another file: read
    /// again once that file ends the account (a rename in two steps).
    blocked_by: Option<String>,
    /// Its table waits for the state: read again at every look.
    waiting: bool,
}

impl FileState {
    fn new(account: Option<String>) -> Self {
        FileState { identity: None, account, last_error: None, blocked_by: None, waiting: false }
    }
}

/// Why a file read again was not activated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The file or its table: refused until the file changes.
    Permanent(String),
    /// Another file serves the account: refused until that one ends it.
    Blocked { account: String, message: String },
    /// The state could not be asked (it may answer at the next look): the
    /// account waits, the file is read again.
    Transient { account: String, message: String },
}

pub(crate) type Identity = (u64, u64, i64, i64, u64);

/// A file read again: its path, its identity then, and its table activated
/// or why not.
pub(crate) type Reread<S> = (PathBuf, Option<Identity>, Result<Active<S>, Refusal>);

fn identity(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino(), m.mtime_nsec(), m.mtime(), m.len()))
}

/// Every account served and every file looked at.
pub(crate) struct Tables<S: AssignmentState> {
    accounts: HashMap<String, Arc<Active<S>>>,
    files: HashMap<PathBuf, FileState>,
    /// Accounts whose file was removed: asked for, they answer so.
    removed: std::collections::HashSet<String>,
    /// Accounts whose table waits for the state to answer, with why.
    waiting: HashMap<String, String>,
}

/// How one scan went, for the log and the metrics.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    pub loaded: Vec<String>,
    pub refused: Vec<String>,
    pub removed: Vec<String>,
    /// Accounts whose table waits for the state.
    pub waiting: Vec<String>,
    /// Files to read again at once: refused while another file served
    /// their account, which has just ended.
    pub unblocked: usize,
}

impl<S: AssignmentState> Default for Tables<S> {
    fn default() -> Self {
        Tables { accounts: HashMap::new(), files: HashMap::new(), removed: Default::default(), waiting: HashMap::new() }
    }
}

/// The table files under `source` with their identities: the file
/// itself, or a directory's `*.json` files. Read without any lock held,
/// so requests never wait on a directory's worth of `stat`s.
pub(crate) fn files(source: &Path) -> std::io::Result<HashMap<PathBuf, Option<Identity>>> {
    if !source.is_dir() {
        return Ok([(source.to_owned(), identity(source))].into());
    }
    let found = std::fs::read_dir(source)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let seen = identity(&p);
            (p, seen)
        })
        .filter(|(p, _)| p.is_file())
        .collect();
    Ok(found)
}

impl<S: AssignmentState> Tables<S> {
    pub(crate) fn account(&self, account: &str) -> Option<&Arc<Active<S>>> {
        self.accounts.get(account)
    }

    pub(crate) fn was_removed(&self, account: &str) -> bool {
        self.removed.contains(account)
    }

    /// Why `account`'s table (any, for `None`) waits for the state.
    pub(crate) fn waits(&self, account: Option<&str>) -> Option<&String> {
        match account {
            Some(account) => self.waiting.get(account),
            None => self.waiting.values().next(),
        }
    }

    /// Accounts whose table waits for the state, in name order.
    pub(crate) fn waiting(&self) -> Vec<&String> {
        let mut out: Vec<&String> = self.waiting.keys().collect();
        out.sort();
        out
    }

    /// Every table served.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<Active<S>>> {
        self.accounts.values()
    }

    /// The only table, in single-file mode.
    pub(crate) fn only(&self) -> Option<&Arc<Active<S>>> {
        self.accounts.values().next()
    }

    /// The last refused reload of the file that serves `account`.
    pub(crate) fn last_error(&self, active: &Active<S>) -> Option<ReloadError> {
        self.files.get(&active.file).and_then(|f| f.last_error.clone())
    }

    /// Every account with its table, and every file refused before it ever
    /// loaded (account unknown), by account then file.
    pub(crate) fn statuses(&self) -> Vec<AccountStatus> {
        let mut out: Vec<AccountStatus> = self
            .accounts
            .iter()
            .map(|(account, active)| AccountStatus {
                account: Some(account.clone()),
                hash: Some(active.hash.clone()),
                loaded_at: Some(active.loaded_at),
                file: active.file.display().to_string(),
                last_reload_error: self.last_error(active),
            })
            .collect();
        let never = self.files.iter().filter(|(_, f)| f.account.is_none() && f.last_error.is_some());
        out.extend(never.map(|(file, f)| AccountStatus {
            account: None,
            hash: None,
            loaded_at: None,
            file: file.display().to_string(),
            last_reload_error: f.last_error.clone(),
        }));
        out.sort_by(|a, b| (&a.account, &a.file).cmp(&(&b.account, &b.file)));
        out
    }

    /// The files of `present` to read again: changed ones (every one if
    /// `forced`), in name order, so of two files for one account the first
    /// keeps it.
    pub(crate) fn changed(
        &self,
        present: &HashMap<PathBuf, Option<Identity>>,
        forced: bool,
    ) -> Vec<(PathBuf, Option<Identity>)> {
        let mut changed: Vec<(PathBuf, Option<Identity>)> = present
            .iter()
            .filter(|(file, seen)| forced || self.files.get(*file).map(|f| f.identity) != Some(**seen))
            .map(|(file, seen)| (file.clone(), *seen))
            .collect();
        changed.sort();
        changed
    }

    /// Applies a scan: ends the accounts whose file is gone from
    /// `present`, installs what activated among the files read again
    /// (`read`: each file, its identity, its activated table or why not),
    /// and records what did not.
    pub(crate) fn apply(
        &mut self,
        present: &HashMap<PathBuf, Option<Identity>>,
        read: Vec<Reread<S>>,
        now: u64,
    ) -> Scan {
        let mut scan = Scan::default();
        let gone: Vec<PathBuf> = self.files.keys().filter(|f| !present.contains_key(*f)).cloned().collect();
        for file in gone {
            if let Some(account) = self.files.remove(&file).and_then(|f| f.account) {
                self.end(&account, &mut scan);
            }
        }
        for (file, seen, activated) in read {
            let state = match activated.and_then(|active| self.install(&file, now, active)) {
                Ok(account) => {
                    scan.loaded.push(account);
                    self.files.get_mut(&file)
                }
                Err(refusal) => Some(self.refused(&file, refusal, now, &mut scan)),
            };
            if let Some(state) = state {
                // A table waiting for the state, or unblocked meanwhile, is
                // read again next time.
                state.identity = if state.waiting { None } else { seen };
            }
        }
        scan
    }

    /// Records a refusal of `file`; its state.
    fn refused(&mut self, file: &Path, refusal: Refusal, now: u64, scan: &mut Scan) -> &mut FileState {
        let (message, blocked_by, waiting) = match refusal {
            Refusal::Permanent(message) => (message, None, None),
            Refusal::Blocked { account, message } => (message, Some(account), None),
            Refusal::Transient { account, message } => (message, None, Some(account)),
        };
        match &waiting {
            Some(account) => scan.waiting.push(account.clone()),
            None => scan.refused.push(message.clone()),
        }
        // An account served already keeps serving; one not yet waits.
        if let Some(account) = waiting.as_ref().filter(|a| !self.accounts.contains_key(*a)) {
            self.waiting.insert(account.clone(), message.clone());
        }
        let state = self.files.entry(file.to_owned()).or_insert_with(|| FileState::new(None));
        state.blocked_by = blocked_by;
        state.waiting = waiting.is_some();
        state.last_error = Some(ReloadError { at: now, message });
        state
    }

    /// Ends an account (its file gone, or holding another account now);
    /// a file refused because this account was served elsewhere is read
    /// again.
    fn end(&mut self, account: &str, scan: &mut Scan) {
        self.accounts.remove(account);
        self.removed.insert(account.to_owned());
        scan.removed.push(account.to_owned());
        for state in self.files.values_mut().filter(|f| f.blocked_by.as_deref() == Some(account)) {
            state.identity = None;
            state.blocked_by = None;
            scan.unblocked += 1;
        }
    }

    /// One activated table put in service; its account, or why it was
    /// refused (another file serves that account).
    fn install(&mut self, file: &Path, now: u64, mut active: Active<S>) -> Result<String, Refusal> {
        let account = active.router.table().account.clone();
        if let Some(other) = self.accounts.get(&account).filter(|a| a.file != file) {
            let message = format!(
                "{}: account `{account}` is served from {} already; one file per account",
                file.display(),
                other.file.display()
            );
            return Err(Refusal::Blocked { account, message });
        }
        active.loaded_at = now;
        let previous = self.files.insert(file.to_owned(), FileState::new(Some(account.clone())));
        // A file that now holds another account ends its old one.
        if let Some(old) = previous.and_then(|p| p.account).filter(|old| *old != account) {
            self.accounts.remove(&old);
            self.removed.insert(old);
        }
        self.removed.remove(&account);
        self.waiting.remove(&account);
        self.accounts.insert(account.clone(), Arc::new(active));
        Ok(account)
    }
}
