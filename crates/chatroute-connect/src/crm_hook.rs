//! amoCRM's webhooks, form-encoded as amoCRM sends them
//! (`leads[status][0][id]=...&leads[status][0][status_id]=142`,
//! `leads[delete][0][id]`, `leads[responsible][0][responsible_user_id]`).
//! What the integration takes from them (`Changes`): the deals that
//! closed (won, lost or deleted), which the runtime then closes (their
//! member's open-deal count freed, their timers stopped), and the deals a
//! person gave another responsible, who becomes their owner there.

use std::collections::BTreeMap;

use crate::amocrm::{LOST, WON};

/// What a webhook body reports.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub(crate) closed: Vec<u64>,
    /// (deal, amoCRM user now responsible).
    pub(crate) responsible: Vec<(u64, u64)>,
}

/// Reads a webhook body.
pub(crate) fn changes(body: &[u8]) -> Result<Changes, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| format!("not an amoCRM webhook body: {e}"))?;
    // `leads[<event>][<n>][<field>]` -> (event, n) -> field -> value.
    let mut events: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for (name, value) in pairs {
        let Some(rest) = name.strip_prefix("leads[") else { continue };
        let parts: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
        if let [event, n, field] = parts.as_slice() {
            events.entry(((*event).to_owned(), (*n).to_owned())).or_default().insert((*field).to_owned(), value);
        }
    }
    let number = |fields: &BTreeMap<String, String>, key: &str| fields.get(key).and_then(|v| v.parse::<u64>().ok());
    let mut changes = Changes::default();
    for ((event, _), fields) in &events {
        let Some(deal) = number(fields, "id") else { continue };
        match event.as_str() {
            "delete" => changes.closed.push(deal),
            "status" | "update" if number(fields, "status_id").is_some_and(|s| s == WON || s == LOST) => {
                changes.closed.push(deal);
            }
            "responsible" => changes.responsible.extend(number(fields, "responsible_user_id").map(|u| (deal, u))),
            _ => {}
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::changes;

    #[test]
    fn won_lost_and_deleted_deals_are_closed_and_handed_over_ones_followed() {
        let body = "leads%5Bstatus%5D%5B0%5D%5Bid%5D=11&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142\
            &leads[status][1][id]=12&leads[status][1][status_id]=50021\
            &leads[status][2][id]=13&leads[status][2][status_id]=143\
            &leads[delete][0][id]=14&leads[responsible][0][id]=15&leads[responsible][0][responsible_user_id]=1003\
            &account[subdomain]=acme";
        let mut found = changes(body.as_bytes()).unwrap();
        found.closed.sort();
        assert_eq!(found.closed, [11, 13, 14]);
        assert_eq!(found.responsible, [(15, 1003)]);
        assert_eq!(changes(b"").unwrap(), super::Changes::default());
    }
}
