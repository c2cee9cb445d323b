//! `chatroute lsp`: every rule in the editor while typing. A Language
//! Server Protocol server on stdio (rust-analyzer's `lsp-server`), on the
//! library's own check pipeline: no rule is implemented twice.
//!
//! Full-text sync; diagnostics on open and every change (cleared on close);
//! hover (a key's schema description, an employee's access, assignments and
//! outgoing channel, a diagnostic's explanation); completion (keys and
//! values from the schema, handles, pipelines and stages from a CRM
//! snapshot: `chatroute.crm.json` beside the spec or the client's
//! `crmSnapshot` setting); definition, references and rename of handles;
//! quick fixes. Positions in the negotiated encoding (UTF-16 by default).

mod actions;
pub mod analysis;
mod features;
pub mod framing;
pub mod position;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::{Value, json};

use self::position::Encoding;
use chatroute_check::check::{Accounts, Checked, check};
use chatroute_check::crm::Snapshot;
use chatroute_check::wazzup::WazzupSnapshot;

/// Where the explanations of codes are published.
pub const DOCS_URL: &str =
    "https://github.com/chatroute/chatroute/blob/main/crates/chatroute-check/docs/diagnostics.md";

/// One open document: its text, its check and what the features read,
/// computed once per version (not per request).
pub struct Document {
    pub text: String,
    pub checked: Checked,
    pub crm: Option<Snapshot>,
    /// Every place a handle is written, from what the text still parses.
    pub occurrences: Vec<analysis::Occurrence>,
    /// The text with its unclosed delimiters' tables blanked (offsets
    /// kept), when it has any: what features read the tree from.
    pub readable: Option<String>,
    /// The spec as this version reads (rule errors or not), else as the
    /// last version that did: what hover and completion use while the
    /// current text is broken.
    pub spec: Option<chatroute_check::spec::Spec>,
}

impl Document {
    pub fn spec(&self) -> Option<&chatroute_check::spec::Spec> {
        self.spec.as_ref()
    }

    /// The text as far as it can be read (`readable`).
    pub fn readable(&self) -> &str {
        self.readable.as_deref().unwrap_or(&self.text)
    }
}

/// The server's state.
pub struct Server {
    pub encoding: Encoding,
    pub documents: HashMap<String, Document>,
    /// A CRM snapshot named in the client's settings (`crmSnapshot`).
    pub crm_setting: Option<PathBuf>,
    /// A Wazzup snapshot named in the client's settings (`wazzupSnapshot`).
    pub wazzup_setting: Option<PathBuf>,
}

/// Runs the server on stdio until the client says `exit`.
pub fn run_stdio() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, [reader, writer]) = framing::stdio();
    serve(&connection)?;
    // The writer thread ends when the connection's sender is gone; the
    // reader when the input ends (the client closes it after `exit`).
    drop(connection);
    writer.join().map_err(|_| "the writer thread panicked")??;
    drop(reader);
    Ok(())
}

