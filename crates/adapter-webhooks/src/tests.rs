#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use wiremock::matchers::{body_bytes, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

fn settings(allow_private: bool) -> WebhookSettings {
    WebhookSettings {
        allow_private,
        timeout_seconds: 1,
        ..WebhookSettings::default()
    }
}

fn delivery(url: String) -> OutgoingDelivery {
    OutgoingDelivery {
        url,
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("X-Signature-256", "sha256=abc".into()),
        ],
        body: br#"{"type":"decision.made"}"#.to_vec(),
    }
}

#[tokio::test]
async fn a_delivery_posts_the_body_and_headers_and_returns_the_status() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .and(header("X-Signature-256", "sha256=abc"))
        .and(header("Content-Type", "application/json"))
        .and(body_bytes(br#"{"type":"decision.made"}"#.to_vec()))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&receiver)
        .await;
    let sender = HttpWebhookSender::new(&settings(true)).unwrap();
    let status = sender
        .send(&delivery(format!("{}/hook", receiver.uri())))
        .await
        .unwrap();
    assert_eq!(status, 202);
}

#[tokio::test]
async fn redirects_are_not_followed_and_errors_are_statuses() {
    let receiver = MockServer::start().await;
    Mock::given(path("/moved"))
        .respond_with(ResponseTemplate::new(301).insert_header("Location", "/elsewhere"))
        .mount(&receiver)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&receiver)
        .await;
    let sender = HttpWebhookSender::new(&settings(true)).unwrap();
    let status = sender
        .send(&delivery(format!("{}/moved", receiver.uri())))
        .await
        .unwrap();
    assert_eq!(status, 301);
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_a_closed_port_fails() {
    let receiver = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&receiver)
        .await;
    let sender = HttpWebhookSender::new(&settings(true)).unwrap();
    assert_eq!(
        sender
            .send(&delivery(format!("{}/slow", receiver.uri())))
            .await,
        Err(SendError::TimedOut)
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    match sender
        .send(&delivery(format!("http://127.0.0.1:{port}/hook")))
        .await
    {
        Err(SendError::Failed(reason)) => assert!(!reason.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn private_targets_are_refused_by_address_and_by_resolved_name() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&receiver)
        .await;
    let sender = HttpWebhookSender::new(&settings(false)).unwrap();
    let port = receiver.address().port();
    assert!(matches!(
        sender
            .send(&delivery(format!("http://127.0.0.1:{port}/hook")))
            .await,
        Err(SendError::Refused(_))
    ));
    // a name is resolved by the guarded resolver: localhost has no public address
    match sender
        .send(&delivery(format!("http://localhost:{port}/hook")))
        .await
    {
        Err(SendError::Failed(reason)) => {
            assert!(reason.contains("no public address"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}
