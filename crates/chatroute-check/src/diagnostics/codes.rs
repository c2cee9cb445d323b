//! The registry of diagnostic codes. Codes are stable: never renumber one,
//! retire it instead. Long explanations live in `crates/chatroute-check/docs/diagnostics.md`, one
//! `## CODE` section each, which is also what `chatroute explain` prints.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in output, e.g. `CR101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The severity diagnostics of this code have.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// A one-line summary of the rule.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    Syntax = "CR001", Error, "TOML syntax error";
    NotText = "CR002", Error, "file is not UTF-8 text";
    TooLarge = "CR003", Error, "file too large";
    UnknownKey = "CR010", Error, "unknown key";
    MissingKey = "CR011", Error, "missing required key";
    WrongType = "CR012", Error, "value of the wrong type";
    InvalidValue = "CR013", Error, "value not among the allowed ones";
    OutOfRange = "CR014", Error, "value outside its allowed range";
    UnsupportedVersion = "CR015", Error, "unsupported spec version";
    TableTooLarge = "CR016", Error, "routing table too large to load";
    UnknownEmployee = "CR101", Error, "unknown employee";
    ReservedHandle = "CR102", Error, "`everyone` is reserved";
    DuplicateEntry = "CR103", Error, "employee listed twice";
    InvalidIdentifier = "CR104", Error, "identifier outside the allowed characters";
    WeightOutsideRoundRobin = "CR201", Error, "weight outside round_robin";
    AfterCloseOutsideRoundRobin = "CR202", Error, "after_close outside round_robin";
    EmptyMembers = "CR203", Error, "assignment without members";
    MemberCannotSend = "CR204", Error, "assignment member cannot answer";
    NoAssignment = "CR205", Error, "channel without a responsible rule";
    CycleTooLong = "CR206", Error, "round-robin cycle too long";
    WhenNobodyNeverApplies = "CR207", Warning, "when_nobody without anything that can skip";
    AssignAnywayWithoutSkip = "CR208", Warning, "assign_anyway without skip_unavailable";
    ReturningClientsOutsideRoundRobin = "CR209", Error, "returning_clients outside round_robin";
    BadDuration = "CR210", Error, "bad duration";
    ShortReassign = "CR211", Warning, "reassign_after under a minute";
    ReassignOutsideRoundRobin = "CR212", Error, "reassign_after outside round_robin";
    ReassignWithOneMember = "CR213", Warning, "reassign_after with a single member";
    CapWithoutReassign = "CR214", Warning, "max_reassignments without reassign_after";
    DuplicateDefaultOutgoing = "CR301", Error, "two default outgoing channels";
    DefaultOutgoingCannotSend = "CR302", Error, "default outgoing channel without read_send";
    NoDefaultOutgoing = "CR303", Warning, "several sendable channels, no default";
    AdminsOutsideOwnAndUnassigned = "CR401", Error, "chat admins need own_and_unassigned";
    AdminTakesDeals = "CR402", Warning, "chat admin also takes deals";
    UnsortedStage = "CR501", Error, "new deals in the Unsorted stage";
    ClosedStage = "CR502", Error, "new deals in a closed stage";
    NoNewDealStage = "CR503", Error, "channel without a new-deal stage";
    MissingPhone = "CR601", Error, "channel without phone";
    InvalidPhone = "CR602", Error, "invalid phone number";
    MissingHandle = "CR603", Error, "channel without handle";
    InvalidHandle = "CR604", Error, "invalid handle";
    ForeignAddress = "CR605", Error, "address of another transport";
    UnknownRegion = "CR606", Error, "unknown region code";
    TrunkPrefixRegion = "CR607", Warning, "client region dialled with 8 while to_international is on";
    NothingRouted = "CR608", Warning, "no enabled channel";
    MissingId = "CR609", Error, "channel without id";
    InvalidId = "CR610", Error, "invalid channel id";
    UnknownPipeline = "CR701", Error, "pipeline not in the CRM account";
    UnknownStage = "CR702", Error, "stage not in the pipeline";
    AmbiguousName = "CR703", Error, "name matches several CRM objects";
    StageOfOtherPipeline = "CR704", Error, "stage belongs to another pipeline";
    UnknownCrmUser = "CR705", Error, "crm_user not in the CRM account";
    NoCrmUser = "CR706", Error, "no CRM user for employee";
    SeveralCrmUsers = "CR707", Error, "several CRM users match employee";
    InactiveCrmUser = "CR708", Warning, "CRM user is inactive";
    UnmentionedCrmUsers = "CR709", Advice, "CRM users the spec does not mention";
    ContactsMangled = "CR710", Warning, "contacts' numbers the 8 -> +7 rewrite would mangle";
    SnapshotOfOtherAccount = "CR711", Error, "snapshot of another account";
    ArchivedPipeline = "CR712", Error, "new deals in an archived pipeline";
    UnknownWazzupChannel = "CR801", Error, "channel not in the Wazzup account";
    WazzupTransportMismatch = "CR802", Error, "transport differs from Wazzup's";
    WazzupChannelNotActive = "CR803", Warning, "Wazzup channel not active";
    UnmentionedWazzupChannels = "CR804", Advice, "Wazzup channels the spec does not mention";
    WazzupIdCollision = "CR805", Error, "Wazzup channelId shared or colliding";
    UnknownTimeZone = "CR901", Error, "unknown time zone";
    BadInterval = "CR902", Error, "bad working-hours interval";
    BadDay = "CR903", Error, "bad day, range of days or date";
    OverlappingIntervals = "CR904", Warning, "working-hours intervals overlap";
    UnknownSchedule = "CR905", Error, "unknown schedule";
    ScheduleNeverOpen = "CR906", Error, "schedule never open";
    UnusedSchedule = "CR907", Warning, "schedule nobody works to";
    ScheduleChangesNothing = "CR908", Warning, "schedule of an employee nobody skips";
    MissingTimeZone = "CR909", Error, "schedule without a time zone";
}

