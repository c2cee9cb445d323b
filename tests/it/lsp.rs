//! `chatroute lsp` driven by a scripted client over stdio, as an editor
//! drives it: every feature at the protocol level, and positions in UTF-16.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    /// The last diagnostics published per URI.
    diagnostics: std::collections::HashMap<String, Vec<Value>>,
}

impl Client {
    /// `chatroute lsp` started, not yet initialized.
    fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
            .arg("lsp")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (stdin, stdout) = (child.stdin.take().unwrap(), BufReader::new(child.stdout.take().unwrap()));
        Client { child, stdin, stdout, next_id: 1, diagnostics: Default::default() }
    }

    fn start(init_options: Value) -> Client {
        Self::start_with(json!({ "capabilities": {}, "initializationOptions": init_options }))
    }

    /// The handshake with these `initialize` params.
    fn start_with(params: Value) -> Client {
        let mut client = Self::spawn();
        let result = client.request("initialize", params);
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "the server closed its output");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        let message: Value = serde_json::from_slice(&body).unwrap();
        if message["method"] == "textDocument/publishDiagnostics" {
            let uri = message["params"]["uri"].as_str().unwrap().to_owned();
            self.diagnostics.insert(uri, message["params"]["diagnostics"].as_array().unwrap().clone());
        }
        message
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{message}");
                return message["result"].clone();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Opens or changes a document and waits for its diagnostics.
    fn set_text(&mut self, uri: &str, text: &str, version: i64) -> Vec<Value> {
        if version == 1 {
            let doc = json!({ "uri": uri, "languageId": "toml", "version": 1, "text": text });
            self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
        } else {
            let params =
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
            self.notify("textDocument/didChange", params);
        }
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return self.diagnostics[uri].clone();
            }
        }
    }

    fn at(&mut self, method: &str, uri: &str, line: usize, character: usize, extra: Value) -> Value {
        let mut params =
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        for (k, v) in extra.as_object().into_iter().flatten() {
            params[k] = v.clone();
        }
        self.request(method, params)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.child.kill();
        } else {
            let _ = self.request("shutdown", Value::Null);
            self.notify("exit", Value::Null);
        }
        let _ = self.child.wait();
    }
}

/// The DESIGN.md example with a second `default_outgoing` for Bruce.
fn two_outgoing() -> String {
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let second = "bruce = \"read_send\"\n\n[channels.ig-art.assignment]";
    assert!(acme.contains(second));
    acme.replace(second, "bruce = { level = \"read_send\", default_outgoing = true }\n\n[channels.ig-art.assignment]")
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.rfind(needle).unwrap()].matches('\n').count()
}

#[test]
fn diagnostics_hover_completion_definition_rename_and_a_quick_fix() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/acme.toml";
    let text = two_outgoing();
    let diagnostics = client.set_text(uri, &text, 1);
    let d = diagnostics.iter().find(|d| d["code"] == "CR301").expect("CR301 published");
    let line = line_of(&text, "bruce = { level = \"read_send\", default_outgoing = true }");
    assert_eq!(d["range"]["start"]["line"], line);
    assert_eq!(d["range"]["start"]["character"], "bruce = { level = \"read_send\", ".len());
    assert_eq!(d["severity"], 1);
    assert!(
        d["codeDescription"]["href"].as_str().unwrap().ends_with("diagnostics.md#cr301-two-default-outgoing-channels")
    );
    assert_eq!(d["relatedInformation"][0]["location"]["uri"], uri);

    // Hover on an employee: their access, outgoing channel, assignments.
    let bruce_line = line_of(&text, "bruce   = { name");
    let hover = client.at("textDocument/hover", uri, bruce_line, 1, json!({}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("Bruce Wayne") && shown.contains("`wa-retail`: read_send") && shown.contains("takes new deals"),
        "{shown}"
    );

    // Handle completion inside `members`.
    let members_line = line_of(&text, "{ employee = \"bruce\" },");
    let character = "  { employee = \"".len();
    let completion = client.at("textDocument/completion", uri, members_line, character, json!({}));
    let labels: Vec<&str> =
        completion["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"kostya") && labels.contains(&"olga"), "{labels:?}");

    // Definition of a handle used as a member.
    let definition = client.at("textDocument/definition", uri, members_line, character + 1, json!({}));
    assert_eq!(definition["range"]["start"]["line"], bruce_line);

    // Rename: every place, nothing else.
    let rename = client.at("textDocument/rename", uri, bruce_line, 1, json!({ "newName": "bruce_w" }));
    let edits = rename["changes"][uri].as_array().unwrap();
    references_match(&mut client, uri, bruce_line, edits.len());
    assert_eq!(edits.len(), text.matches("bruce").count() - text.matches("bruce@").count());

    // The quick fix removes the second mark, and the diagnostic goes.
    let range = d["range"].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [d] } }),
    );
    let edit = &actions[0]["edit"]["changes"][uri][0];
    let fixed = apply(&text, edit);
    let after = client.set_text(uri, &fixed, 2);
    assert!(after.iter().all(|d| d["code"] != "CR301"), "{after:?}");
    assert!(after.iter().all(|d| d["severity"] != 1), "the fix leaves no error: {after:?}");

    // Closing clears the document's diagnostics.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    loop {
        let m = client.receive();
        if m["method"] == "textDocument/publishDiagnostics" {
            assert_eq!(m["params"]["diagnostics"], json!([]));
            break;
        }
    }
}

