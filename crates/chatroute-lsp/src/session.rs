//! The message loop and the analysis thread. The loop never checks a
//! document itself: a change becomes a job for the analysis thread (one
//! job at a time; changes that arrive meanwhile replace the document's
//! queued job, so the latest text wins), and a request on a document whose
//! newest text is not analysed yet waits until it is, cancellable.
//! Everything else is answered at once.

use std::collections::{HashMap, VecDeque};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::{NumberOrString, PublishDiagnosticsParams, Uri};
use serde_json::Value;

use super::document::{Document, Settings, analyze};
use super::position::Encoding;
use super::{Server, document_of, features, guarded};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// One version of a document to analyse.
struct Job {
    uri: Uri,
    generation: u64,
    version: i32,
    text: String,
}

/// What the analysis thread is given: a text to analyse, or a document
/// replaced or closed, to free where it was allocated (glibc frees a
/// block of another thread's arena under that arena's lock and without
/// its cache: a 1 MB document freed on the loop cost a third of the
/// analysis' time in `malloc`).
enum Work {
    Analyze(Job),
    Retire(Box<Document>),
}

/// What the analysis thread answers: the document with its diagnostics
/// in the protocol's form, or why it failed.
struct Done {
    uri: Uri,
    generation: u64,
    analyzed: Result<(Box<Document>, Vec<lsp_types::Diagnostic>), String>,
}

/// The loop's state beside the documents.
struct Session<'c> {
    connection: &'c Connection,
    server: Server,
    jobs: Sender<Work>,
    /// The newest generation of each open document. Generations count
    /// every text the session received, of any document, so a document
    /// closed and opened again never meets an analysis of its old text
    /// under its new text's number.
    newest: HashMap<String, u64>,
    generations: u64,
    /// Jobs waiting for the analysis thread, one per document, in order.
    queued: VecDeque<Job>,
    busy: bool,
    /// Requests waiting for their document's newest analysis.
    waiting: Vec<Request>,
    /// The generation whose analysis failed, and why, per document.
    failed: HashMap<String, (u64, String)>,
}

/// Runs the loop until `shutdown` (then waits for `exit`) or until the
/// client closes its end.
pub(crate) fn run(connection: &Connection, server: Server, settings: Settings) -> Result<(), Failure> {
    let (jobs, done) = analyst(settings, server.encoding)?;
    let mut session = Session {
        connection,
        server,
        jobs,
        newest: HashMap::new(),
        generations: 0,
        queued: VecDeque::new(),
        busy: false,
        waiting: Vec::new(),
        failed: HashMap::new(),
    };
    loop {
        crossbeam_channel::select! {
            recv(connection.receiver) -> message => {
                let Ok(message) = message else { return Ok(()) };
                if let Message::Request(r) = &message && r.method == "shutdown" {
                    connection.sender.send(Message::Response(Response::new_ok(r.id.clone(), Value::Null)))?;
                    return await_exit(connection);
                }
                session.message(message)?;
            }
            recv(done) -> done => session.analyzed(done.map_err(|_| "the analysis thread ended")?)?,
        }
    }
}

/// The analysis thread: analyses each job it is given, a panic answered
/// as a failure of that job.
fn analyst(settings: Settings, encoding: Encoding) -> Result<(Sender<Work>, Receiver<Done>), Failure> {
    let (jobs, incoming) = crossbeam_channel::unbounded::<Work>();
    let (finished, done) = crossbeam_channel::unbounded::<Done>();
    std::thread::Builder::new().name("chatroute-lsp-analysis".into()).spawn(move || {
        for work in incoming {
            let Job { uri, generation, version, text } = match work {
                Work::Analyze(job) => job,
                Work::Retire(doc) => {
                    drop(doc);
                    continue;
                }
            };
            let analyze = || {
                let doc = analyze(uri.as_str(), generation, version, text, &settings);
                let diagnostics = features::diagnostics(&doc.lines(encoding), &uri, &doc.checked);
                (Box::new(doc), diagnostics)
            };
            let analyzed = guarded("the analysis", analyze);
            if finished.send(Done { uri, generation, analyzed }).is_err() {
                break;
            }
        }
    })?;
    Ok((jobs, done))
}

