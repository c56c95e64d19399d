//! Limits a single account cannot get around: starting interviews and answering share a
//! per-account budget, whatever the address or the token it uses.

use fake_realtime::Script;
use reqwest::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::helpers::{PASSWORD, error_code, spawn_app_with};
use crate::realtime_flow::{HANG_GUARD, Read, live};

#[tokio::test]
async fn an_account_that_starts_and_answers_too_fast_gets_429_and_others_do_not() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.enabled = true;
        settings.rate_limit.account_burst = 3;
        // one more a minute: nothing refills while the test runs
        settings.rate_limit.account_per_minute = 1;
    })
    .await;
    let ada = app.register("ada@example.com").await;
    let grace = app.register("grace@example.com").await;

    let started = app.start(&ada.token, "python").await;
    let id = started["id"].as_str().unwrap();
    // the opening question is message 1
    let question = 1;
    app.start(&ada.token, "react").await;
    let answer = app
        .answer(&ada.token, id, "Lists are mutable.", question, None)
        .await;
    assert_eq!(answer.status(), StatusCode::OK);

    // the fourth costly request of the burst is refused, with when to come back
    let refused = app
        .post_json(
            "/api/v1/interviews/start",
            Some(&ada.token),
            &json!({"role_type": "python"}),
        )
        .await;
    assert!(refused.headers().get("retry-after").is_some());
    let (status, body) = error_code(refused).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["detail"].is_string(), "{body}");

    // a second token of the same account shares its budget
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    let second: serde_json::Value = login.json().await.unwrap();
    let again = app
        .answer(
            second["token"].as_str().unwrap(),
            id,
            "Tuples are hashable.",
            question + 2,
            None,
        )
        .await;
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);

    // reading is not counted, and another account (same address) is untouched
    let listed = app.get("/api/v1/interviews", Some(&ada.token)).await;
    assert_eq!(listed.status(), StatusCode::OK);
    app.start(&grace.token, "python").await;
}

#[tokio::test]
async fn an_account_holds_at_most_two_live_interviews_at_once() {
    let live = live(Script::new(), |_| {}).await;
    let mut others = Vec::new();
    for _ in 0..2 {
        let started = live
            .app
            .post_json(
                "/api/v1/interviews/start",
                Some(&live.candidate.token),
                &json!({"role_type": "react", "mode": "realtime"}),
            )
            .await;
        assert_eq!(started.status(), StatusCode::CREATED);
        let started: serde_json::Value = started.json().await.unwrap();
        others.push(started["id"].as_str().unwrap().to_owned());
    }
    let mut first = live.connect().await;
    first.until(|frame| frame["type"] == "connected").await;
    let mut second = live.connect_at(&live.app, &others[0]).await;
    second.until(|frame| frame["type"] == "connected").await;

    // a third live interview is refused, and says why
    let mut third = live.connect_at(&live.app, &others[1]).await;
    let frames = third.until(|frame| frame["type"] == "error").await;
    assert_eq!(frames.last().unwrap()["error"], "RATE_LIMIT_EXCEEDED");
    assert!(matches!(
        tokio::time::timeout(HANG_GUARD, third.read()).await,
        Ok(Read::Closed(Some(CloseCode::Policy)))
    ));

    // a reconnect to a live interview is not one more
    let mut again = live.connect().await;
    again.until(|frame| frame["type"] == "connected").await;

    // once the candidate leaves one interview, the third may go live
    second.close().await;
    let started = std::time::Instant::now();
    loop {
        let mut third = live.connect_at(&live.app, &others[1]).await;
        let frames = third
            .until(|frame| frame["type"] == "connected" || frame["type"] == "error")
            .await;
        if frames.last().unwrap()["type"] == "connected" {
            break;
        }
        // the server lets the closed connection go as soon as it reads the close
        assert!(
            started.elapsed() < HANG_GUARD,
            "the place was never given back"
        );
        tokio::task::yield_now().await;
    }
    drop(first);
}

/// Sends `partial` (a request that stops short) on a new connection to `app`; the server must
/// answer 408 with the JSON error body and close the connection.
async fn cut_off_with_a_json_408(app: &crate::helpers::TestApp, partial: &[u8]) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(partial).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(HANG_GUARD, stream.read_to_end(&mut response))
        .await
        .expect("the server answers and closes")
        .unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(
        response.contains("content-type: application/json"),
        "{response}"
    );
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["error"]["code"], "request_timeout");
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_off_with_a_json_408() {
    let app = spawn_app_with(|settings| settings.server.body_idle_timeout_seconds = 1).await;
    // a body announced as 200 bytes, of which 12 arrive
    cut_off_with_a_json_408(
        &app,
        b"POST /api/v1/auth/register HTTP/1.1\r\nHost: localhost\r\n\
          Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\": \"a",
    )
    .await;

    // a body that arrives, however slowly overall, is not cut off
    let registered = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"email": "slow@example.com", "password": PASSWORD, "full_name": "Slow Sender"}),
        )
        .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn headers_that_stop_arriving_get_a_json_408_and_the_connection_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|settings| settings.server.header_timeout_seconds = 1).await;
    // the request line and one header, and then nothing
    cut_off_with_a_json_408(
        &app,
        b"GET /api/v1/interviews HTTP/1.1\r\nHost: localhost\r\n",
    )
    .await;

    // headers that arrive in time are served
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
}
