//! A stand-in for OpenAI's chat completions whose replies the test holds back and lets go, so
//! "while every AI call is waiting" is a state the test can reach and check, not a delay it has
//! to guess. wiremock cannot do this: its responders answer synchronously, after a fixed delay.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::helpers::{GOOD_EVALUATION, REACT_QUESTION, chat_completion};

/// What the provider does with the chat requests it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers at once: a good evaluation or the next question.
    Answer,
    /// Keeps every request waiting until the behaviour changes.
    Hold,
    /// A 500 storm.
    Fail,
}

struct Shared {
    behaviour: watch::Sender<Behaviour>,
    received: AtomicUsize,
    arrived: Notify,
}

/// The running stand-in; stops when dropped.
pub struct GatedProvider {
    shared: Arc<Shared>,
    base_url: String,
    accept: JoinHandle<()>,
}

impl Drop for GatedProvider {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl GatedProvider {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            behaviour: watch::Sender::new(Behaviour::Answer),
            received: AtomicUsize::new(0),
            arrived: Notify::new(),
        });
        let serving = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = serving.clone();
                let service = service_fn(move |request| respond(shared.clone(), request));
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        Self {
            shared,
            base_url,
            accept,
        }
    }

    /// The OpenAI base URL to configure.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Changes what happens to waiting and future requests: held ones are let go on any change.
    pub fn behave(&self, behaviour: Behaviour) {
        self.shared.behaviour.send_replace(behaviour);
    }

    /// Chat requests received so far.
    pub fn received(&self) -> usize {
        self.shared.received.load(Ordering::SeqCst)
    }

    /// Returns once `count` requests in all have been received.
    pub async fn wait_for(&self, count: usize) {
        loop {
            let arrived = self.shared.arrived.notified();
            if self.received() >= count {
                return;
            }
            arrived.await;
        }
    }
}

async fn respond(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let wants_evaluation = match request.into_body().collect().await {
        Ok(body) => String::from_utf8_lossy(&body.to_bytes()).contains("json_schema"),
        Err(_) => false,
    };
    let mut behaviour = shared.behaviour.subscribe();
    shared.received.fetch_add(1, Ordering::SeqCst);
    shared.arrived.notify_waiters();
    if *behaviour.borrow_and_update() == Behaviour::Hold {
        // the server gives up at its timeout and drops the connection, which drops this future
        let _ = behaviour.changed().await;
    }
    let current = *behaviour.borrow();
    let (status, body) = match current {
        Behaviour::Fail => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": {"message": "boom", "type": "server_error", "code": null}}),
        ),
        Behaviour::Answer | Behaviour::Hold => (StatusCode::OK, completion(wants_evaluation)),
    };
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

fn completion(evaluation: bool) -> serde_json::Value {
    chat_completion(if evaluation {
        GOOD_EVALUATION
    } else {
        REACT_QUESTION
    })
}