/// Applies one edit (single-line ranges, UTF-16 = bytes for ASCII lines).
/// References of the handle on `line`: `places` with its definition, one
/// fewer without; a request without the context the protocol requires
/// is refused as such (-32602), and the server goes on.
fn references_match(client: &mut Client, uri: &str, line: usize, places: usize) {
    let with_definition = json!({ "context": { "includeDeclaration": true } });
    let references = client.at("textDocument/references", uri, line, 1, with_definition);
    assert_eq!(references.as_array().unwrap().len(), places);
    let without = json!({ "context": { "includeDeclaration": false } });
    let uses = client.at("textDocument/references", uri, line, 1, without);
    assert_eq!(uses.as_array().unwrap().len(), places - 1, "all but the key under [employees]");
    let id = client.next_id;
    client.next_id += 1;
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 1 } });
    client.send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/references", "params": params }));
    assert_eq!(client.answer(id)["error"]["code"], -32602, "a references request without its context");
}

fn apply(text: &str, edit: &Value) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let (s, e) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
    format!("{}{}{}", &text[..s], edit["newText"].as_str().unwrap(), &text[e..])
}

/// Only specs get diagnostics and answers: Cargo.toml gets none, and a
/// file becomes a spec with its `[integration]` table (or `init`'s
/// `#:schema` line).
#[test]
fn toml_files_that_are_not_specs_get_no_diagnostics_and_no_answers() {
    let mut client = Client::start(json!({}));
    let cargo = "file:///tmp/chatroute-lsp/Cargo.toml";
    let manifest = "[package]\nname = \"chatroute\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1\"\n";
    assert_eq!(client.set_text(cargo, manifest, 1), Vec::<Value>::new());
    // Nor answers: no spec keys offered in a manifest, no outline, no hints.
    for method in ["textDocument/hover", "textDocument/completion"] {
        assert_eq!(client.at(method, cargo, 1, 2, json!({})), Value::Null, "{method}");
    }
    let document = json!({ "textDocument": { "uri": cargo } });
    assert_eq!(client.request("textDocument/documentSymbol", document.clone()), Value::Null);
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 5, "character": 0 } });
    let hints = json!({ "textDocument": { "uri": cargo }, "range": range });
    assert_eq!(client.request("textDocument/inlayHint", hints), Value::Null);
    let spec = "file:///tmp/chatroute-lsp/new.toml";
    assert_eq!(client.set_text(spec, "version = 1\n", 1), Vec::<Value>::new(), "not a spec yet");
    let typed = client.set_text(spec, "version = 1\n[integration]\n", 2);
    assert!(typed.iter().any(|d| d["code"] == "CR011"), "the missing tables are reported: {typed:?}");
}

