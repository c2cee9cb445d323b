//! Deterministic generator of large valid specs for benchmarks.
//!
//! A spec of size (employees E, channels C, access entries per channel A):
//! channel c grants A employees access, starting at employee (c * A) mod E;
//! the first half of them `read_send`, the rest `read`. Each channel has its
//! own assignment of up to eight of its senders (round robin with weights on
//! even channels, first responder on odd ones). Every employee who can send
//! somewhere marks the first such channel as default outgoing, so the spec
//! checks without a diagnostic.
// Each benchmark uses the part it needs.
#![allow(dead_code)]

use std::fmt::Write;

/// A named benchmark size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Size {
    pub name: &'static str,
    pub employees: usize,
    pub channels: usize,
    pub access: usize,
}

pub(crate) const SIZES: [Size; 4] = [
    Size { name: "S", employees: 50, channels: 5, access: 10 },
    Size { name: "M", employees: 1_000, channels: 100, access: 50 },
    Size { name: "L", employees: 5_000, channels: 300, access: 150 },
    Size { name: "XL", employees: 20_000, channels: 1_000, access: 300 },
];

pub(crate) fn size(name: &str) -> Option<Size> {
    SIZES.iter().copied().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The spec as TOML.
pub(crate) fn generate(size: Size) -> String {
    let Size { employees, channels, access, .. } = size;
    let access = access.min(employees);
    let mut out = String::with_capacity(employees * 60 + channels * access * 40);
    let _ = write!(
        out,
        "#:schema ../schema/chatroute.schema.json\nversion = 1\n\n[integration]\naccount = \"bench-{}\"\n\n[employees]\n",
        size.name.to_lowercase()
    );
    for e in 0..employees {
        let _ = writeln!(out, "e{e} = {{ name = \"Employee {e}\", crm_user = {} }}", 100_000 + e);
    }
    out.push_str("\n[defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New lead\" }\naccess = \"none\"\n");
    let mut has_default = vec![false; employees];
    for c in 0..channels {
        let _ = write!(out, "\n[channels.ch{c}]\nname = \"Channel {c}\"\n");
        if c % 4 == 3 {
            let _ = writeln!(out, "transport = \"instagram\"\nhandle = \"@bench.shop{c}\"");
        } else {
            let _ = writeln!(
                out,
                "transport = \"whatsapp\"\nphone = \"+7 9{:02} {:03}-{:02}-{:02}\"",
                c / 10_000 % 100,
                c / 100 % 1000,
                c % 100,
                11
            );
        }
        if c % 2 == 0 {
            let _ = writeln!(out, "new_deals = {{ pipeline = \"Pipeline {}\", stage = \"Negotiations\" }}", c % 7);
        }
        let _ = writeln!(out, "\n[channels.ch{c}.access]");
        let first = c * access % employees;
        let mut senders = Vec::new();
        for j in 0..access {
            let e = (first + j) % employees;
            if j < access.div_ceil(2) {
                senders.push(e);
                if has_default[e] {
                    let _ = writeln!(out, "e{e} = \"read_send\"");
                } else {
                    has_default[e] = true;
                    let _ = writeln!(out, "e{e} = {{ level = \"read_send\", default_outgoing = true }}");
                }
            } else {
                let _ = writeln!(out, "e{e} = \"read\"");
            }
        }
        let _ = writeln!(out, "\n[channels.ch{c}.assignment]");
        let members: Vec<String> = senders
            .iter()
            .take(8)
            .enumerate()
            .map(|(i, e)| {
                if c % 2 == 0 && i % 3 == 2 {
                    format!("{{ employee = \"e{e}\", weight = 2 }}")
                } else {
                    format!("{{ employee = \"e{e}\" }}")
                }
            })
            .collect();
        let (mode, after) =
            if c % 2 == 0 { ("round_robin", "after_close = \"create_new\"\n") } else { ("first_responder", "") };
        let _ = write!(out, "mode = \"{mode}\"\n{after}members = [{}]\n", members.join(", "));
    }
    out.push_str("\n[global_chat]\nvisibility = \"own_and_unassigned\"\n\n[deal_card]\ncopy_dialog = \"hourly\"\n\n[phones]\nto_international = true\nclient_regions = [\"RU\", \"KZ\", \"BY\"]\n");
    out
}
