//! Stage 3: the semantic rules of DESIGN.md, each with its own code.
//!
//! Rules read the typed spec (through `resolve` for precedence) and ask the
//! `Locator` where to point. They never stop at the first problem.

mod access;
mod assignment;
mod channels;
mod crm;
pub(crate) mod deals;
mod global_chat;
pub mod phones;
mod references;

use std::collections::HashSet;

use crate::crm::Snapshot;
use crate::diagnostics::Diagnostic;
use crate::parse::Locator;
use crate::spec::Spec;
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
}

/// The assignments of a spec with the path of their table.
pub(crate) fn assignments(spec: &Spec) -> impl Iterator<Item = (Vec<&str>, &crate::spec::Assignment)> {
    let global = spec.assignment.iter().map(|a| (vec!["assignment"], a));
    let per_channel = spec
        .channels
        .iter()
        .filter_map(|(id, c)| c.assignment.as_ref().map(|a| (vec!["channels", id.as_str(), "assignment"], a)));
    global.chain(per_channel)
}

/// A path below `base`, e.g. `["assignment"] + ["members", "0"]`.
pub(crate) fn join(base: &[&str], rest: &[&str]) -> Vec<String> {
    base.iter().chain(rest).map(|s| s.to_string()).collect()
}

/// Runs every rule; the checks that need libphonenumber's data come back
/// as facts for `phones::check`.
pub fn run(
    spec: &Spec,
    loc: Locator<'_>,
    handles: &HashSet<String>,
    crm: Option<&Snapshot>,
) -> (Vec<Diagnostic>, PhoneFacts) {
    let mut cx = Ctx { spec, loc, handles, out: Vec::new(), phone_facts: PhoneFacts::default() };
    channels::version(&mut cx);
    references::identifiers(&mut cx);
    references::check(&mut cx);
    assignment::check(&mut cx);
    access::check(&mut cx);
    global_chat::check(&mut cx);
    deals::check(&mut cx);
    channels::check(&mut cx);
    phones::collect(&mut cx);
    if let Some(crm) = crm {
        crm::check(&mut cx, crm);
    }
    (cx.out, cx.phone_facts)
}
