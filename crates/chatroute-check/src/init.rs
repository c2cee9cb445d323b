//! `chatroute init`: a commented starter spec, built from the account
//! snapshot when there is one, that passes `check` as written. Each
//! setting of the source's menu it does not set is shown commented, in
//! the place it goes, so uncommenting a line is all it takes.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::check::Accounts;
use crate::i18n::t;
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
fn assignment_settings() -> String {
    format!(
        "# skip_unavailable = true            # {}\n\
         # when_nobody = \"assign_anyway\"      # {}\n\
         # returning_clients = \"owner\"        # {}\n\
         # reassign_after = \"15m\"             # {}\n\
         # max_reassignments = 2\n\
         # {}\n",
        t!("init-skip-unavailable"),
        t!("init-when-nobody"),
        t!("init-returning-clients"),
        t!("init-reassign-after"),
        t!("init-member-weight"),
    )
}

/// The channel of a starter without a Wazzup snapshot.
fn one_channel() -> String {
    format!(
        "\n# {}\n[channels.wa-main]\nname = \"Main WhatsApp\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n\n\
         # new_deals = {{ pipeline = \"Sales\", stage = \"New lead\" }}   # {}\n\n\
         [channels.wa-main.access]            # \"none\" | \"read\" | \"read_send\"\neveryone = \"read_send\"\n\
         # manager2 = \"read\"                  # {}\n\
         # manager1 = {{ level = \"read_send\", default_outgoing = true }}   # {}\n\n\
         # {}\n# [channels.wa-main.assignment]\n# mode = \"first_responder\"\n# members = [{{ employee = \"manager1\" }}]\n",
        t!("init-one-channel"),
        t!("init-channel-stage"),
        t!("init-read-only"),
        t!("init-default-outgoing"),
        t!("init-channel-assignment"),
    )
}

/// The shared chat, the deal card and phones.
fn tail() -> String {
    format!(
        "\n[global_chat]\nvisibility = \"own_and_unassigned\"    # {}\n\
         # admins = [\"manager1\"]              # {}\n\n\
         [deal_card]\ncopy_dialog = \"hourly\"               # \"each_message\" | \"hourly\" | \"daily\" | \"off\"\n\n\
         [phones]\nto_international = false             # {}\n\
         # client_regions = [\"RU\", \"KZ\"]       # {}\n",
        t!("init-visibility"),
        t!("init-admins"),
        t!("init-to-international"),
        t!("init-client-regions"),
    )
}

/// The starter spec: employees and the default stage from the CRM
/// snapshot, one channel per Wazzup channel, when given.
pub fn starter(accounts: Accounts<'_>) -> String {
    let crm = accounts.crm;
    let mut out = format!("#:schema ./{SCHEMA_FILE}\n{}\n", commented(&t!("init-schema", file = SCHEMA_FILE)));
    let account = crm.map_or("my-account", |c| c.account.as_str());
    let _ = write!(
        out,
        "{}\nversion = 1\n\n\
         [integration]\naccount = {}                 # {}\nenabled = true\n\
         # timezone = \"Europe/Moscow\"        # {}\n\n\
         # {}\n\
         # [schedules.office]\n# mon-fri = \"09:00-18:00\"\n# sat = \"10:00-15:00\"\n# off = [\"2027-01-01\"]\n\n\
         [employees]                          # {}\n",
        commented(&t!("init-intro")),
        quoted(account),
        t!("init-account"),
        t!("init-timezone"),
        t!("init-schedules"),
        t!("init-employees"),
    );
    let handles = employees(&mut out, accounts);
    let (pipeline, stage) = crm
        .and_then(|c| c.main_pipeline())
        .and_then(|p| p.first_open_stage().map(|s| (p.name.clone(), s.name.clone())))
        .unwrap_or_else(|| ("Sales".into(), "New lead".into()));
    let _ = write!(
        out,
        "\n[defaults]\n# {}\n\
         new_deals = {{ pipeline = {}, stage = {} }}\naccess = \"none\"                      # {}\n\n\
         [assignment]                         # {}\n\
         mode = \"round_robin\"                 # {}\n\
         after_close = \"create_new\"           # {}\n{}members = [\n",
        t!("init-new-deals"),
        quoted(&pipeline),
        quoted(&stage),
        t!("init-access"),
        t!("init-assignment"),
        t!("init-mode"),
        t!("init-after-close"),
        assignment_settings(),
    );
    for h in &handles {
        let _ = writeln!(out, "  {{ employee = {} }},", quoted(h));
    }
    out.push_str("]\n");
    match accounts.wazzup {
        Some(account) => wazzup_channels(&mut out, account, &handles),
        None => out.push_str(&one_channel()),
    }
    out.push_str(&tail());
    out
}

/// A message of several lines as TOML comment lines.
fn commented(text: &str) -> String {
    text.lines().map(|line| format!("# {line}")).collect::<Vec<_>>().join("\n")
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
            let unknown =
                comment(&format!("{} ({} {})", channel.channel_id, channel.transport, channel.plain_id)).into_owned();
            let _ = writeln!(out, "\n# {}", t!("init-unknown-transport", channel = unknown));
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
            let state = t!("init-wazzup-state", state = comment(&channel.state).into_owned());
            let _ = writeln!(out, "enabled = false                      # {state}");
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
