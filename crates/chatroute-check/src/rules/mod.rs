//! Stage 3: the semantic rules of DESIGN.md, each with its own code.
//!
//! One file per area; in it, one function per code (or per tight pair),
//! whose doc comment names the code. Rules read the typed spec through
//! `resolve` for every precedence and point at the file only through the
//! typed paths of `paths`. They never stop at the first problem.

mod access;
mod assignment;
mod channels;
mod crm;
pub(crate) mod deals;
mod global_chat;
mod hours;
pub mod phones;
mod reassign;
pub mod references;
pub mod table_size;
mod wazzup;

use std::ops::Range;

use foldhash::HashSet;

use crate::accounts::Accounts;
use crate::diagnostics::Diagnostic;
use crate::parse::Locator;
use crate::paths::{AssignmentPath, SpecPath, StagePath};
use crate::resolve::Scope;
use crate::spec::{Assignment, Spec, StageRef};
pub use assignment::MAX_CYCLE;
pub use phones::PhoneFacts;

/// What every rule sees.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    pub loc: Locator<'a>,
    /// Employee handles written in the file, including ones whose entry the
    /// schema rejected, so a broken entry does not also read as unknown.
    pub handles: &'a HashSet<String>,
    pub out: Vec<Diagnostic>,
    pub phone_facts: PhoneFacts,
}

impl Ctx<'_> {
    pub fn emit(&mut self, diag: Diagnostic) {
        self.out.push(diag);
    }

    /// The span to underline for an entry: its key, or its value when it
    /// has none; the nearest written ancestor's when it is absent.
    pub fn key(&self, path: &SpecPath) -> Range<usize> {
        self.loc.key(path.segments())
    }

    /// The span of an entry's value (nearest written ancestor's key when absent).
    pub fn value(&self, path: &SpecPath) -> Range<usize> {
        self.loc.value(path.segments())
    }

    /// Whether the entry is written in the file (not defaulted).
    pub fn exists(&self, path: &SpecPath) -> bool {
        self.loc.exists(path.segments())
    }
}

/// Every assignment table of a spec with its path.
pub(crate) fn assignments(spec: &Spec) -> impl Iterator<Item = (AssignmentPath, &Assignment)> {
    let global = spec.assignment.iter().map(|a| (SpecPath::assignment(Scope::Integration), a));
    let per_channel = spec
        .channels
        .iter()
        .filter_map(|(id, c)| c.assignment.as_ref().map(|a| (SpecPath::channel(id).assignment(), a)));
    global.chain(per_channel)
}

/// Every written pipeline-and-stage reference with its path: the default,
/// then each channel's.
pub(crate) fn stage_refs(spec: &Spec) -> impl Iterator<Item = (StagePath, &StageRef)> {
    let default = spec.defaults.new_deals.iter().map(|s| (SpecPath::defaults_new_deals(), s));
    let per_channel =
        spec.channels.iter().filter_map(|(id, c)| c.new_deals.as_ref().map(|s| (SpecPath::channel(id).new_deals(), s)));
    default.chain(per_channel)
}

/// Runs every rule; the checks that need libphonenumber's data come back
/// as facts for `phones::check`.
pub fn run(
    spec: &Spec,
    loc: Locator<'_>,
    handles: &HashSet<String>,
    accounts: Accounts<'_>,
) -> (Vec<Diagnostic>, PhoneFacts) {
    let mut cx = Ctx { spec, loc, handles, out: Vec::new(), phone_facts: PhoneFacts::default() };
    channels::check(&mut cx);
    references::check(&mut cx);
    assignment::check(&mut cx);
    access::check(&mut cx);
    global_chat::check(&mut cx);
    deals::check(&mut cx);
    hours::check(&mut cx);
    reassign::check(&mut cx);
    phones::collect(&mut cx);
    table_size::check(&mut cx);
    if let Some(crm) = accounts.crm {
        crm::check(&mut cx, crm);
    }
    if let Some(account) = accounts.wazzup {
        wazzup::check(&mut cx, account);
    }
    (cx.out, cx.phone_facts)
}
