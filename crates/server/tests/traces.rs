//! OpenTelemetry traces from the server binary to an OTLP/HTTP collector stand-in: one answer is
//! one trace, request (named by its route, with the request id) → core use case → repository
//! and AI provider, continuing the caller's W3C trace context,
//! and the spans still buffered are sent when the server stops. (Off by default: the config's
//! own test.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::convert::Infallible;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use support::{candidate_interview, start, wait_ready};
use tokio::net::TcpListener;

const REQUEST_ID: &str = "trace-test-answer-1";
/// The caller's trace (a gateway's): W3C trace context, sampled.
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// The interviewer's chat completion for a request: an evaluation when structured output is
/// asked for, else the next question.
fn completion(request: &str) -> Value {
    let content = if request.contains("json_schema") {
        r#"{"answer_quality":"good","technical_accuracy":0.8,"explanation_clarity":0.75,
            "identified_skills":["functions"],"skill_boundaries_detected":[],
            "rationale":"Solid."}"#
    } else {
        "How would you test a function that reads the clock?"
    };
    json!({
        "id": "chatcmpl-traces", "object": "chat.completion", "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 200, "completion_tokens": 40, "total_tokens": 240}
    })
}

/// An OTLP/HTTP collector: every body POSTed to it, parsed as JSON; and, on the same port,
/// OpenAI's chat completions for the interviewer.
#[derive(Clone, Default)]
struct Collector {
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Collector {
    async fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        let bodies = self.bodies.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let bodies = bodies.clone();
                let service = service_fn(move |request: Request<Incoming>| {
                    let bodies = bodies.clone();
                    async move {
                        let chat = request.uri().path().ends_with("/chat/completions");
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        if chat {
                            let reply = completion(&String::from_utf8_lossy(&body));
                            return Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(
                                reply.to_string(),
                            ))));
                        }
                        bodies
                            .lock()
                            .unwrap()
                            .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                        Ok(Response::new(Full::new(Bytes::from_static(b"{}"))))
                    }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        endpoint
    }

    /// Every span received, each with its resource's attributes under `"resource"`.
    fn spans(&self) -> Vec<Value> {
        let mut spans = Vec::new();
        for body in self.bodies.lock().unwrap().iter() {
            for resource in body["resourceSpans"].as_array().into_iter().flatten() {
                for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                    for span in scope["spans"].as_array().into_iter().flatten() {
                        let mut span = span.clone();
                        span["resource"] = resource["resource"]["attributes"].clone();
                        spans.push(span);
                    }
                }
            }
        }
        spans
    }
}

fn attribute<'a>(attributes: &'a Value, key: &str) -> Option<&'a Value> {
    attributes
        .as_array()?
        .iter()
        .find(|attribute| attribute["key"] == key)
        .map(|attribute| &attribute["value"])
}

/// SIGTERM, then waits for the process to exit (it sends its last spans first).
async fn stop(mut server: Child) {
    let pid = server.id().to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(signalled.success());
    let exited = tokio::task::spawn_blocking(move || server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exited.success(), "the server exited with {exited}");
}

/// Runs a server with `extra` settings, answers one question under [`REQUEST_ID`] and stops it.
async fn answer_once(extra: &[(&str, String)]) {
    let dir = tempfile::tempdir().unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("traces.db").display()
    );
    let (server, base) = start(dir.path(), &database, extra);
    let client = reqwest::Client::new();
    tokio::time::timeout(Duration::from_mins(2), async {
        wait_ready(&client, &base).await;
        let (token, id) = candidate_interview(&client, &base, "trace@example.com", "Tracy").await;
        let answered = client
            .post(format!("{base}/api/v1/interviews/{id}/messages"))
            .bearer_auth(&token)
            .header("X-Request-Id", REQUEST_ID)
            .header("traceparent", format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01"))
            .json(&json!({"message_text": "Pure functions are easy to test.", "in_reply_to": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), reqwest::StatusCode::OK);
    })
    .await
    .expect("the interview hung");
    stop(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_is_one_trace_from_the_route_through_the_core_to_the_database_and_the_ai() {
    let collector = Collector::default();
    let endpoint = collector.start().await;
    let openai = endpoint.replace("/v1/traces", "/v1");
    answer_once(&[
        ("APP__AI__PROVIDER", "openai".into()),
        ("APP__AI__OPENAI__BASE_URL", openai),
        ("OPENAI_API_KEY", "sk-test".into()),
        ("APP__TRACES__OTLP_ENDPOINT", endpoint),
        // logs quieted: the traces keep their own filter
        ("APP__LOG__FILTER", "warn".into()),
        (
            "APP__TRACES__SERVICE_NAME",
            "interview-server-under-test".into(),
        ),
    ])
    .await;
    let spans = collector.spans();

    let request = spans
        .iter()
        .find(|span| {
            attribute(&span["attributes"], "request_id")
                == Some(&json!({"stringValue": REQUEST_ID}))
                && span["name"] == "POST /api/v1/interviews/{id}/messages"
        })
        .unwrap_or_else(|| panic!("no request span named by its route: {spans:#?}"));
    assert_eq!(request["kind"], 2, "a server span");
    assert_eq!(
        request["traceId"], CALLER_TRACE,
        "the caller's trace is continued"
    );
    assert_eq!(request["parentSpanId"], CALLER_SPAN);
    assert_eq!(
        attribute(&request["attributes"], "status"),
        Some(&json!({"intValue": "200"}))
    );
    assert_eq!(
        attribute(&request["resource"], "service.name"),
        Some(&json!({"stringValue": "interview-server-under-test"}))
    );
    let children_of = |parent: &Value| -> Vec<&Value> {
        spans
            .iter()
            .filter(|span| {
                span["parentSpanId"] == parent["spanId"] && span["traceId"] == parent["traceId"]
            })
            .collect()
    };
    let core = children_of(request)
        .into_iter()
        .find(|span| span["name"] == "interview.answer")
        .unwrap_or_else(|| panic!("no core span under the request: {spans:#?}"));
    assert!(attribute(&core["attributes"], "interview_id").is_some());
    let under_core: Vec<&str> = children_of(core)
        .iter()
        .filter_map(|span| span["name"].as_str())
        .collect();
    for operation in ["db.interviews.load", "ai.call", "db.interviews.save_turn"] {
        assert!(
            under_core.contains(&operation),
            "{operation} is not under the core span: {under_core:?}"
        );
    }
    let evaluation = children_of(core)
        .into_iter()
        .find(|span| span["name"] == "ai.call")
        .unwrap();
    assert_eq!(evaluation["kind"], 3, "a client span");
    assert_eq!(
        attribute(&evaluation["attributes"], "ai.outcome"),
        Some(&json!({"stringValue": "success"}))
    );
}
