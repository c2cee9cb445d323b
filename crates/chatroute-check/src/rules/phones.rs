//! Checks that need libphonenumber's data: channel numbers, client regions
//! and the 8 -> +7 rewrite against them.
//!
//! The rules only collect `PhoneFacts` (owned values and their spans), and
//! `check` checks them after every other rule.

use std::ops::Range;

use super::Ctx;
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::i18n::t;
use crate::paths::SpecPath;
use crate::phone;

/// What a file says about phone numbers, with the spans to report at.
#[derive(Debug, Clone, Default)]
pub struct PhoneFacts {
    /// Channel numbers: (number, span of the value).
    pub numbers: Vec<(String, Range<usize>)>,
    /// Client regions: (code, span of the value).
    pub regions: Vec<(String, Range<usize>)>,
    /// The span of `to_international = true`, when the rewrite is on.
    pub rewrite: Option<Range<usize>>,
}

pub fn collect(cx: &mut Ctx<'_>) {
    let phones = &cx.spec.phones;
    for (i, region) in phones.client_regions.iter().enumerate() {
        cx.phone_facts.regions.push((region.clone(), cx.value(&SpecPath::client_region(i))));
    }
    if phones.to_international {
        cx.phone_facts.rewrite = Some(cx.value(&SpecPath::to_international()));
    }
}

/// The diagnostics of a file's phone facts.
pub fn check(facts: &PhoneFacts) -> Vec<Diagnostic> {
    let numbers = facts.numbers.iter().filter_map(|(value, span)| invalid_phone(value, span));
    let regions = facts.regions.iter().filter_map(|(region, span)| region_rule(region, span, facts.rewrite.as_ref()));
    numbers.chain(regions).collect()
}

/// CR602: a channel number libphonenumber does not accept, with the number
/// the writer most likely meant.
fn invalid_phone(value: &str, span: &Range<usize>) -> Option<Diagnostic> {
    if phone::channel_number(value).is_some() {
        return None;
    }
    let help = match phone::likely_meant(value) {
        Some(meant) => t!("cr602-help", meant = meant),
        None if value.trim_start().starts_with('+') => t!("cr602-help-digits"),
        None => t!("cr602-help", meant = "+7 999 000-00-01"),
    };
    Some(
        Diagnostic::new(Code::InvalidPhone, t!("cr602-message", value = value))
            .label(span.clone(), t!("cr602-label"))
            .help(help),
    )
}

/// CR606 (an unknown region code) and CR607 (a +8x region while the
/// 8 -> +7 rewrite is on): one calling-code lookup decides both.
fn region_rule(region: &str, span: &Range<usize>, rewrite: Option<&Range<usize>>) -> Option<Diagnostic> {
    match phone::calling_code(region) {
        None => {
            let upper = region.to_uppercase();
            let suggestion = phone::regions().find(|r| *r == upper).or_else(|| closest(region, phone::regions()));
            Some(
                Diagnostic::new(Code::UnknownRegion, t!("cr606-message", region = region))
                    .label(span.clone(), t!("cr606-label"))
                    .help(t!("cr606-help"))
                    .suggest(suggestion),
            )
        }
        Some(code) if code.to_string().starts_with('8') => Some(
            Diagnostic::new(Code::TrunkPrefixRegion, t!("cr607-message", region = region, code = code.to_string()))
                .label(span.clone(), format!("+{code}"))
                .label(rewrite?.clone(), t!("cr607-label"))
                .help(t!("cr607-help")),
        ),
        Some(_) => None,
    }
}