/// The initialize handshake, then the message loop.
pub fn serve(connection: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (id, params) = connection.initialize_start()?;
    let encoding = Encoding::negotiate(params.pointer("/capabilities/general/positionEncodings"));
    let setting = |name: &str| {
        params.pointer(&format!("/initializationOptions/{name}")).and_then(Value::as_str).map(PathBuf::from)
    };
    let (crm_setting, wazzup_setting) = (setting("crmSnapshot"), setting("wazzupSnapshot"));
    let capabilities = json!({
        "positionEncoding": encoding.name(),
        "textDocumentSync": { "openClose": true, "change": 1 },
        "hoverProvider": true,
        "completionProvider": { "triggerCharacters": ["\"", "=", " ", "."] },
        "definitionProvider": true,
        "referencesProvider": true,
        "renameProvider": { "prepareProvider": false },
        "codeActionProvider": { "codeActionKinds": ["quickfix"] },
        "documentSymbolProvider": true,
        "inlayHintProvider": true,
    });
    let result = json!({ "capabilities": capabilities, "serverInfo": { "name": "chatroute", "version": env!("CARGO_PKG_VERSION") } });
    connection.initialize_finish(id, result)?;
    let mut server = Server { encoding, documents: HashMap::new(), crm_setting, wazzup_setting };
    let mut pending = VecDeque::new();
    while let Some(message) = pending.pop_front().or_else(|| connection.receiver.recv().ok()) {
        let message = latest_change(message, &connection.receiver, &mut pending);
        match message {
            Message::Request(request) => {
                if request.method == "shutdown" {
                    connection.sender.send(Message::Response(Response::new_ok(request.id, Value::Null)))?;
                    return await_exit(connection, &mut pending);
                }
                let id = request.id.clone();
                let response = if cancelled(&id, &connection.receiver, &mut pending) {
                    Response::new_err(id, ErrorCode::RequestCanceled as i32, "cancelled by the client".into())
                } else {
                    guarded(&request.method.clone(), || server.request(request))
                        .unwrap_or_else(|why| Response::new_err(id, ErrorCode::InternalError as i32, why))
                };
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                for out in guarded(&method, || server.notification(n)).unwrap_or_default() {
                    connection.sender.send(Message::Notification(out))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        let p = &request.params;
        let result = match request.method.as_str() {
            "textDocument/hover" => self.with_doc(p, features::hover),
            "textDocument/completion" => self.with_doc(p, features::completion),
            "textDocument/definition" => self.with_doc(p, features::definition),
            "textDocument/references" => self.with_doc(p, features::references),
            "textDocument/rename" => match self.document(p).map(|(uri, doc)| features::rename(self, uri, doc, p)) {
                Some(Err(refused)) => return Response::new_err(request.id, ErrorCode::RequestFailed as i32, refused),
                Some(Ok(edits)) => edits,
                None => Value::Null,
            },
            "textDocument/codeAction" => self.with_doc(p, actions::code_actions),
            "textDocument/documentSymbol" => self.with_doc(p, features::symbols),
            "textDocument/inlayHint" => self.with_doc(p, features::inlay_hints),
            method => {
                let message = format!("unsupported request {method}");
                return Response::new_err(request.id, ErrorCode::MethodNotFound as i32, message);
            }
        };
        Response::new_ok(request.id, result)
    }

    /// Runs a feature on the document the params name; `null` for an
    /// unknown document.
    fn with_doc(&self, params: &Value, f: fn(&Server, &str, &Document, &Value) -> Value) -> Value {
        self.document(params).map_or(Value::Null, |(uri, doc)| f(self, uri, doc, params))
    }

    /// The open document the params name, with its URI.
    fn document<'s>(&'s self, params: &'s Value) -> Option<(&'s str, &'s Document)> {
        let uri = params.pointer("/textDocument/uri").and_then(Value::as_str).unwrap_or("");
        self.documents.get(uri).map(|doc| (uri, doc))
    }

    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        let uri = n.params.pointer("/textDocument/uri").and_then(Value::as_str).unwrap_or("").to_owned();
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let text = n.params.pointer("/textDocument/text").and_then(Value::as_str).unwrap_or("");
                vec![self.update(&uri, text.to_owned())]
            }
            "textDocument/didChange" => {
                // Full sync: the last change holds the whole text.
                let changes = n.params["contentChanges"].as_array();
                let Some(text) = changes.and_then(|c| c.last()).and_then(|c| c["text"].as_str()) else { return vec![] };
                vec![self.update(&uri, text.to_owned())]
            }
            "textDocument/didClose" => {
                self.documents.remove(&uri);
                vec![publish(&uri, Vec::new())]
            }
            _ => Vec::new(),
        }
    }

    /// Re-checks a document and says its diagnostics.
    fn update(&mut self, uri: &str, text: String) -> Notification {
        let crm = self.snapshot_for(uri, &self.crm_setting, "chatroute.crm.json", |p| Snapshot::load(p).ok());
        let load_wazzup = |p: &std::path::Path| WazzupSnapshot::load(p).ok();
        let wazzup = self.snapshot_for(uri, &self.wazzup_setting, "chatroute.wazzup.json", load_wazzup);
        let accounts = Accounts { crm: crm.as_ref(), wazzup: wazzup.as_ref() };
        let checked = check(&file_path(uri), text.clone().into_bytes(), accounts);
        let diagnostics = features::with_uri(features::diagnostics(self, &text, &checked), uri);
        let readable = match chatroute_check::recover::readable(&text).0 {
            std::borrow::Cow::Owned(blanked) => Some(blanked),
            std::borrow::Cow::Borrowed(_) => None,
        };
        let tree_text = readable.as_deref().unwrap_or(&text);
        let occurrences = analysis::occurrences(toml::de::DeTable::parse_recoverable(tree_text).0.get_ref());
        let previous = self.documents.remove(uri).and_then(|d| d.spec);
        let spec = checked.spec.clone().or_else(|| toml::from_str(&text).ok()).or(previous);
        self.documents.insert(uri.to_owned(), Document { text, checked, crm, occurrences, readable, spec });
        publish(uri, diagnostics)
    }

    /// An account snapshot: the one of the settings, else `file` beside
    /// the spec (none when neither reads).
    fn snapshot_for<T>(
        &self,
        uri: &str,
        setting: &Option<PathBuf>,
        file: &str,
        load: impl Fn(&std::path::Path) -> Option<T>,
    ) -> Option<T> {
        let beside = || PathBuf::from(file_path(uri)).parent().map(|d| d.join(file));
        let path = setting.clone().or_else(beside)?;
        load(&path)
    }
}

