//! The protocol's base layer (`Content-Length` framing) read with bounds.
//! `lsp-server`'s reader trusts the announced length (a huge one panics or
//! allocates it), buffers a header line whole and stops the server on the
//! first malformed message; here a header line and a message have a size
//! limit, and a message that is not JSON or not JSON-RPC is answered with
//! `-32700` or `-32600` while the server goes on.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, Message};
use serde_json::{Value, json};

/// Longest header line accepted; real headers are a few dozen bytes.
pub const MAX_HEADER_LINE: usize = 1024;
/// Largest message accepted: a spec is at most 32 MiB, and JSON escaping of
/// quotes and line breaks can at most double it.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// What one frame of the input held.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A frame that is no message: the error to answer, with the request's
    /// id where one could be read.
    Invalid {
        code: i32,
        message: String,
        id: Value,
    },
}

/// Reads the next frame; `None` at the end of the input. Headers may end
/// in CRLF (as the protocol says) or a bare LF (as some clients send).
pub fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<u64> = None;
    let mut problem = None;
    let mut any = false;
    loop {
        let Some(line) = header_line(input)? else {
            return Ok(any.then(|| invalid(-32700, "the input ended inside a message's headers".into())));
        };
        any = true;
        let line = match line {
            Ok(line) => line,
            Err(too_long) => {
                problem = Some(too_long);
                continue;
            }
        };
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            match value.trim().parse::<u64>() {
                Ok(n) => length = Some(n),
                Err(_) => problem = Some("the Content-Length header is not a number".into()),
            }
        }
    }
    let Some(length) = length else {
        return Ok(Some(invalid(-32700, problem.unwrap_or_else(|| "a message without Content-Length".into()))));
    };
    if length > MAX_MESSAGE as u64 {
        // Skipped without keeping it, so the next message is read in step.
        io::copy(&mut input.by_ref().take(length), &mut io::sink())?;
        return Ok(Some(invalid(-32600, format!("a message of {length} bytes is over the {MAX_MESSAGE}-byte limit"))));
    }
    let mut body = Vec::new();
    input.by_ref().take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Ok(Some(invalid(-32700, "the input ended inside a message".into())));
    }
    Ok(Some(decode(&body)))
}

/// One header line without its line break, `Err` for one over the limit
/// (the rest of it is skipped); `None` at the end of the input.
fn header_line(input: &mut impl BufRead) -> io::Result<Option<Result<String, String>>> {
    let mut line = Vec::new();
    let read = input.by_ref().take(MAX_HEADER_LINE as u64 + 1).read_until(b'\n', &mut line)?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && line.len() > MAX_HEADER_LINE {
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let n = input.by_ref().take(64 * 1024).read_until(b'\n', &mut rest)?;
            if n == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(Err(format!("a header line over {MAX_HEADER_LINE} bytes"))));
    }
    let text = String::from_utf8_lossy(&line);
    Ok(Some(Ok(text.trim_end_matches(['\r', '\n']).to_owned())))
}

fn invalid(code: i32, message: String) -> Frame {
    Frame::Invalid { code, message, id: Value::Null }
}

/// A body as a message: `-32700` for what is not JSON, `-32600` for JSON
/// that is no JSON-RPC message (answered with its id when it has one).
fn decode(body: &[u8]) -> Frame {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return invalid(-32700, format!("the message is not JSON: {e}")),
    };
    let id = value.get("id").filter(|id| id.is_i64() || id.is_string()).cloned().unwrap_or(Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Frame::Message(message),
        Err(e) => Frame::Invalid { code: -32600, message: format!("not a JSON-RPC message: {e}"), id },
    }
}

/// The JSON-RPC error answer to an invalid frame.
pub fn error_answer(code: i32, message: &str, id: &Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn write_frame(out: &mut impl Write, body: &[u8]) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(body)?;
    out.flush()
}

/// A connection on stdin and stdout, read with `read_frame`. Invalid
/// frames are answered by the reader itself; the two threads end when the
/// input ends and when the connection's sender is dropped.
pub fn stdio() -> (Connection, [std::thread::JoinHandle<io::Result<()>>; 2]) {
    let out = Arc::new(Mutex::new(io::stdout()));
    let (to_server, from_client) = crossbeam_channel::unbounded::<Message>();
    let (to_client, outgoing) = crossbeam_channel::bounded::<Message>(0);
    let reader = std::thread::spawn({
        let out = out.clone();
        move || read_loop(&mut io::stdin().lock(), &to_server, &out)
    });
    let writer = std::thread::spawn(move || write_loop(&outgoing, &out));
    (Connection { sender: to_client, receiver: from_client }, [reader, writer])
}

fn read_loop(input: &mut impl BufRead, to_server: &Sender<Message>, out: &Mutex<io::Stdout>) -> io::Result<()> {
    while let Some(frame) = read_frame(input)? {
        match frame {
            Frame::Message(message) => {
                if to_server.send(message).is_err() {
                    break;
                }
            }
            Frame::Invalid { code, message, id } => {
                let answer = error_answer(code, &message, &id).to_string();
                write_frame(&mut *out.lock().unwrap_or_else(|p| p.into_inner()), answer.as_bytes())?;
            }
        }
    }
    Ok(())
}

fn write_loop(outgoing: &Receiver<Message>, out: &Mutex<io::Stdout>) -> io::Result<()> {
    for message in outgoing {
        let body = serde_json::to_vec(&message)?;
        write_frame(&mut *out.lock().unwrap_or_else(|p| p.into_inner()), &body)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut reader = io::BufReader::new(input);
        std::iter::from_fn(|| read_frame(&mut reader).unwrap()).collect()
    }

    fn codes(frames: &[Frame]) -> Vec<i32> {
        frames.iter().map(|f| if let Frame::Invalid { code, .. } = f { *code } else { 0 }).collect()
    }

    const PING: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

    #[test]
    fn lying_lengths_and_garbage_are_answered_and_reading_goes_on() {
        let mut input = Vec::new();
        input.extend(b"Content-Length: 18446744073709551615\r\n\r\n");
        assert_eq!(codes(&frames(&input)), [-32600], "the length is refused without allocating it");
        input.clear();
        input.extend(b"Content-Length: 5\r\n\r\n{oops");
        input.extend(format!("Content-Length: 2\r\n\r\n[]Content-Length: {}\n\n{PING}", PING.len()).as_bytes());
        input.extend(b"Content-Length: x\r\n\r\n");
        assert_eq!(codes(&frames(&input)), [-32700, -32600, 0, -32700]);
    }

    #[test]
    fn a_long_header_line_is_skipped_not_buffered() {
        let mut input = vec![b'X'; 10 * MAX_HEADER_LINE];
        input.extend(format!("\r\nContent-Length: {}\r\n\r\n{PING}", PING.len()).as_bytes());
        input.extend(format!("Content-Length: {}\r\n\r\n{PING}", PING.len()).as_bytes());
        assert_eq!(codes(&frames(&input)), [0, 0]);
    }

    #[test]
    fn a_request_that_is_no_message_is_answered_with_its_id() {
        let body = r#"{"jsonrpc":"2.0","id":7,"method":5}"#;
        let input = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let Frame::Invalid { code, id, .. } = &frames(input.as_bytes())[0] else { panic!() };
        assert_eq!((*code, id.clone()), (-32600, json!(7)));
    }
}
