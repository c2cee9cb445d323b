//! The precedence `resolve` defines (what `check` and its rules see) and the
//! compiled table (what the runtime does) agree on random specs: access
//! levels, default outgoing channels, the stage and the assignment of every
//! channel.

use chatroute::runtime::{InProcess, Router};
use chatroute::spec::{Level, Spec};
use chatroute::table::AssignmentRoute;
use proptest::prelude::*;

const LEVELS: [&str; 3] = ["none", "read", "read_send"];

/// One channel: enabled, `everyone`, per-employee entries (level and
/// default-outgoing mark, or none), an own assignment, an own stage.
type ChannelGen = (bool, Option<usize>, Vec<Option<(usize, bool)>>, bool, bool);

fn spec_text(employees: usize, default_access: usize, channels: &[ChannelGen]) -> String {
    let mut t = String::from("version = 1\n[integration]\naccount = \"acme\"\n[employees]\n");
    for e in 0..employees {
        t.push_str(&format!("e{e} = {{ name = \"E {e}\" }}\n"));
    }
    t.push_str(&format!(
        "[defaults]\naccess = \"{}\"\nnew_deals = {{ pipeline = \"Sales\", stage = \"New\" }}\n",
        LEVELS[default_access]
    ));
    t.push_str(
        "[assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"e0\", weight = 2 }, { employee = \"e1\" }]\n",
    );
    for (c, (enabled, everyone, entries, own_assignment, own_stage)) in channels.iter().enumerate() {
        t.push_str(&format!(
            "[channels.c{c}]\nname = \"C{c}\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-0{c}\"\nenabled = {enabled}\n"
        ));
        if *own_stage {
            t.push_str(&format!("new_deals = {{ pipeline = \"P{c}\", stage = \"S{c}\" }}\n"));
        }
        t.push_str(&format!("[channels.c{c}.access]\n"));
        if let Some(level) = everyone {
            t.push_str(&format!("everyone = \"{}\"\n", LEVELS[*level]));
        }
        for (e, entry) in entries.iter().enumerate().take(employees) {
            match entry {
                Some((level, true)) => {
                    t.push_str(&format!("e{e} = {{ level = \"{}\", default_outgoing = true }}\n", LEVELS[*level]))
                }
                Some((level, false)) => t.push_str(&format!("e{e} = \"{}\"\n", LEVELS[*level])),
                None => {}
            }
        }
        if *own_assignment {
            t.push_str(&format!(
                "[channels.c{c}.assignment]\nmode = \"first_responder\"\nmembers = [{{ employee = \"e{}\" }}]\n",
                c % employees
            ));
        }
    }
    t
}

fn channel() -> impl Strategy<Value = ChannelGen> {
    (
        prop::bool::weighted(0.8),
        prop::option::of(0usize..3),
        prop::collection::vec(prop::option::of((0usize..3, prop::bool::weighted(0.2))), 5),
        any::<bool>(),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn check_and_table_see_the_same_routing(
        employees in 2usize..6,
        default_access in 0usize..3,
        channels in prop::collection::vec(channel(), 1..5),
    ) {
        let text = spec_text(employees, default_access, &channels);
        let spec: Spec = toml::from_str(&text).unwrap();
        let table = chatroute::compile::compile(&spec, Default::default());
        let router = Router::new(table, InProcess::new());
        let outgoing = spec.default_outgoing_all();
        for handle in spec.employees.keys() {
            for (id, channel) in spec.enabled_channels() {
                prop_assert_eq!(spec.level(channel, handle), router.level(handle, id), "{} on {}\n{}", handle, id, text);
            }
            for id in spec.channels.keys().filter(|id| !spec.channels[*id].enabled) {
                prop_assert_eq!(router.level(handle, id), Level::None);
            }
            prop_assert_eq!(outgoing[handle.as_str()].channel(), router.default_outgoing(handle), "{}\n{}", handle, text);
        }
        for (id, channel) in spec.enabled_channels() {
            let route = &router.table().channels[id];
            let (stage, _) = spec.new_deals_for(id, channel).unwrap();
            prop_assert_eq!(&route.new_deals.pipeline, &stage.pipeline);
            prop_assert_eq!(&route.new_deals.stage, &stage.stage);
            let (assignment, _) = spec.assignment_for(id, channel).unwrap();
            let members: Vec<&str> = assignment.members.iter().map(|m| m.employee.as_str()).collect();
            match &route.assignment {
                AssignmentRoute::RoundRobin { cycle, .. } => {
                    let expanded: Vec<&str> = assignment.members.iter()
                        .flat_map(|m| std::iter::repeat_n(m.employee.as_str(), m.weight.unwrap_or(1) as usize))
                        .collect();
                    prop_assert_eq!(cycle.iter().map(String::as_str).collect::<Vec<_>>(), expanded);
                }
                AssignmentRoute::FirstResponder { group, .. } => {
                    prop_assert_eq!(group.iter().map(String::as_str).collect::<Vec<_>>(), members);
                }
            }
        }
        prop_assert_eq!(router.table().channels.len(), spec.enabled_channels().count());
    }
}