/// After `shutdown`: `exit` ends the loop (also when it was read ahead
/// into `pending`); requests meanwhile are refused, as the protocol says;
/// a client that closes its output or stays silent 30 s ends it too.
fn await_exit(
    connection: &Connection,
    pending: &mut VecDeque<Message>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let timeout = std::time::Duration::from_secs(30);
    while let Some(message) = pending.pop_front().or_else(|| connection.receiver.recv_timeout(timeout).ok()) {
        match message {
            Message::Notification(n) if n.method == "exit" => return Ok(()),
            Message::Request(r) => {
                let refused =
                    Response::new_err(r.id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into());
                connection.sender.send(Message::Response(refused))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether the client cancelled request `id` (`$/cancelRequest`) while it
/// waited in the queue: what has arrived meanwhile is read ahead (kept in
/// order for the loop) and the cancellation taken out. Requests run one at
/// a time, so a cancellation that comes later finds it answered already.
fn cancelled(
    id: &lsp_server::RequestId,
    receiver: &crossbeam_channel::Receiver<Message>,
    pending: &mut VecDeque<Message>,
) -> bool {
    pending.extend(receiver.try_iter());
    let is_cancel = |m: &Message| match m {
        Message::Notification(n) if n.method == "$/cancelRequest" => {
            n.params.get("id").is_some_and(|v| serde_json::to_value(id).is_ok_and(|mine| mine == *v))
        }
        _ => false,
    };
    let before = pending.len();
    pending.retain(|m| !is_cancel(m));
    pending.len() < before
}

/// Runs one message's work; a panic in it is logged and answered as an
/// error instead of ending the server (the documents stay as they were:
/// an update that panicked has not replaced its document).
fn guarded<T>(method: &str, work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic".to_owned());
        eprintln!("chatroute lsp: {method} failed inside the server: {why}");
        format!("{method} failed inside the server: {why}")
    })
}

/// A change storm (full texts queued while a check ran) is coalesced: of
/// successive `didChange`s of one document only the last is checked. The
/// first other message read ahead is kept for the loop, in order.
fn latest_change(
    mut message: Message,
    receiver: &crossbeam_channel::Receiver<Message>,
    pending: &mut VecDeque<Message>,
) -> Message {
    let change_of = |m: &Message| match m {
        Message::Notification(n) if n.method == "textDocument/didChange" => {
            n.params.pointer("/textDocument/uri").and_then(Value::as_str).map(str::to_owned)
        }
        _ => None,
    };
    let Some(uri) = change_of(&message) else { return message };
    // What was read ahead first, then what has arrived since; the first
    // other message stops the run and keeps its place.
    pending.extend(receiver.try_iter());
    while pending.front().is_some_and(|next| change_of(next).as_deref() == Some(uri.as_str())) {
        message = pending.pop_front().expect("front exists");
    }
    message
}

fn publish(uri: &str, diagnostics: Vec<Value>) -> Notification {
    Notification::new("textDocument/publishDiagnostics".into(), json!({ "uri": uri, "diagnostics": diagnostics }))
}

/// The file path of a `file://` URI (percent-decoded); the URI itself
/// otherwise, and the path as written when its escapes are broken.
pub fn file_path(uri: &str) -> String {
    let Some(path) = uri.strip_prefix("file://") else { return uri.to_owned() };
    chatroute_check::text::percent_decode(path).unwrap_or_else(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::guarded;

    #[test]
    fn a_panic_in_a_request_is_an_error_answer_not_the_end() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let failed = guarded("textDocument/hover", || -> u8 { panic!("index out of bounds") });
        std::panic::set_hook(previous);
        assert_eq!(failed, Err("textDocument/hover failed inside the server: index out of bounds".to_owned()));
        assert_eq!(guarded("textDocument/hover", || 7), Ok(7));
    }
}