#[test]
fn cyrillic_lines_place_ranges_in_utf16() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/cyr.toml";
    let text = "version = 1\n[integration]\naccount = \"acme\"\n[employees]\n\"иван\" = { name = \"Иван Петров\" }\n[defaults]\nnew_deals = { pipeline = \"Продажи\", stage = \"Новый\" }\n[assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"иван\" }, { employee = \"ивна\" }]\n[channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\naccess = { everyone = \"read_send\" }\n";
    let diagnostics = client.set_text(uri, text, 1);
    let d = diagnostics.iter().find(|d| d["code"] == "CR101").expect("CR101");
    let line = "members = [{ employee = \"иван\" }, { employee = ";
    assert_eq!(d["range"]["start"], json!({ "line": 9, "character": line.chars().count() }));
    assert_eq!(d["range"]["end"]["character"], line.chars().count() + "\"ивна\"".chars().count());
    // And back: a hover at a UTF-16 position finds the handle.
    let hover = client.at("textDocument/hover", uri, 9, "members = [{ employee = \"и".chars().count(), json!({}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Иван Петров"), "{hover}");
}

#[test]
fn keys_values_and_crm_names_complete_from_the_schema_and_the_snapshot() {
    let mut client = Client::start(json!({ "crmSnapshot": "tests/fixtures/crm/acme.snapshot.json" }));
    let uri = "file:///tmp/chatroute-lsp/complete.toml";
    // A new spec as `init` starts it: its `#:schema` line makes it one.
    let text = "#:schema ./chatroute.schema.json\n[channels.wa]\ntransport = \n[defaults]\nnew_deals = { pipeline = \"\n[global_chat]\n\n";
    client.set_text(uri, text, 1);
    let labels = |v: Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect()
    };
    let transports = labels(client.at("textDocument/completion", uri, 2, "transport = ".len(), json!({})));
    assert!(transports.contains(&"tgapi".to_owned()) && transports.contains(&"whatsapp".to_owned()), "{transports:?}");
    let pipelines =
        labels(client.at("textDocument/completion", uri, 4, "new_deals = { pipeline = \"".len(), json!({})));
    assert_eq!(pipelines, ["Sales", "Retail"]);
    let keys = labels(client.at("textDocument/completion", uri, 6, 0, json!({})));
    assert!(keys.contains(&"visibility".to_owned()) && keys.contains(&"admins".to_owned()), "{keys:?}");
}

/// Working hours in the editor: schedule and zone names complete, an
/// employee's hover shows their hours in their zone, the outline lists the
/// schedules.
#[test]
fn schedules_complete_hover_and_outline() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/hours.toml";
    let text = std::fs::read_to_string("examples/three-zones.toml").unwrap();
    client.set_text(uri, &text, 1);
    let labels = |v: Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect()
    };
    let ivan = line_of(&text, "ivan    = {");
    let at_schedule = "ivan    = { name = \"Ivan Petrov\", schedule = \"".len();
    let schedules = labels(client.at("textDocument/completion", uri, ivan, at_schedule, json!({})));
    assert_eq!(schedules, ["almaty-nights", "moscow", "tokyo"]);
    let zone = line_of(&text, "timezone = \"Asia/Almaty\"");
    let zones = labels(client.at("textDocument/completion", uri, zone, "timezone = \"".len(), json!({})));
    assert!(zones.contains(&"Asia/Tokyo".to_owned()) && zones.contains(&"Europe/Berlin".to_owned()), "{}", zones.len());
    let hover = client.at("textDocument/hover", uri, line_of(&text, "aigerim = {"), 2, json!({}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("works `almaty-nights`: mon-sun 20:00-08:00 (Asia/Almaty)"), "{shown}");
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let sections: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(sections, ["employees", "schedules", "assignment", "channels"]);
    let names: Vec<&str> =
        symbols[1]["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["moscow", "almaty-nights", "tokyo"]);
}

/// A "did you mean" is a quick fix too, built from the diagnostic's data.
#[test]
fn a_misspelt_handle_is_fixed_by_its_suggestion() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/typo.toml";
    let text = std::fs::read_to_string("examples/stationery-wholesale.toml")
        .unwrap()
        .replace("{ employee = \"scrooge\" }", "{ employee = \"scroge\" }");
    let diagnostics = client.set_text(uri, &text, 1);
    let d = diagnostics.iter().find(|d| d["code"] == "CR101").expect("unknown employee").clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    assert_eq!(actions[0]["title"], "Change to `scrooge`", "{actions}");
    let fixed = apply(&text, &actions[0]["edit"]["changes"][uri][0]);
    assert!(fixed.contains("{ employee = \"scrooge\" }"));
    let after = client.set_text(uri, &fixed, 2);
    assert!(after.iter().all(|d| d["severity"] != 1), "the fix leaves no error: {after:?}");
}

