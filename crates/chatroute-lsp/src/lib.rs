//! `chatroute lsp`: every rule in the editor while typing. A Language
//! Server Protocol server on stdio (rust-analyzer's `lsp-server`, the
//! protocol's types from `lsp-types`), on the library's own check
//! pipeline: no rule is implemented twice.
//!
//! Full-text sync; diagnostics on open and every change (cleared on close);
//! hover (a key's schema description, an employee's access, assignments and
//! outgoing channel, a diagnostic's explanation); completion (keys and
//! values from the schema, handles, pipelines and stages from a CRM
//! snapshot: `chatroute.crm.json` beside the spec or the client's
//! `crmSnapshot` setting); definition, references and rename of handles;
//! quick fixes; the outline; inlay hints. Positions in the negotiated
//! encoding (UTF-16 by default).
//!
//! Each version of a document is analysed once, on the analysis thread
//! (`session`), while the message loop goes on answering: a request on a
//! document whose newest text is still being analysed waits for that
//! analysis (and can be cancelled meanwhile); changes that arrive during
//! an analysis are coalesced, the latest text winning.

mod actions;
pub mod analysis;
pub mod document;
mod features;
pub mod framing;
mod i18n;
pub mod position;
mod session;

use std::collections::HashMap;

use lsp_server::{Connection, ErrorCode, Message, Request, Response};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, InlayHintRequest, References,
    Rename, Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions, HoverProviderCapability,
    InitializeParams, InitializeResult, OneOf, RenameOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
};
use serde_json::Value;

use self::document::{Document, Settings};
use self::position::Encoding;

/// Where the explanations of codes are published.
pub const DOCS_URL: &str =
    "https://github.com/chatroute/chatroute/blob/main/crates/chatroute-check/docs/diagnostics.md";

/// What the features read: the negotiated encoding and the newest
/// analysis of each open document.
pub struct Server {
    pub encoding: Encoding,
    pub documents: HashMap<String, Document>,
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
    let Some((id, params)) = before_initialized(connection, "initialize")? else { return Ok(()) };
    let options = params.get("initializationOptions").cloned();
    // A client that sends more or other than the protocol's fields still
    // gets a server: what cannot be read is left at its default.
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref());
    let encoding = Encoding::negotiate(offered);
    let setting = |name: &str| options.as_ref()?.get(name)?.as_str().map(std::path::PathBuf::from);
    let settings = Settings { crm: setting("crmSnapshot"), wazzup: setting("wazzupSnapshot") };
    // The diagnostics' language: the `lang` option, else the client's
    // `locale` (an editor set to Russian), else the process's.
    let lang = options.as_ref().and_then(|o| o.get("lang")?.as_str().map(str::to_owned)).or(params.locale.clone());
    if let Some(lang) = lang.as_deref().and_then(chatroute_check::i18n::Lang::parse) {
        chatroute_check::i18n::set(lang);
    }
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo { name: "chatroute".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
    };
    connection.sender.send(Response::new_ok(id, serde_json::to_value(result)?).into())?;
    if before_initialized(connection, "initialized")?.is_none() {
        return Ok(());
    }
    session::run(connection, Server { encoding, documents: HashMap::new() }, settings)
}

/// Waits for the handshake's message `awaited` (the `initialize` request,
/// then the `initialized` notification), as the protocol says a server
/// does meanwhile: any other request is answered -32002 (not initialized),
/// any other notification dropped. `None`: the client said `exit`.
fn before_initialized(
    connection: &Connection,
    awaited: &str,
) -> Result<Option<(lsp_server::RequestId, Value)>, Box<dyn std::error::Error + Send + Sync>> {
    loop {
        match connection.receiver.recv()? {
            Message::Request(request) if request.method == awaited => return Ok(Some((request.id, request.params))),
            Message::Notification(n) if n.method == awaited => return Ok(Some((0.into(), n.params))),
            Message::Notification(n) if n.method == "exit" => return Ok(None),
            Message::Request(request) => {
                let why = format!("the server is not initialized: `{}` waits for `{awaited}`", request.method);
                let refused = Response::new_err(request.id, ErrorCode::ServerNotInitialized as i32, why);
                connection.sender.send(refused.into())?;
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    let sync = TextDocumentSyncOptions {
        open_close: Some(true),
        change: Some(TextDocumentSyncKind::FULL),
        ..TextDocumentSyncOptions::default()
    };
    let triggers = ["\"", "=", " ", "."].map(String::from).to_vec();
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(sync)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions { trigger_characters: Some(triggers), ..Default::default() }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

impl Server {
    /// Answers a request on a document from its newest analysis.
    fn request(&self, request: Request) -> Response {
        match request.method.as_str() {
            HoverRequest::METHOD => self.on::<HoverRequest>(request, |s, d, p| Ok(features::hover(s, d, p))),
            Completion::METHOD => self.on::<Completion>(request, |s, d, p| Ok(features::completion(s, d, p))),
            GotoDefinition::METHOD => self.on::<GotoDefinition>(request, |s, d, p| Ok(features::definition(s, d, p))),
            References::METHOD => self.on::<References>(request, |s, d, p| Ok(features::references(s, d, p))),
            Rename::METHOD => self.on::<Rename>(request, features::rename),
            CodeActionRequest::METHOD => {
                self.on::<CodeActionRequest>(request, |s, d, p| Ok(actions::code_actions(s, d, p)))
            }
            DocumentSymbolRequest::METHOD => {
                self.on::<DocumentSymbolRequest>(request, |s, d, p| Ok(features::symbols(s, d, p)))
            }
            InlayHintRequest::METHOD => {
                self.on::<InlayHintRequest>(request, |s, d, p| Ok(features::inlay_hints(s, d, p)))
            }
            method => {
                let message = format!("unsupported request {method}");
                Response::new_err(request.id, ErrorCode::MethodNotFound as i32, message)
            }
        }
    }

    /// Every feature's one shape: the typed params read (`-32602` when
    /// they do not read), the document they name (`null` for one not
    /// open or not a spec), the feature's answer or its refusal (`-32803`).
    fn on<R: lsp_types::request::Request>(
        &self,
        request: Request,
        feature: impl FnOnce(&Server, &Document, R::Params) -> Result<R::Result, String>,
    ) -> Response {
        let uri = document_of(&request.params).unwrap_or_default().to_owned();
        let params: R::Params = match serde_json::from_value(request.params) {
            Ok(params) => params,
            Err(e) => {
                return Response::new_err(request.id, ErrorCode::InvalidParams as i32, format!("{}: {e}", R::METHOD));
            }
        };
        let Some(doc) = self.documents.get(&uri).filter(|d| d.is_spec) else {
            return Response::new_ok(request.id, Value::Null);
        };
        match feature(self, doc, params) {
            Ok(result) => Response::new_ok(request.id, result),
            Err(refused) => Response::new_err(request.id, ErrorCode::RequestFailed as i32, refused),
        }
    }
}

/// The URI of the document a request or notification is about.
fn document_of(params: &Value) -> Option<&str> {
    params.pointer("/textDocument/uri").and_then(Value::as_str)
}

/// Runs one message's work; a panic in it is logged and answered as an
/// error instead of ending the server (the documents stay as they were:
/// an analysis that panicked has not replaced its document).
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
