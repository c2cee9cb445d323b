//! `chatroute init`: a commented starter spec, built from the account
//! snapshot when there is one, that passes `check` as written. Each
//! setting of the source's menu it does not set is shown commented, in
//! the place it goes, so uncommenting a line is all it takes.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::check::Accounts;
use crate::wazzup::{AccountChannel, WazzupSnapshot};

/// A TOML string as the toml crate writes it: every character TOML
/// forbids raw (controls, DEL) escaped, whatever a CRM user's name holds.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A handle from an email's local part or a name: lower-case ASCII letters,
/// digits and `_`, unique, never `everyone`.
fn handle(name: &str, email: Option<&str>, id: u64, taken: &mut BTreeSet<String>) -> String {
    let base = email.and_then(|e| e.split('@').next()).unwrap_or(name);
    let mut h: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if h.is_empty() || h.starts_with(|c: char| c.is_ascii_digit()) || h == "everyone" || taken.contains(&h) {
        h = format!("user_{id}");
    }
    taken.insert(h.clone());
    h
}

/// The schema file `init` writes beside the spec, which the starter's
/// `#:schema` line names: editors find it wherever the spec is written.
pub const SCHEMA_FILE: &str = "chatroute.schema.json";

/// The settings the starter does not set, commented where they go.
const ASSIGNMENT_SETTINGS: &str = "\
# skip_unavailable = true            # skip members marked unavailable or out of their hours
# when_nobody = \"assign_anyway\"      # or \"unassigned\": the deal waits in the global chat
# returning_clients = \"owner\"        # a client who writes again goes to their employee
# reassign_after = \"15m\"             # no reply within 15 minutes: the next member
# max_reassignments = 2
# A member: { employee = \"...\", weight = 2 } takes two deals a turn; max_open = 20 caps open deals.
";

/// The channel of a starter without a Wazzup snapshot.
const ONE_CHANNEL: &str = "
# One channel to start with: replace the number with your WhatsApp number.
[channels.wa-main]
name = \"Main WhatsApp\"
transport = \"whatsapp\"
phone = \"+7 999 000-00-01\"

# new_deals = { pipeline = \"Sales\", stage = \"New lead\" }   # this channel's own stage

[channels.wa-main.access]            # \"none\" | \"read\" | \"read_send\"
everyone = \"read_send\"
# manager2 = \"read\"                  # reads the channel, cannot answer
# manager1 = { level = \"read_send\", default_outgoing = true }   # writes first from here

# This channel's own assignment, instead of [assignment]:
# [channels.wa-main.assignment]
# mode = \"first_responder\"
# members = [{ employee = \"manager1\" }]
";

/// The shared chat, the deal card and phones.
const TAIL: &str = "
[global_chat]
visibility = \"own_and_unassigned\"    # or \"all\"
# admins = [\"manager1\"]              # see every dialog (own_and_unassigned only)

[deal_card]
copy_dialog = \"hourly\"               # \"each_message\" | \"hourly\" | \"daily\" | \"off\"

[phones]
to_international = false             # 8XXXXXXXXXX -> +7XXXXXXXXXX; off if clients in Asia write without +
# client_regions = [\"RU\", \"KZ\"]       # where clients write from (warns where the rewrite misreads)
";

/// The starter spec: employees and the default stage from the CRM
/// snapshot, one channel per Wazzup channel, when given.
pub fn starter(accounts: Accounts<'_>) -> String {
    let crm = accounts.crm;
    let mut out = format!(
        "#:schema ./{SCHEMA_FILE}\n# The schema beside this file gives editors completion and checks as you\n\
         # type (`chatroute init -o FILE` writes it; `chatroute schema > {SCHEMA_FILE}` does too).\n"
    );
    let account = crm.map_or("my-account", |c| c.account.as_str());
    let _ = write!(
        out,
        "# chatroute spec: how messenger channels feed amoCRM. `chatroute check` this file\n\
         # after every change; `chatroute explain CODE` explains any diagnostic.\nversion = 1\n\n\
         [integration]\naccount = {}                 # amoCRM subdomain\nenabled = true\n\
         # timezone = \"Europe/Moscow\"        # working hours and the dialog copy's hours and days\n\n\
         # Working hours: an employee with `schedule = \"office\"` counts as away outside them.\n\
         # [schedules.office]\n# mon-fri = \"09:00-18:00\"\n# sat = \"10:00-15:00\"\n# off = [\"2027-01-01\"]\n\n\
         [employees]                          # handle -> person; crm_user is the amoCRM user id\n",
        quoted(account)
    );
    let handles = employees(&mut out, accounts);
    let (pipeline, stage) = crm
        .and_then(|c| c.main_pipeline())
        .and_then(|p| p.first_open_stage().map(|s| (p.name.clone(), s.name.clone())))
        .unwrap_or_else(|| ("Sales".into(), "New lead".into()));
    let _ = write!(
        out,
        "\n[defaults]\n# Where deals from new contacts start: never Unsorted, never a closed stage.\n\
         new_deals = {{ pipeline = {}, stage = {} }}\naccess = \"none\"                      # every employee on every channel, unless stated\n\n\
         [assignment]                         # who becomes responsible; a channel may override\n\
         mode = \"round_robin\"                 # or \"first_responder\"\n\
         after_close = \"create_new\"           # or \"append_to_last_closed\"\n{ASSIGNMENT_SETTINGS}members = [\n",
        quoted(&pipeline),
        quoted(&stage)
    );
    for h in &handles {
        let _ = writeln!(out, "  {{ employee = {} }},", quoted(h));
    }
    out.push_str("]\n");
    match accounts.wazzup {
        Some(account) => wazzup_channels(&mut out, account, &handles),
        None => out.push_str(ONE_CHANNEL),
    }
    out.push_str(TAIL);
    out
}

