use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, SECRET, error_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn registration_returns_a_token_and_me_returns_the_account() {
    let app = spawn_app().await;
    let candidate = app.register("Ada@Example.com").await;
    let me = app.get("/api/v1/auth/me", Some(&candidate.token)).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["full_name"], "Test Candidate");
    assert_eq!(me["id"], candidate.id.as_str());
    assert!(me["created_at"].is_string());
}

#[tokio::test]
async fn registering_an_email_twice_is_a_conflict() {
    let app = spawn_app().await;
    app.register("ada@example.com").await;
    let response = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"email": "ADA@example.com", "password": PASSWORD, "full_name": "Ada"}),
        )
        .await;
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "email_taken");
}

#[tokio::test]
async fn registration_policy_violations_list_the_failing_fields() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"email": "not-an-email", "password": "weak", "full_name": " A "}),
        )
        .await;
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "password", "full_name"]);
}

#[tokio::test]
async fn registration_refuses_invisible_reordering_and_control_characters() {
    let app = spawn_app().await;
    let cases = [
        (
            "rlo@example.com",
            "Str0ng!pass",
            "Ada \u{202E}ecalevoL",
            "full_name",
        ),
        (
            "isolate@example.com",
            "Str0ng!pass",
            "\u{2067}Ada\u{2069}",
            "full_name",
        ),
        (
            "zwsp@example.com",
            "Str0ng!pass",
            "\u{200B}\u{200B}\u{200B}",
            "full_name",
        ),
        (
            "joiners@example.com",
            "Str0ng!pass",
            " \u{200D}\u{FEFF}\u{2060} ",
            "full_name",
        ),
        (
            "bell@example.com",
            "Str0ng!pass",
            "Ada\u{7}Lovelace",
            "full_name",
        ),
        (
            "nul@example.com",
            "Str0ng!pass\u{0}",
            "Ada Lovelace",
            "password",
        ),
        (
            "ada\u{202E}@example.com",
            "Str0ng!pass",
            "Ada Lovelace",
            "email",
        ),
    ];
    for (email, password, full_name, field) in cases {
        let response = app
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({"email": email, "password": password, "full_name": full_name}),
            )
            .await;
        let (status, body) = error_code(response).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{full_name:?}: {body}"
        );
        assert_eq!(body["error"]["code"], "validation_failed", "{body}");
        let fields: Vec<&str> = body["error"]["details"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec![field], "{email:?} {full_name:?}: {body}");
    }
    // a password with spaces and non-ASCII letters is fine
    let response = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"email": "spaces@example.com", "password": "Str0ng pass phrase é!",
                    "full_name": "José Ñúñez"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized() {
    let app = spawn_app().await;
    app.register("ada@example.com").await;
    let response = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "ada@example.com", "password": "Wr0ng!pass"}),
        )
        .await;
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn five_failed_logins_lock_the_email_even_for_the_right_password() {
    let app = spawn_app().await;
    app.register("ada@example.com").await;
    for _ in 0..5 {
        let response = app
            .post_json(
                "/api/v1/auth/login",
                None,
                &json!({"email": "ada@example.com", "password": "Wr0ng!pass"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 800 && retry_after <= 900, "{retry_after}");
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "account_locked");
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let response = app
        .post_json("/api/v1/auth/logout", Some(&candidate.token), &Value::Null)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"message": "Logged out successfully"})
    );
    let (status, body) = error_code(app.get("/api/v1/auth/me", Some(&candidate.token)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
}

fn token_with(secret: &str, algorithm: Algorithm, subject: &str, exp: i64, role: &str) -> String {
    encode(
        &Header::new(algorithm),
        &json!({"sub": subject, "role": role, "jti": uuid::Uuid::new_v4().to_string(), "iat": exp - 60, "exp": exp}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn expired_tampered_and_unsigned_tokens_are_refused() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let past = (Utc::now() - Duration::hours(1)).timestamp();
    let future = (Utc::now() + Duration::hours(1)).timestamp();
    let expired = token_with(SECRET, Algorithm::HS256, &candidate.id, past, "candidate");
    let forged = token_with(
        "some-other-secret-some-other-secret!!",
        Algorithm::HS256,
        &candidate.id,
        future,
        "candidate",
    );
    let payload = candidate.token.split('.').nth(1).unwrap();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    let mut tampered = candidate.token.clone();
    tampered.pop();
    tampered.push(if candidate.token.ends_with('A') {
        'B'
    } else {
        'A'
    });
    for token in [expired, forged, unsigned, tampered, "garbage".to_owned()] {
        let (status, body) = error_code(app.get("/api/v1/auth/me", Some(&token)).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    let (status, _) = error_code(app.get("/api/v1/auth/me", None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_for_another_role_is_forbidden_on_candidate_endpoints() {
    let app = spawn_app().await;
    let future = (Utc::now() + Duration::hours(1)).timestamp();
    let recruiter = token_with(
        SECRET,
        Algorithm::HS256,
        &uuid::Uuid::now_v7().to_string(),
        future,
        "recruiter",
    );
    let (status, body) = error_code(app.get("/api/v1/interviews", Some(&recruiter)).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_address_with_a_json_429() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.enabled = true;
        settings.rate_limit.per_second = 1;
        settings.rate_limit.burst = 3;
    })
    .await;
    let mut limited = None;
    for _ in 0..20 {
        let response = app.get("/api/v1/auth/me", None).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = limited.expect("20 quick requests must exceed a burst of 3 at 1/s");
    assert!(response.headers().contains_key("retry-after"));
    let (_, body) = error_code(response).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    // interview endpoints are not limited by it
    let other = app.get("/health", None).await;
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_signed_token_whose_account_is_gone_gets_a_401_without_driver_text() {
    let app = spawn_app().await;
    let future = (Utc::now() + Duration::hours(1)).timestamp();
    let orphan = token_with(
        SECRET,
        Algorithm::HS256,
        &uuid::Uuid::now_v7().to_string(),
        future,
        "candidate",
    );
    let response = app
        .post_json(
            "/api/v1/interviews/start",
            Some(&orphan),
            &json!({"role_type": "python"}),
        )
        .await;
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let message = body["error"]["message"].as_str().unwrap().to_lowercase();
    assert!(!message.contains("foreign"), "{message}");
    assert!(!message.contains("constraint"), "{message}");
    // nothing was kept for the unknown subject
    let listed = app.get_json("/api/v1/interviews", Some(&orphan)).await;
    assert_eq!(listed, json!([]));
}