impl Session<'_> {
    fn send(&self, message: impl Into<Message>) -> Result<(), Failure> {
        self.connection.sender.send(message.into())?;
        Ok(())
    }

    fn message(&mut self, message: Message) -> Result<(), Failure> {
        match message {
            Message::Request(request) => {
                let behind = document_of(&request.params).is_some_and(|uri| self.behind(uri));
                if behind {
                    self.waiting.push(request);
                    return Ok(());
                }
                let answer = self.answer(request);
                self.send(answer)
            }
            Message::Notification(n) => self.notification(n),
            Message::Response(_) => Ok(()),
        }
    }

    /// Whether the document's newest text is still to be analysed.
    fn behind(&self, uri: &str) -> bool {
        let Some(newest) = self.newest.get(uri) else { return false };
        let analyzed = self.server.documents.get(uri).is_some_and(|d| d.generation == *newest);
        let failed = self.failed.get(uri).is_some_and(|(g, _)| g == newest);
        !analyzed && !failed
    }

    /// A request answered from its document's newest analysis (an error
    /// when that analysis failed); a panic in it is an error answer.
    fn answer(&self, request: Request) -> Response {
        if let Some(uri) = document_of(&request.params)
            && let Some((generation, why)) = self.failed.get(uri)
            && self.newest.get(uri) == Some(generation)
        {
            return Response::new_err(request.id, ErrorCode::InternalError as i32, why.clone());
        }
        let (id, method) = (request.id.clone(), request.method.clone());
        guarded(&method, || self.server.request(request))
            .unwrap_or_else(|why| Response::new_err(id, ErrorCode::InternalError as i32, why))
    }

    fn notification(&mut self, n: Notification) -> Result<(), Failure> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(p) = params::<DidOpenTextDocument>(n) else { return Ok(()) };
                let doc = p.text_document;
                self.changed(doc.uri, doc.version, doc.text)
            }
            DidChangeTextDocument::METHOD => {
                let Some(mut p) = params::<DidChangeTextDocument>(n) else { return Ok(()) };
                // Full sync: the last change holds the whole text.
                let Some(change) = p.content_changes.pop() else { return Ok(()) };
                self.changed(p.text_document.uri, p.text_document.version, change.text)
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = params::<DidCloseTextDocument>(n) else { return Ok(()) };
                self.closed(p.text_document.uri)
            }
            Cancel::METHOD => {
                let Some(p) = params::<Cancel>(n) else { return Ok(()) };
                self.cancel(p.id)
            }
            _ => Ok(()),
        }
    }

    /// A new text: its job replaces the document's queued one.
    fn changed(&mut self, uri: Uri, version: i32, text: String) -> Result<(), Failure> {
        self.generations += 1;
        self.newest.insert(uri.as_str().to_owned(), self.generations);
        let job = Job { generation: self.generations, uri, version, text };
        self.queued.retain(|queued| queued.uri != job.uri);
        self.queued.push_back(job);
        self.next_job()
    }

    fn next_job(&mut self) -> Result<(), Failure> {
        if !self.busy
            && let Some(job) = self.queued.pop_front()
        {
            self.jobs.send(Work::Analyze(job)).map_err(|_| "the analysis thread ended")?;
            self.busy = true;
        }
        Ok(())
    }

    fn closed(&mut self, uri: Uri) -> Result<(), Failure> {
        let key = uri.as_str();
        self.newest.remove(key);
        self.failed.remove(key);
        if let Some(doc) = self.server.documents.remove(key) {
            self.retire(doc);
        }
        self.queued.retain(|queued| queued.uri != uri);
        self.answer_waiting()?;
        self.send(publish(uri, Vec::new(), None))
    }

    /// `$/cancelRequest` for a request still waiting: answered `-32800`
    /// without running it. One already answered is not touched.
    fn cancel(&mut self, id: NumberOrString) -> Result<(), Failure> {
        let id = match id {
            NumberOrString::Number(n) => RequestId::from(n),
            NumberOrString::String(s) => RequestId::from(s),
        };
        let Some(at) = self.waiting.iter().position(|r| r.id == id) else { return Ok(()) };
        let request = self.waiting.remove(at);
        let cancelled = "cancelled by the client".to_owned();
        self.send(Response::new_err(request.id, ErrorCode::RequestCanceled as i32, cancelled))
    }

    /// An analysis came back: installed (the spec carried over from the
    /// last one that read, when this text does not), its diagnostics
    /// published when it is of the newest text, the waiting requests it
    /// answers answered, the next job started.
    fn analyzed(&mut self, done: Done) -> Result<(), Failure> {
        self.busy = false;
        let key = done.uri.as_str().to_owned();
        let newest = self.newest.get(&key).copied();
        match done.analyzed {
            // Closed meanwhile.
            Ok((doc, _)) if newest.is_none() => self.retire(*doc),
            Err(_) if newest.is_none() => {}
            Ok((mut doc, diagnostics)) => {
                if let Some(mut previous) = self.server.documents.remove(&key) {
                    doc.spec = doc.spec.take().or_else(|| previous.spec.take());
                    self.retire(previous);
                }
                if newest == Some(done.generation) {
                    self.send(publish(done.uri, diagnostics, Some(doc.version)))?;
                }
                self.server.documents.insert(key, *doc);
            }
            Err(why) => {
                self.failed.insert(key, (done.generation, why));
            }
        }
        self.answer_waiting()?;
        self.next_job()
    }

    /// Frees a document on the thread that allocated it (`Work`); if that
    /// thread is gone, here.
    fn retire(&self, doc: Document) {
        let _ = self.jobs.send(Work::Retire(Box::new(doc)));
    }

    fn answer_waiting(&mut self) -> Result<(), Failure> {
        let (ready, still): (Vec<Request>, Vec<Request>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|r| document_of(&r.params).is_none_or(|uri| !self.behind(uri)));
        self.waiting = still;
        for request in ready {
            let answer = self.answer(request);
            self.send(answer)?;
        }
        Ok(())
    }
}

/// A notification's typed params; one that does not read is logged and
/// dropped (a notification has no answer to carry an error).
fn params<N: lsp_types::notification::Notification>(n: Notification) -> Option<N::Params> {
    serde_json::from_value(n.params).map_err(|e| eprintln!("chatroute lsp: {}: {e}", N::METHOD)).ok()
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Notification {
    Notification::new(PublishDiagnostics::METHOD.to_owned(), PublishDiagnosticsParams { uri, diagnostics, version })
}

/// After `shutdown`: `exit` ends the loop; requests meanwhile are
/// refused, as the protocol says; a client that closes its output or
/// stays silent 30 s ends it too.
fn await_exit(connection: &Connection) -> Result<(), Failure> {
    let timeout = std::time::Duration::from_secs(30);
    while let Ok(message) = connection.receiver.recv_timeout(timeout) {
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