/// The employees: the CRM snapshot's active users, or two placeholders.
/// Their handles.
fn employees(out: &mut String, accounts: Accounts<'_>) -> Vec<String> {
    let mut taken = BTreeSet::new();
    let mut handles = Vec::new();
    match accounts.crm {
        Some(crm) => {
            for user in crm.users.iter().filter(|u| u.active) {
                let h = handle(&user.name, user.email.as_deref(), user.id, &mut taken);
                let _ = writeln!(out, "{h} = {{ name = {}, crm_user = {} }}", quoted(&user.name), user.id);
                handles.push(h);
            }
        }
        None => {
            for (h, name) in [("manager1", "First Manager"), ("manager2", "Second Manager")] {
                let _ = writeln!(out, "{h} = {{ name = {} }}", quoted(name));
                handles.push(h.to_owned());
            }
        }
    }
    handles
}

/// One channel per channel of the Wazzup account, open to everyone; the
/// first one is everyone's default outgoing channel (so that nobody has
/// several sendable channels and no default). A channel that is not
/// `active` is written disabled, with its state; one of a transport this
/// build does not know is left as a comment.
fn wazzup_channels(out: &mut String, account: &WazzupSnapshot, handles: &[String]) {
    let mut taken = BTreeSet::new();
    let mut first = true;
    for channel in &account.channels {
        let Some(transport) = channel.transport() else {
            let _ = writeln!(
                out,
                "\n# Wazzup channel {}: a transport chatroute does not know",
                comment(&format!("{} ({} {})", channel.channel_id, channel.transport, channel.plain_id))
            );
            continue;
        };
        let id = channel_id(channel, &mut taken);
        let _ = write!(
            out,
            "\n[channels.{id}]\nname = {}\ntransport = {}\n{}\n",
            quoted(&format!("{} {}", transport, channel.plain_id)),
            quoted(transport.as_str()),
            address_line(channel, transport),
        );
        if channel.state != "active" {
            let _ = writeln!(out, "enabled = false                      # Wazzup state: {}", comment(&channel.state));
        }
        let _ = writeln!(out, "\n[channels.{id}.access]\neveryone = \"read_send\"");
        if first && channel.state == "active" {
            for h in handles {
                let _ = writeln!(out, "{h} = {{ level = \"read_send\", default_outgoing = true }}");
            }
            first = false;
        }
    }
}

/// Snapshot text for a comment: a line break or other control would end
/// the comment and inject TOML, so every such character is escaped.
fn comment(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::printable(text)
}

/// A channel id from the transport and the address (`whatsapp-79865784457`).
fn channel_id(channel: &AccountChannel, taken: &mut BTreeSet<String>) -> String {
    let raw = format!("{}-{}", channel.transport, channel.plain_id.trim_start_matches(['@', '+']));
    let mut id: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .take(crate::text::MAX_IDENTIFIER - 4)
        .collect();
    let base = id.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The address key and value, as Wazzup's `plainId` has it.
fn address_line(channel: &AccountChannel, transport: crate::spec::Transport) -> String {
    use crate::spec::AddressKind;
    let plain = channel.plain_id.trim();
    match transport.address() {
        AddressKind::Phone => format!("phone = {}", quoted(plain)),
        AddressKind::PhoneOrHandle if plain.bytes().all(|b| b.is_ascii_digit()) => format!("phone = {}", quoted(plain)),
        AddressKind::Handle | AddressKind::PhoneOrHandle => {
            format!("handle = {}", quoted(&format!("@{}", plain.trim_start_matches('@'))))
        }
        AddressKind::Id => format!("id = {}", quoted(plain)),
    }
}
