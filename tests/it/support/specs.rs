//! Generated specs for tests and benchmarks.

/// A valid spec with `n` employees who can each answer on two channels and
/// have no default outgoing one: exactly `n` CR303 warnings.
pub(crate) fn many_warnings(n: usize) -> String {
    let mut spec = String::from("version = 1\n\n[integration]\naccount = \"acme\"\n\n[employees]\n");
    for i in 0..n {
        spec.push_str(&format!("e{i} = {{ name = \"Employee {i}\" }}\n"));
    }
    spec.push_str(
        "\n[defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New lead\" }\n\n\
         [assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"e0\" }]\n",
    );
    for (id, phone) in [("wa-1", "+7 999 000-00-01"), ("wa-2", "+7 999 000-00-02")] {
        spec.push_str(&format!(
            "\n[channels.{id}]\nname = \"{id}\"\ntransport = \"whatsapp\"\nphone = \"{phone}\"\naccess = {{ everyone = \"read_send\" }}\n"
        ));
    }
    spec
}
