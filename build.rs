//! Splits libphonenumber's metadata (data/PhoneNumberMetadata.xml) by
//! territory at build time, so a run parses only the territories of the
//! calling codes it meets (+7: Russia and Kazakhstan) instead of the whole
//! 1 MB file at every start. `src/phone.rs` includes the result.

use std::fmt::Write;

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()
}

fn main() {
    let source = "data/PhoneNumberMetadata.xml";
    println!("cargo::rerun-if-changed={source}");
    let xml = std::fs::read_to_string(source).expect("the vendored metadata is readable");
    let mut out = String::from("/// (id, calling code, `<territory>` XML) of every territory, in file order.\n");
    out.push_str("pub static TERRITORIES: &[(&str, u16, &str)] = &[\n");
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<territory ") {
        let end = rest[start..].find("</territory>").expect("every territory is closed") + start + "</territory>".len();
        let element = &rest[start..end];
        let tag = &element[..element.find('>').expect("a territory tag ends")];
        let id = attribute(tag, "id").expect("a territory has an id");
        let code: u16 =
            attribute(tag, "countryCode").and_then(|c| c.parse().ok()).expect("a territory has a calling code");
        assert!(!element.contains("\"###"), "the raw string delimiter occurs in the metadata");
        let _ = writeln!(out, "    ({id:?}, {code}, r###\"{element}\"###),");
        rest = &rest[end..];
    }
    out.push_str("];\n");
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("phone_territories.rs");
    std::fs::write(path, out).expect("OUT_DIR is writable");
}
