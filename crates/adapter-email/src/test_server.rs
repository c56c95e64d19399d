//! An SMTP server inside the test process, on a free loopback port, that records every message
//! it accepts. Plain text only (use `tls = "none"`); it speaks just enough SMTP for a client:
//! EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
//!
//! ```ignore
//! let server = SmtpServer::start().await?;
//! let mailer = adapter_email::SmtpMailer::new("no-reply@localhost", &server.settings())?;
//! mailer.send(&email).await?;
//! assert_eq!(server.received()[0].to, ["ann@example.com"]);
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::{SmtpSettings, SmtpTls};

/// A message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The MAIL FROM address, without angle brackets.
    pub from: String,
    /// The RCPT TO addresses, without angle brackets, in order.
    pub to: Vec<String>,
    /// The message as sent after DATA (headers, blank line, body; CRLF line ends), without the
    /// final `.` line and with dot-stuffing undone.
    pub data: String,
    /// The base64 argument of `AUTH PLAIN` on the connection, if the client logged in.
    pub auth: Option<String>,
}

impl ReceivedMail {
    /// The value of the first header called `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let headers = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in headers.split("\r\n") {
            match (&mut value, line.starts_with([' ', '\t'])) {
                (Some(value), true) => value.push_str(line),
                (Some(_), false) => break,
                (None, _) => {
                    if let Some((key, rest)) = line.split_once(':')
                        && key.eq_ignore_ascii_case(name)
                    {
                        value = Some(rest.trim_start().to_owned());
                    }
                }
            }
        }
        value
    }

    /// Everything after the blank line that ends the headers.
    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map_or("", |(_, body)| body)
    }
}

/// How the server answers; [`Default`] accepts everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replies {
    /// `false`: accept connections and never say a word (for time-out tests).
    pub greet: bool,
    /// The reply to `AUTH` (e.g. `535 5.7.8 bad credentials`).
    pub auth: String,
    /// The reply to `MAIL FROM`.
    pub mail: String,
    /// The reply to each `RCPT TO` (e.g. `550 5.1.1 no such user` or `451 4.3.0 try later`).
    pub rcpt: String,
    /// The reply after the message's final `.`; the message is recorded only on a 2xx.
    pub data: String,
}

impl Default for Replies {
    fn default() -> Self {
        Self {
            greet: true,
            auth: "235 2.7.0 Authentication successful".into(),
            mail: "250 2.1.0 OK".into(),
            rcpt: "250 2.1.5 OK".into(),
            data: "250 2.0.0 OK queued".into(),
        }
    }
}

/// The running server; stops (with its connections) when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    /// A server on `127.0.0.1:<free port>` that accepts every message.
    ///
    /// # Errors
    /// When no loopback port can be bound.
    pub async fn start() -> io::Result<Self> {
        Self::start_with(Replies::default()).await
    }

    /// A server on `127.0.0.1:<free port>` answering with `replies`.
    ///
    /// # Errors
    /// When no loopback port can be bound.
    pub async fn start_with(replies: Replies) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&received);
        let replies = Arc::new(replies);
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let replies = Arc::clone(&replies);
                let store = Arc::clone(&store);
                connections.spawn(async move {
                    // A client that hangs up mid-session is none of the test's business.
                    let _ = session(stream, &replies, &store).await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Self {
            addr,
            received,
            task,
        })
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Settings that reach this server: host `127.0.0.1`, its port, `tls = "none"`, a 5 s limit.
    pub fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: self.addr.ip().to_string(),
            port: self.addr.port(),
            tls: SmtpTls::None,
            timeout_seconds: 5,
            ..SmtpSettings::default()
        }
    }

    /// The messages accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The address inside `<...>` after `MAIL FROM:` / `RCPT TO:`, ignoring parameters.
fn path_argument(argument: &str) -> String {
    let argument = argument.trim();
    match (argument.find('<'), argument.find('>')) {
        (Some(start), Some(end)) if start < end => argument[start + 1..end].to_owned(),
        _ => argument
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

async fn reply(writer: &mut OwnedWriteHalf, text: &str) -> io::Result<()> {
    writer.write_all(format!("{text}\r\n").as_bytes()).await
}

async fn session(
    stream: TcpStream,
    replies: &Replies,
    store: &Mutex<Vec<ReceivedMail>>,
) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    if !replies.greet {
        // Hold the connection open and silent until the client gives up.
        let mut sink = Vec::new();
        let _ = tokio::io::copy(&mut reader, &mut sink).await;
        return Ok(());
    }
    reply(&mut writer, "220 test-server ESMTP ready").await?;

    let mut auth = None;
    let mut from = None::<String>;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
        let upper = command.to_ascii_uppercase();
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                let text = "250-test-server\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 10485760";
                reply(&mut writer, text).await?;
            }
            "HELO" | "NOOP" => reply(&mut writer, "250 OK").await?,
            "AUTH" => {
                let mut words = argument.split_whitespace();
                let plain = words
                    .next()
                    .is_some_and(|m| m.eq_ignore_ascii_case("PLAIN"));
                match words.next() {
                    Some(response) if plain => {
                        if replies.auth.starts_with('2') {
                            auth = Some(response.to_owned());
                        }
                        reply(&mut writer, &replies.auth).await?;
                    }
                    _ => reply(&mut writer, "504 5.5.4 only AUTH PLAIN <response>").await?,
                }
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                if replies.mail.starts_with('2') {
                    from = Some(path_argument(&command["MAIL FROM:".len()..]));
                    to.clear();
                }
                reply(&mut writer, &replies.mail).await?;
            }
            "RCPT" if upper.starts_with("RCPT TO:") => {
                if from.is_none() {
                    reply(&mut writer, "503 5.5.1 MAIL first").await?;
                    continue;
                }
                if replies.rcpt.starts_with('2') {
                    to.push(path_argument(&command["RCPT TO:".len()..]));
                }
                reply(&mut writer, &replies.rcpt).await?;
            }
            "DATA" => {
                let Some(sender) = from.take().filter(|_| !to.is_empty()) else {
                    reply(&mut writer, "503 5.5.1 RCPT first").await?;
                    continue;
                };
                reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                // The line end before the final `.` belongs to the terminator.
                if data.ends_with("\r\n") {
                    data.truncate(data.len() - 2);
                }
                if replies.data.starts_with('2') {
                    let mail = ReceivedMail {
                        from: sender,
                        to: std::mem::take(&mut to),
                        data,
                        auth: auth.clone(),
                    };
                    store
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(mail);
                }
                to.clear();
                reply(&mut writer, &replies.data).await?;
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(&mut writer, "250 OK").await?;
            }
            "QUIT" => {
                reply(&mut writer, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => reply(&mut writer, "502 5.5.2 command not recognised").await?,
        }
    }
}
