//! A stand-in for `POST /v1/chat/completions`: every request, whatever it asks, is answered with
//! the same question, after a fixed delay (none by default; `slow-ai` makes the provider slow).
//! An evaluation request gets the question too, which the server reads as an unusable evaluation
//! and replaces with its neutral one: the turn still goes through.
//!
//! Hand-written HTTP/1.1 over tokio (keep-alive, `Content-Length` bodies, which is what the
//! server's client sends) rather than `wiremock`: a fixed reply needs no matching, and wiremock
//! would record every request and pull a test-only HTTP server into this release binary.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const QUESTION: &str = "How would you keep a Python function pure and easy to test?";

/// The running stub; stops when dropped.
pub struct ChatStub {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Drop for ChatStub {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl ChatStub {
    pub async fn start() -> Result<Self, String> {
        Self::start_with_delay(std::time::Duration::ZERO).await
    }

    /// As [`Self::start`], each reply sent `delay` after its request arrived.
    pub async fn start_with_delay(delay: std::time::Duration) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("chat stub: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("chat stub: {e}"))?;
        let reply = response();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, reply.clone(), delay));
            }
        });
        Ok(Self { addr, accept })
    }

    /// The OpenAI base URL to configure: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }
}

fn response() -> String {
    let body = serde_json::json!({
        "id": "chatcmpl-loadgen", "object": "chat.completion", "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": QUESTION},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 200, "completion_tokens": 20, "total_tokens": 220}
    })
    .to_string();
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// Answers each request on the connection in turn until the client closes it.
async fn serve(mut stream: TcpStream, reply: String, delay: std::time::Duration) {
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let whole = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                let whole = end + 4 + content_length(&buffer[..end]);
                if buffer.len() >= whole {
                    break whole;
                }
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        };
        buffer.drain(..whole);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if stream.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
