//! Resolution of spec references against a snapshot. Names resolve exactly
//! first, then case-insensitively; more than one match at the deciding step
//! is ambiguous. Ids resolve by id. Rules turn misses into diagnostics; the
//! compiler uses the hits.

use super::snapshot::{Pipeline, Snapshot, Status, User};
use crate::diagnostics::closest;
use crate::spec::{Employee, NameOrId, StageRef};

/// The outcome of looking a reference up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'s, T> {
    Found(&'s T),
    Missing { suggestion: Option<&'s str> },
    Ambiguous(Vec<&'s T>),
}

/// A stage reference resolved as far as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageLookup<'s> {
    NoPipeline {
        suggestion: Option<&'s str>,
    },
    SeveralPipelines(Vec<&'s Pipeline>),
    NoStage {
        pipeline: &'s Pipeline,
        suggestion: Option<&'s str>,
    },
    SeveralStages {
        pipeline: &'s Pipeline,
        found: Vec<&'s Status>,
    },
    /// A stage id of another pipeline: stages are per pipeline in amoCRM.
    OtherPipeline {
        pipeline: &'s Pipeline,
        owner: &'s Pipeline,
    },
    Found(&'s Pipeline, &'s Status),
}

/// Finds by exact name, then by case-insensitive name.
fn by_name<'s, T>(items: &'s [T], name: &str, name_of: impl Fn(&T) -> &str) -> Lookup<'s, T> {
    let exact: Vec<&T> = items.iter().filter(|i| name_of(i) == name).collect();
    let matches = if exact.is_empty() {
        let lower = name.to_lowercase();
        items.iter().filter(|i| name_of(i).to_lowercase() == lower).collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Lookup::Found(one),
        [] => Lookup::Missing { suggestion: closest(name, items.iter().map(&name_of)) },
        _ => Lookup::Ambiguous(matches),
    }
}

fn find<'s, T>(items: &'s [T], r: &NameOrId, id_of: impl Fn(&T) -> u64, name_of: impl Fn(&T) -> &str) -> Lookup<'s, T> {
    match r {
        NameOrId::Id(id) => {
            items.iter().find(|i| id_of(i) == *id).map_or(Lookup::Missing { suggestion: None }, Lookup::Found)
        }
        NameOrId::Name(name) => by_name(items, name, name_of),
    }
}

impl Snapshot {
    pub fn stage(&self, r: &StageRef) -> StageLookup<'_> {
        let pipeline = match find(&self.pipelines, &r.pipeline, |p| p.id, |p| &p.name) {
            Lookup::Found(p) => p,
            Lookup::Missing { suggestion } => return StageLookup::NoPipeline { suggestion },
            Lookup::Ambiguous(found) => return StageLookup::SeveralPipelines(found),
        };
        match find(&pipeline.statuses, &r.stage, |s| s.id, |s| &s.name) {
            Lookup::Found(s) => StageLookup::Found(pipeline, s),
            Lookup::Ambiguous(found) => StageLookup::SeveralStages { pipeline, found },
            Lookup::Missing { suggestion } => {
                let owner = match &r.stage {
                    NameOrId::Id(id) => self.pipelines.iter().find(|p| p.statuses.iter().any(|s| s.id == *id)),
                    NameOrId::Name(_) => None,
                };
                match owner {
                    Some(owner) => StageLookup::OtherPipeline { pipeline, owner },
                    None => StageLookup::NoStage { pipeline, suggestion },
                }
            }
        }
    }

    /// The CRM user of an employee: by `crm_user` id, else by exact name,
    /// else by email.
    pub fn user(&self, employee: &Employee) -> Lookup<'_, User> {
        if let Some(id) = employee.crm_user {
            return self.users.iter().find(|u| u.id == id).map_or(Lookup::Missing { suggestion: None }, Lookup::Found);
        }
        let by_name: Vec<&User> = self.users.iter().filter(|u| u.name == employee.name).collect();
        let matches = match (&by_name[..], &employee.email) {
            ([], Some(email)) => self
                .users
                .iter()
                .filter(|u| u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)))
                .collect(),
            _ => by_name,
        };
        match matches.as_slice() {
            [one] => Lookup::Found(one),
            [] => Lookup::Missing { suggestion: closest(&employee.name, self.users.iter().map(|u| u.name.as_str())) },
            _ => Lookup::Ambiguous(matches),
        }
    }
}