/// Inlay hints: each round-robin member's share, after its entry.
#[test]
fn round_robin_members_show_their_share() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/shares.toml";
    let text = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    client.set_text(uri, &text, 1);
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": {
        "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } } }),
    );
    let labels: Vec<&str> = hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert_eq!(labels, [" 20%", " 20%", " 40%", " 20%"]);
    // An entry without a level reads `read`, whatever `everyone` says.
    let implied =
        text.replace("everyone = \"read_send\"", "everyone = \"read_send\"\nbruce = { default_outgoing = true }");
    client.set_text(uri, &implied, 2);
    let again = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": {
        "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } } }),
    );
    let read = again.as_array().unwrap().iter().find(|h| h["label"] == " read").expect("the implied level");
    assert_eq!(read["position"]["line"], line_of(&implied, "bruce = { default_outgoing = true }"));
    let tony = &hints[2]["position"];
    let line = line_of(&text, "{ employee = \"tony\", weight = 2 }");
    assert_eq!(tony["line"], line);
    assert_eq!(tony["character"], "  { employee = \"tony\", weight = 2 }".len());
}

impl Client {
    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The answer to request `id`, error or result.
    fn answer(&mut self, id: u64) -> Value {
        loop {
            let message = self.receive();
            if message["id"] == id {
                return message;
            }
        }
    }

    fn answer_to_null_id(&mut self) -> Value {
        loop {
            let message = self.receive();
            if message.get("id") == Some(&Value::Null) {
                return message;
            }
        }
    }
}

/// Frames the server once trusted (issue 20, item 5): each gets its error
/// answer, and the server goes on answering.
#[test]
fn lying_lengths_garbage_and_lf_headers_are_answered_and_the_server_goes_on() {
    let mut client = Client::start(json!({}));
    client.send_raw(b"Content-Length: 12\r\n\r\n{not json!!}");
    assert_eq!(client.answer_to_null_id()["error"]["code"], -32700);
    client.send_raw(b"Content-Length: 2\r\n\r\n{}");
    assert_eq!(client.answer_to_null_id()["error"]["code"], -32600);
    let body = r#"{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{}}"#;
    client.send_raw(format!("Content-Length: {}\n\n{body}", body.len()).as_bytes());
    assert_eq!(client.answer(99)["result"], Value::Null, "LF-only headers are read");
    let mut long = vec![b'X'; 300 * 1024];
    long.extend(b"\r\n\r\n");
    client.send_raw(&long);
    assert_eq!(client.answer_to_null_id()["error"]["code"], -32700);
    // Over the limit: refused without allocating it (the body is skipped,
    // so it is sent; a lie with no body would only wait for it).
    let huge = chatroute::lsp::framing::MAX_MESSAGE + 1;
    client.send_raw(format!("Content-Length: {huge}\r\n\r\n").as_bytes());
    client.send_raw(&vec![b' '; huge]);
    assert_eq!(client.answer_to_null_id()["error"]["code"], -32600);
    let uri = "file:///tmp/chatroute-lsp/after.toml";
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    assert!(client.set_text(uri, &acme, 1).is_empty(), "still checking documents");
}

#[test]
fn a_lying_length_neither_crashes_nor_allocates() {
    for length in ["18446744073709551615", "9000000000000", "1500000000"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
            .arg("lsp")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        write!(stdin, "Content-Length: {length}\r\n\r\n{{").unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(child.try_wait().unwrap().is_none(), "the server died on Content-Length {length}");
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        let rss_kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .unwrap()
            .trim()
            .trim_end_matches(" kB")
            .parse()
            .unwrap();
        assert!(rss_kb < 100 * 1024, "{rss_kb} kB resident after Content-Length {length}");
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        // The input ended before `initialize`: an error exit, never a crash.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.code() != Some(101) && !stderr.contains("panicked"), "{stderr}");
        let answer = String::from_utf8_lossy(&out.stdout);
        assert!(answer.contains("-32600"), "{answer}");
    }
}

/// Rename onto a handle that exists would make duplicate keys (item 13).
#[test]
fn rename_onto_an_existing_handle_or_everyone_is_refused() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/rename.toml";
    let text = std::fs::read_to_string("examples/acme.toml").unwrap();
    client.set_text(uri, &text, 1);
    let bruce_line = line_of(&text, "bruce   = { name");
    for taken in ["tony", "everyone", "not a handle"] {
        let id = client.next_id;
        client.next_id += 1;
        let params = json!({ "textDocument": { "uri": uri }, "position": { "line": bruce_line, "character": 1 }, "newName": taken });
        client.send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/rename", "params": params }));
        let answer = client.answer(id);
        assert_eq!(answer["error"]["code"], -32803, "{taken}: {answer}");
    }
}

