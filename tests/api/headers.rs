use reqwest::header::{CONTENT_TYPE, ORIGIN};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, error_code, spawn_app_with};

const FRONTEND: &str = "https://app.example.com";

async fn app_for_the_frontend(rate_limited: bool) -> TestApp {
    spawn_app_with(|settings| {
        settings.server.cors_origins = vec![FRONTEND.to_owned()];
        if rate_limited {
            settings.rate_limit.enabled = true;
            settings.rate_limit.per_second = 1;
            settings.rate_limit.burst = 1;
        }
    })
    .await
}

/// The response has the CORS and security headers a successful one has, and the API's error
/// body quoting its request id.
async fn assert_decorated_error(name: &str, request: RequestBuilder, expected: StatusCode) {
    let response = request.header(ORIGIN, FRONTEND).send().await.unwrap();
    let headers = response.headers().clone();
    let (status, body) = error_code(response).await;
    assert_eq!(status, expected, "{name}: {body}");
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(FRONTEND),
        "{name}: {headers:?}"
    );
    assert!(
        headers.contains_key("access-control-expose-headers"),
        "{name}: {headers:?}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff", "{name}");
    assert_eq!(headers["x-frame-options"], "DENY", "{name}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{name}");
    let request_id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(body["error"]["request_id"], request_id, "{name}");
}

#[tokio::test]
async fn error_responses_carry_the_same_cors_and_security_headers_as_successes() {
    let app = app_for_the_frontend(false).await;
    let success = app
        .client
        .get(app.url("/health"))
        .header(ORIGIN, FRONTEND)
        .send()
        .await
        .unwrap();
    assert_eq!(success.status(), StatusCode::OK);
    assert_eq!(success.headers()["access-control-allow-origin"], FRONTEND);

    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let answer_url = app.url(&format!("/api/v1/interviews/{id}/messages"));
    let client = &app.client;
    let cases: Vec<(&str, RequestBuilder, StatusCode)> = vec![
        (
            "no token",
            client.get(app.url("/api/v1/auth/me")),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "unknown endpoint",
            client.get(app.url("/api/v1/nothing-here")),
            StatusCode::NOT_FOUND,
        ),
        (
            "somebody else's interview",
            client
                .get(app.url(&format!("/api/v1/interviews/{}", uuid::Uuid::now_v7())))
                .bearer_auth(&candidate.token),
            StatusCode::NOT_FOUND,
        ),
        (
            "unrouted method",
            client.request(Method::TRACE, app.url("/health")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "malformed JSON",
            client
                .post(&answer_url)
                .bearer_auth(&candidate.token)
                .header(CONTENT_TYPE, "application/json")
                .body("{"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "invalid registration",
            client
                .post(app.url("/api/v1/auth/register"))
                .json(&json!({"email": "x", "password": "y", "full_name": "z"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "email taken",
            client.post(app.url("/api/v1/auth/register")).json(
                &json!({"email": "ada@example.com", "password": "Str0ng!pass", "full_name": "Ada"}),
            ),
            StatusCode::CONFLICT,
        ),
        (
            "body too large",
            client
                .post(&answer_url)
                .bearer_auth(&candidate.token)
                .json(&json!({"message_text": "x".repeat(1_100_000)})),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "not JSON",
            client
                .post(&answer_url)
                .bearer_auth(&candidate.token)
                .header(CONTENT_TYPE, "text/plain")
                .body("hello"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "paging out of range",
            client
                .get(format!("{answer_url}?skip=9223372036854775808"))
                .bearer_auth(&candidate.token),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (name, request, expected) in cases {
        assert_decorated_error(name, request, expected).await;
    }
}

#[tokio::test]
async fn a_rate_limited_request_carries_the_same_headers_as_any_other() {
    let app = app_for_the_frontend(true).await;
    let mut limited = false;
    for _ in 0..10 {
        let response = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .header(ORIGIN, FRONTEND)
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            assert!(response.headers().contains_key("retry-after"));
            break;
        }
    }
    assert!(limited, "10 quick requests must exceed a burst of 1 at 1/s");
    assert_decorated_error(
        "rate limited",
        app.client.get(app.url("/api/v1/auth/me")),
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

#[tokio::test]
async fn an_unrouted_method_on_a_known_path_is_a_405_naming_the_allowed_ones() {
    let app = app_for_the_frontend(false).await;
    let id = uuid::Uuid::now_v7();
    let cases = [
        (Method::TRACE, "/health".to_owned(), vec!["GET"]),
        (
            Method::DELETE,
            "/api/v1/auth/login".to_owned(),
            vec!["POST"],
        ),
        (Method::PUT, format!("/api/v1/interviews/{id}"), vec!["GET"]),
        (
            Method::PATCH,
            format!("/api/v1/interviews/{id}/messages"),
            vec!["GET", "POST"],
        ),
        (
            Method::GET,
            "/api/v1/interviews/start".to_owned(),
            vec!["POST"],
        ),
    ];
    for (method, path, allowed) in cases {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        let (status, body) = error_code(response).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {body}"
        );
        assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
        let mut listed: Vec<&str> = allow.split(',').map(str::trim).collect();
        listed.sort_unstable();
        assert_eq!(listed, allowed, "{method} {path}");
    }
}

#[tokio::test]
async fn a_browser_may_put_and_delete_from_the_frontend() {
    let app = app_for_the_frontend(false).await;
    for (method, path) in [
        ("PUT", "/api/v1/profile/skills"),
        (
            "DELETE",
            "/api/v1/resumes/0193a5a0-0000-7000-8000-000000000000",
        ),
        (
            "PATCH",
            "/api/v1/recruiter/webhooks/0193a5a0-0000-7000-8000-000000000000",
        ),
    ] {
        let response = app
            .client
            .request(Method::OPTIONS, app.url(path))
            .header(ORIGIN, FRONTEND)
            .header("Access-Control-Request-Method", method)
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        let allowed = response.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(allowed.contains(method), "{method} not in {allowed}");
    }
}
