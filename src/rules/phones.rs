//! Phone rule checks: client regions are real ISO 3166 codes, and regions
//! whose calling code starts with 8 clash with the 8 -> +7 rewrite.

use super::Ctx;
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::phone;

pub fn check(cx: &mut Ctx<'_>) {
    let phones = &cx.spec.phones;
    for (i, region) in phones.client_regions.iter().enumerate() {
        let idx = i.to_string();
        let span = cx.loc.value(&["phones", "client_regions", &idx]);
        match phone::calling_code(region) {
            None => {
                let upper = region.to_uppercase();
                let suggestion = phone::regions().find(|r| *r == upper).or_else(|| closest(region, phone::regions()));
                cx.emit(
                    Diagnostic::new(
                        Code::UnknownRegion,
                        format!("`{region}` is not an ISO 3166-1 alpha-2 region code"),
                    )
                    .label(span, "unknown region")
                    .help("use two upper-case letters, e.g. \"RU\", \"KZ\", \"JP\"")
                    .suggest(suggestion),
                );
            }
            Some(code) if phones.to_international && code.to_string().starts_with('8') => {
                cx.emit(
                    Diagnostic::new(
                        Code::TrunkPrefixRegion,
                        format!("clients in {region} (+{code}) may write numbers starting with 8, which the 8 -> +7 rewrite would mangle"),
                    )
                    .label(span, format!("+{code}"))
                    .label(cx.loc.value(&["phones", "to_international"]), "rewrite is on")
                    .help("set to_international = false if these clients write without `+`"),
                );
            }
            Some(_) => {}
        }
    }
}