/// Fifteen full changes queued behind a slow check are checked once each
/// at most, the last one always (item 14).
#[test]
fn change_storms_are_coalesced_to_the_latest_text() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/storm.toml";
    let big = specgen_text();
    client.set_text(uri, &big, 1);
    let broken = big.replacen("[employees]", "[employees]\nnobody = 1", 1);
    let mut frames = Vec::new();
    for version in 2..=16 {
        let text = if version == 16 { &broken } else { &big };
        let params =
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
        let body = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": params }).to_string();
        frames.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    client.send_raw(&frames);
    let mut published = 0;
    let last = loop {
        let message = client.receive();
        if message["method"] == "textDocument/publishDiagnostics" {
            published += 1;
            let diagnostics = message["params"]["diagnostics"].as_array().unwrap().clone();
            if !diagnostics.is_empty() {
                break diagnostics;
            }
        }
    };
    assert!(published < 15, "{published} checks for 15 queued changes");
    assert!(!last.is_empty(), "the latest text was checked");
}

fn specgen_text() -> String {
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let mut text = acme.clone();
    // About 2 MB of comments: checking takes long enough for changes to queue.
    for i in 0..40_000 {
        text.push_str(&format!("# filler line {i} to make the document large enough\n"));
    }
    text
}

/// The outline (`textDocument/documentSymbol`): employees, channels with
/// their assignment and access tables, the integration-wide assignment.
#[test]
fn the_outline_lists_employees_channels_and_assignments() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/outline.toml";
    let text = std::fs::read_to_string("examples/acme.toml").unwrap();
    client.set_text(uri, &text, 1);
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["employees", "assignment", "channels"], "{symbols}");
    let channels = &symbols[2]["children"];
    let art = channels.as_array().unwrap().iter().find(|c| c["name"] == "ig-art").expect("ig-art");
    assert_eq!(art["detail"], "Art shop Instagram");
    let parts: Vec<&str> = art["children"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(parts, ["access", "assignment"]);
    let bruce = &symbols[0]["children"][0];
    assert_eq!((bruce["name"].as_str(), bruce["detail"].as_str()), (Some("bruce"), Some("Bruce Wayne")));
    let line = |p: &Value| p["line"].as_u64().unwrap();
    assert!(line(&bruce["range"]["start"]) <= line(&bruce["selectionRange"]["start"]));
}

/// The Wazzup rules run in the editor too, on `chatroute.wazzup.json`
/// beside the spec (or the `wazzupSnapshot` setting).
#[test]
fn the_wazzup_snapshot_beside_the_spec_is_checked_against() {
    let dir = std::env::temp_dir().join(format!("chatroute-lsp-wazzup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("tests/fixtures/wazzup/small.snapshot.json", dir.join("chatroute.wazzup.json")).unwrap();
    let mut client = Client::start(json!({}));
    let uri = format!("file://{}/shop.toml", dir.display());
    let spec = std::fs::read_to_string("tests/fixtures/CR801.toml").unwrap();
    let diagnostics = client.set_text(&uri, &spec, 1);
    assert!(diagnostics.iter().any(|d| d["code"] == "CR801"), "{diagnostics:?}");
    let mut setting = Client::start(json!({ "wazzupSnapshot": "tests/fixtures/wazzup/small.snapshot.json" }));
    let diagnostics = setting.set_text("file:///tmp/chatroute-lsp/elsewhere.toml", &spec, 1);
    assert!(diagnostics.iter().any(|d| d["code"] == "CR801"), "{diagnostics:?}");
}

/// While the text is broken (a syntax error elsewhere), hover on an
/// employee still shows their routing, from the last version that read.
#[test]
fn hover_works_on_a_broken_document_from_the_last_good_analysis() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/broken.toml";
    let text = std::fs::read_to_string("examples/acme.toml").unwrap();
    client.set_text(uri, &text, 1);
    let broken = text.replacen("[global_chat]", "[global_chat\nmax = { name = \"Max", 1);
    let diagnostics = client.set_text(uri, &broken, 2);
    assert!(diagnostics.iter().any(|d| d["code"] == "CR001"), "{diagnostics:?}");
    let bruce_line = line_of(&broken, "bruce   = { name");
    let hover = client.at("textDocument/hover", uri, bruce_line, 1, json!({}));
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("Bruce Wayne") && shown.contains("takes new deals"), "{hover}");
    let definition =
        client.at("textDocument/definition", uri, line_of(&broken, "{ employee = \"bruce\" },"), 18, json!({}));
    assert_eq!(definition["range"]["start"]["line"], bruce_line, "{definition}");
}