/// The long explanations, one `## CODE: title` section per code.
const EXPLANATIONS: &str = include_str!("../../docs/diagnostics.md");
const EXPLANATIONS_RU: &str = include_str!("../../docs/diagnostics.ru.md");

impl Code {
    /// Parses `CR101` (any case).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The long explanation, in the current language, from
    /// `crates/chatroute-check/docs/diagnostics.md` (Russian:
    /// `diagnostics.ru.md`): what it means, why the rule exists, an
    /// example and the fix.
    pub fn explanation(self) -> &'static str {
        self.explanation_in(crate::i18n::current())
    }

    /// The long explanation in `lang`.
    pub fn explanation_in(self, lang: crate::i18n::Lang) -> &'static str {
        let explanations = match lang {
            crate::i18n::Lang::En => EXPLANATIONS,
            crate::i18n::Lang::Ru => EXPLANATIONS_RU,
        };
        let heading = format!("## {}", self.as_str());
        let Some(start) = explanations.find(&heading) else {
            return "";
        };
        let body = &explanations[start..];
        let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
        body[..end].trim_end()
    }

    /// The id GitHub gives the code's heading in diagnostics.md
    /// (`cr204-assignment-member-cannot-answer`): a link to the
    /// explanation lands on it. The English page's, in every language.
    pub fn anchor(self) -> String {
        let heading = self.explanation_in(crate::i18n::Lang::En).lines().next().unwrap_or_default();
        heading_id(heading.trim_start_matches("## "))
    }

    /// Whether the entries a diagnostic of this code labels decide it
    /// alone: more text elsewhere in the file can never make it untrue. A
    /// file with syntax errors gets only these from the tables that read
    /// cleanly (`check`); an unknown handle, a missing key or an unused
    /// schedule may be answered by the table that is being typed.
    pub fn is_local(self) -> bool {
        use Code::*;
        matches!(
            self,
            Syntax
                | OutOfRange
                | UnknownKey
                | WrongType
                | InvalidValue
                | UnsupportedVersion
                | ReservedHandle
                | DuplicateEntry
                | InvalidIdentifier
                | BadDuration
                | ShortReassign
                | InvalidPhone
                | InvalidHandle
                | ForeignAddress
                | UnknownRegion
                | InvalidId
                | UnknownPipeline
                | UnknownCrmUser
                | UnknownTimeZone
                | BadInterval
                | BadDay
                | OverlappingIntervals
        )
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id GitHub gives a Markdown heading: lower case, spaces to hyphens,
/// other punctuation dropped.
pub fn heading_id(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_githubs_heading_ids() {
        assert_eq!(Code::parse("CR204").unwrap().anchor(), "cr204-assignment-member-cannot-answer");
        assert_eq!(Code::parse("CR102").unwrap().anchor(), "cr102-everyone-is-reserved");
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(code.anchor().starts_with(&code.as_str().to_lowercase()), "{code}");
            assert!(seen.insert(code.anchor()), "{code}: two headings, one id");
        }
    }

    #[test]
    fn every_code_is_explained_with_example_and_fix() {
        for code in Code::ALL {
            let text = code.explanation();
            assert!(text.starts_with(&format!("## {code}: {}", code.title())), "{code}: {text}");
            assert!(text.contains("```toml"), "{code} has no example");
            assert!(text.contains("Fix:"), "{code} has no fix");
        }
    }

    #[test]
    fn docs_explain_no_retired_or_unknown_code() {
        let documented = EXPLANATIONS.lines().filter(|l| l.starts_with("## CR")).count();
        assert_eq!(documented, Code::ALL.len());
    }

    #[test]
    fn parse_round_trips() {
        for code in Code::ALL {
            assert_eq!(Code::parse(&code.as_str().to_lowercase()), Some(*code));
        }
        assert_eq!(Code::parse("CR999"), None);
    }
}
