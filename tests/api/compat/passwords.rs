//! The NIST SP 800-63B password policy over HTTP: length rather than character classes, the
//! common-password list, the email's name part, the configurable minimum, recruiters alike.

use reqwest::StatusCode;
use serde_json::json;

use super::register_at;
use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with};
use crate::recruiters::admin_of;

/// The 422 of a refused password: the `password` field and its reason.
async fn refused_password(response: reqwest::Response) -> String {
    let (status, body) = error_code(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let fields = body["error"]["details"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0]["field"], "password", "{body}");
    fields[0]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn passwords_need_length_not_character_classes() {
    let app = spawn_app().await;
    for (email, password) in [
        ("lower@example.com", "correct horse battery staple"),
        ("digits@example.com", "73918264501"),
        ("eight@example.com", "qxvbnmzk"),
        ("unicode@example.com", "пароль без цифр"),
    ] {
        let response = register_at(&app, "/api/v1/candidates/register", email, password).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{password}");
    }
    let reason = refused_password(
        register_at(
            &app,
            "/api/v1/auth/register",
            "short@example.com",
            "Sh0rt!x",
        )
        .await,
    )
    .await;
    assert_eq!(reason, "password must be at least 8 characters");
    let reason = refused_password(
        register_at(
            &app,
            "/api/v1/auth/register",
            "long@example.com",
            &"a".repeat(129),
        )
        .await,
    )
    .await;
    assert_eq!(reason, "password must be at most 128 characters");
    let longest = register_at(
        &app,
        "/api/v1/auth/register",
        "max@example.com",
        &"b".repeat(128),
    )
    .await;
    assert_eq!(longest.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn common_passwords_and_passwords_containing_the_email_name_are_refused() {
    let app = spawn_app().await;
    for common in [
        "Password1",
        "iloveyou",
        "TRUSTNO1",
        "password123",
        "Football2024!",
    ] {
        let reason = refused_password(
            register_at(&app, "/api/v1/auth/register", "common@example.com", common).await,
        )
        .await;
        assert!(reason.contains("most commonly used"), "{common}: {reason}");
    }
    let reason = refused_password(
        register_at(
            &app,
            "/api/v1/candidates/register",
            "Margaret.Hamilton@example.com",
            "I am MARGARET.HAMILTON, 1969",
        )
        .await,
    )
    .await;
    assert!(reason.contains("email"), "{reason}");
    // a two-letter name part is too short to look for
    let short_name = register_at(
        &app,
        "/api/v1/auth/register",
        "al@example.com",
        "always almost there",
    )
    .await;
    assert_eq!(short_name.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_minimum_password_length_is_configurable() {
    let app = spawn_app_with(|settings| settings.auth.password.min_length = 12).await;
    let reason = refused_password(
        register_at(
            &app,
            "/api/v1/auth/register",
            "ada@example.com",
            "eleven char",
        )
        .await,
    )
    .await;
    assert_eq!(reason, "password must be at least 12 characters");
    let accepted = register_at(
        &app,
        "/api/v1/auth/register",
        "ada@example.com",
        "twelve chars",
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
}

async fn add_recruiter(app: &TestApp, admin: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/recruiter/users",
        Some(admin),
        &json!({"email": "rita@acme.example", "full_name": "Rita Recruiter",
                "password": password, "role": "recruiter"}),
    )
    .await
}

#[tokio::test]
async fn recruiter_accounts_follow_the_same_password_policy() {
    let app = spawn_app().await;
    let admin = admin_of(&app, "Acme", "admin@acme.example").await;
    let reason = refused_password(add_recruiter(&app, &admin.token, "sunshine").await).await;
    assert!(reason.contains("most commonly used"), "{reason}");
    let reason =
        refused_password(add_recruiter(&app, &admin.token, "rita-at-acme-2024").await).await;
    assert!(reason.contains("email"), "{reason}");
    let created = add_recruiter(&app, &admin.token, "no classes needed here").await;
    assert_eq!(created.status(), StatusCode::CREATED);
}