/// `$/cancelRequest` for a request still waiting behind a slow check is
/// answered -32800 without running it; one already answered is not touched.
#[test]
fn a_request_cancelled_while_queued_is_answered_cancelled() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/cancel.toml";
    let big = specgen_text();
    client.set_text(uri, &big, 1);
    let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": big.replacen("[employees]", "[employees]\n", 1) }] } });
    let hover = json!({ "jsonrpc": "2.0", "id": 7001, "method": "textDocument/hover", "params": {
        "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } } });
    let cancel = json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": 7001 } });
    let mut frames = Vec::new();
    for m in [change, hover, cancel] {
        let body = m.to_string();
        frames.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    client.send_raw(&frames);
    let answer = client.answer(7001);
    assert_eq!(answer["error"]["code"], -32800, "{answer}");
    // The server goes on.
    let later = client.at("textDocument/hover", uri, 0, 0, json!({}));
    assert!(later.is_null() || later.is_object(), "{later}");
}

/// The analysis runs beside the message loop: while a large document's
/// new text is being checked, a request on another document is answered
/// at once, before the large one's diagnostics arrive.
#[test]
fn requests_on_other_documents_are_answered_while_one_is_analysed() {
    let mut client = Client::start(json!({}));
    let small = "file:///tmp/chatroute-lsp/small.toml";
    let large = "file:///tmp/chatroute-lsp/large.toml";
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    client.set_text(small, &acme, 1);
    let big = specgen_text();
    client.set_text(large, &big, 1);
    let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": { "uri": large, "version": 2 }, "contentChanges": [{ "text": big.replacen("[employees]", "[employees]\nnobody = 1", 1) }] } });
    let bruce_line = line_of(&acme, "bruce   = { name");
    let hover = json!({ "jsonrpc": "2.0", "id": 9001, "method": "textDocument/hover", "params": {
        "textDocument": { "uri": small }, "position": { "line": bruce_line, "character": 1 } } });
    let mut frames = Vec::new();
    for m in [change, hover] {
        let body = m.to_string();
        frames.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    client.send_raw(&frames);
    loop {
        let message = client.receive();
        if message["id"] == 9001 {
            assert!(message["result"]["contents"]["value"].as_str().unwrap().contains("Bruce"), "{message}");
            break;
        }
        assert_ne!(message["params"]["uri"], large, "the large document's check came first: {message}");
    }
    // And the large one's new text is checked all the same.
    let diagnostics = loop {
        let message = client.receive();
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == large {
            break message["params"].clone();
        }
    };
    assert_eq!(diagnostics["version"], 2);
    assert!(!diagnostics["diagnostics"].as_array().unwrap().is_empty());
}

/// A document closed while its analysis runs and opened again with
/// another text is answered from the new text, never from the old
/// analysis coming back late.
#[test]
fn a_document_opened_again_is_answered_from_its_new_text() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/reopened.toml";
    let big = specgen_text();
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let moved = format!("\n\n\n\n\n{acme}");
    let bruce_line = line_of(&moved, "bruce   = { name");
    let open = |text: &str| {
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": uri, "languageId": "toml", "version": 1, "text": text } } })
    };
    let close =
        json!({ "jsonrpc": "2.0", "method": "textDocument/didClose", "params": { "textDocument": { "uri": uri } } });
    let hover = json!({ "jsonrpc": "2.0", "id": 9101, "method": "textDocument/hover", "params": {
        "textDocument": { "uri": uri }, "position": { "line": bruce_line, "character": 1 } } });
    let mut frames = Vec::new();
    for m in [open(&big), close, open(&moved), hover] {
        let body = m.to_string();
        frames.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    client.send_raw(&frames);
    let answer = client.answer(9101);
    let shown = answer["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("Bruce Wayne"), "{answer}");
}

/// 17: an unknown key in one entry leaves the rest of the spec to hover:
/// the editor reads the spec the rules read (the schema's refusals pruned),
/// so an employee's hover still lists access and assignments.
#[test]
fn hover_reads_the_pruned_spec_beside_an_unknown_key() {
    let mut client = Client::start(json!({}));
    let uri = "file:///tmp/chatroute-lsp/pruned.toml";
    let text = std::fs::read_to_string("examples/acme.toml").unwrap().replacen(
        "tony    = { name = \"Tony Stark\", crm_user = 1003 }",
        "tony    = { name = \"Tony Stark\", crm_user = 1003, colour = \"red\" }",
        1,
    );
    assert!(text.contains("colour"));
    let published = client.set_text(uri, &text, 1);
    assert!(published.iter().any(|p| p.to_string().contains("CR010")), "{published:?}");
    let bruce = line_of(&text, "bruce   = {");
    let hover = client.at("textDocument/hover", uri, bruce, 1, json!({}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("`wa-retail`: read_send"), "{shown}");
    assert!(shown.contains("takes new deals on:"), "{shown}");
}

/// 18: requests before `initialize`, or before `initialized`, are answered
/// -32002 and notifications dropped, as the protocol says; the server
/// keeps serving and the handshake then goes on as usual.
#[test]
fn requests_before_the_handshake_are_refused_not_fatal() {
    let mut client = Client::spawn();
    let hover = json!({ "textDocument": { "uri": "file:///x.toml" }, "position": { "line": 0, "character": 0 } });
    client.send(json!({ "jsonrpc": "2.0", "id": 100, "method": "textDocument/hover", "params": hover }));
    let refused = client.receive();
    assert_eq!((refused["id"].clone(), refused["error"]["code"].clone()), (json!(100), json!(-32002)), "{refused}");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///x.toml", "languageId": "toml", "version": 1, "text": "" } }),
    );
    let result = client.request("initialize", json!({ "capabilities": {} }));
    assert!(result["capabilities"].is_object(), "{result}");
    client.send(json!({ "jsonrpc": "2.0", "id": 101, "method": "textDocument/hover", "params": hover }));
    let refused = client.receive();
    assert_eq!((refused["id"].clone(), refused["error"]["code"].clone()), (json!(101), json!(-32002)), "{refused}");
    client.notify("initialized", json!({}));
    let uri = "file:///tmp/chatroute-lsp/late.toml";
    let text = std::fs::read_to_string("examples/acme.toml").unwrap();
    assert_eq!(client.set_text(uri, &text, 1), Vec::<Value>::new());
    let hover = client.at("textDocument/hover", uri, line_of(&text, "bruce   = {"), 1, json!({}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Bruce Wayne"), "{hover}");
}

/// An editor set to Russian (the client's `locale`) gets Russian
/// diagnostics, with the same codes and ranges; the `lang` option decides
/// over the locale.
#[test]
fn a_russian_client_gets_russian_diagnostics() {
    let uri = "file:///tmp/chatroute-lsp/ru.toml";
    let text = std::fs::read_to_string("tests/fixtures/CR204.toml").unwrap();
    let english = Client::start(json!({})).set_text(uri, &text, 1);
    let mut client = Client::start_with(json!({ "capabilities": {}, "locale": "ru" }));
    let russian = client.set_text(uri, &text, 1);
    // A key's description from the schema, in Russian too.
    let mode = text.lines().position(|l| l.starts_with("mode = ")).expect("a mode line");
    let hover = client.at("textDocument/hover", uri, mode, 1, json!({}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Режим назначения"), "{hover}");
    // An employee's hover: the editor's own words in Russian.
    let members = text.lines().position(|l| l.starts_with("members = ")).expect("a members line");
    let at = text.lines().nth(members).unwrap().find("bruce").unwrap() + 1;
    let hover = client.at("textDocument/hover", uri, members, at, json!({}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("получает новые сделки в"), "{hover}");
    let by_option =
        Client::start_with(json!({ "capabilities": {}, "locale": "ru-RU", "initializationOptions": { "lang": "en" } }))
            .set_text(uri, &text, 1);
    let pick = |ds: &[Value]| ds.iter().find(|d| d["code"] == "CR204").cloned().expect("CR204");
    let (en, ru) = (pick(&english), pick(&russian));
    assert_eq!((&en["code"], &en["range"]), (&ru["code"], &ru["range"]));
    assert!(en["message"].as_str().unwrap().starts_with("`tony` takes new deals on `wa`"), "{en}");
    assert!(ru["message"].as_str().unwrap().starts_with("`tony` получает новые сделки в `wa`"), "{ru}");
    assert_eq!(pick(&by_option)["message"], en["message"]);
}
