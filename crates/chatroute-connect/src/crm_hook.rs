//! amoCRM's webhooks, form-encoded as amoCRM sends them
//! (`leads[status][0][id]=...&leads[status][0][status_id]=142`,
//! `leads[delete][0][id]`, `leads[responsible][0][responsible_user_id]`).
//! What the integration takes from them: the deals that closed (won, lost
//! or deleted), whose dialogs the runtime then closes (their member's
//! open-deal count freed, their timers stopped).

use std::collections::BTreeMap;

use crate::amocrm::{LOST, WON};

/// The deals a webhook body reports closed.
pub(crate) fn closed_deals(body: &[u8]) -> Result<Vec<u64>, String> {
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
    let closed = events.iter().filter_map(|((event, _), fields)| match event.as_str() {
        "delete" => number(fields, "id"),
        "status" | "update" if number(fields, "status_id").is_some_and(|s| s == WON || s == LOST) => {
            number(fields, "id")
        }
        _ => None,
    });
    Ok(closed.collect())
}

#[cfg(test)]
mod tests {
    use super::closed_deals;

    #[test]
    fn won_lost_and_deleted_deals_are_closed_and_others_not() {
        let body = "leads%5Bstatus%5D%5B0%5D%5Bid%5D=11&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142\
            &leads[status][1][id]=12&leads[status][1][status_id]=50021\
            &leads[status][2][id]=13&leads[status][2][status_id]=143\
            &leads[delete][0][id]=14&leads[responsible][0][id]=15&leads[responsible][0][responsible_user_id]=1003\
            &account[subdomain]=acme";
        let mut closed = closed_deals(body.as_bytes()).unwrap();
        closed.sort();
        assert_eq!(closed, [11, 13, 14]);
        assert_eq!(closed_deals(b"").unwrap(), Vec::<u64>::new());
    }
}
