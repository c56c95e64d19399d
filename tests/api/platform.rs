use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_ready_and_ai_status_answer() {
    let app = spawn_app().await;
    let health = app.get("/health", None).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "healthy");
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    let ai: Value = app.get_json("/api/v1/ai/status", None).await;
    assert_eq!(ai["provider"], "offline");
    assert_eq!(ai["model"], "offline");
    assert!(ai["last_success_at"].is_null());

    let candidate = app.register("ada@example.com").await;
    app.start(&candidate.token, "react").await;
    let ai: Value = app.get_json("/api/v1/ai/status", None).await;
    assert!(ai["last_success_at"].is_string(), "{ai}");
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/health", None).await;
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let routes = [
        ("/health", "get"),
        ("/ready", "get"),
        ("/api/v1/ai/status", "get"),
        ("/metrics", "get"),
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/interviews", "get"),
        ("/api/v1/interviews/start", "post"),
        ("/api/v1/interviews/{id}", "get"),
        ("/api/v1/interviews/{id}/messages", "post"),
        ("/api/v1/interviews/{id}/messages", "get"),
        ("/api/v1/interviews/{id}/messages/latest", "get"),
        ("/api/v1/interviews/{id}/status", "get"),
        ("/api/v1/interviews/{id}/complete", "post"),
        ("/api/v1/interviews/{id}/transcript", "get"),
        ("/api/v1/interviews/{id}/messages/{message_id}/audio", "get"),
        ("/api/v1/interviews/{id}/realtime/connect", "get"),
        ("/api/v1/job-postings", "get"),
        ("/api/v1/job-postings/{id}", "get"),
        ("/api/v1/applications", "post"),
        ("/api/v1/applications/me", "get"),
        ("/api/v1/applications/{id}", "get"),
        ("/api/v1/recruiter/auth/login", "post"),
        ("/api/v1/recruiter/auth/logout", "post"),
        ("/api/v1/recruiter/auth/me", "get"),
        ("/api/v1/recruiter/users", "post"),
        ("/api/v1/recruiter/users", "get"),
        ("/api/v1/recruiter/users/{id}", "patch"),
        ("/api/v1/recruiter/job-postings", "post"),
        ("/api/v1/recruiter/job-postings", "get"),
        ("/api/v1/recruiter/job-postings/{id}", "get"),
        ("/api/v1/recruiter/job-postings/{id}", "patch"),
        ("/api/v1/recruiter/applications/{id}", "get"),
        ("/api/v1/recruiter/interviews", "get"),
        ("/api/v1/recruiter/interviews/{id}", "get"),
        ("/api/v1/recruiter/interviews/{id}/assessment", "get"),
        (
            "/api/v1/recruiter/interviews/{id}/assessment/regenerate",
            "post",
        ),
        ("/api/v1/recruiter/interviews/{id}/decision", "post"),
    ];
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 71, "{:?}", paths.keys().collect::<Vec<_>>());
    for (path, method) in routes {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty())
        );
        // every $ref points at a schema that exists
    }
    let text = document.to_string();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling reference to {name}");
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["securitySchemes"]["recruiter_bearer"].is_object());
    assert!(document["components"]["securitySchemes"]["metrics_bearer"].is_object());
    // recruiter operations name the recruiter scheme; stored audio is read with either
    // audience's token, and only candidates answer with a recording
    for (path, item) in paths {
        for operation in item.as_object().unwrap().values() {
            let schemes: Vec<&str> = operation["security"]
                .as_array()
                .map(|alternatives| {
                    alternatives
                        .iter()
                        .flat_map(|a| a.as_object().unwrap().keys().map(String::as_str))
                        .collect()
                })
                .unwrap_or_default();
            if path.starts_with("/api/v1/recruiter/") && path != "/api/v1/recruiter/auth/login" {
                assert_eq!(schemes, ["recruiter_bearer"], "{path}");
            }
            if path.ends_with("/messages/{message_id}/audio") {
                assert_eq!(schemes, ["bearer", "recruiter_bearer"], "{path}");
            }
            if path == "/api/v1/interviews/{id}/audio" {
                assert_eq!(schemes, ["bearer"], "{path}");
            }
            // open without `metrics.token` (an empty alternative), else its own bearer token
            if path == "/metrics" {
                assert_eq!(schemes, ["metrics_bearer"], "{path}");
                assert_eq!(operation["security"][0], serde_json::json!({}), "{path}");
                assert!(operation["responses"].get("403").is_none(), "{path}");
            }
        }
    }
    assert!(schemas.contains_key("ErrorResponse"));

    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    let page = docs.text().await.unwrap();
    assert!(page.contains("swagger-ui-bundle.js"));
    assert!(!page.contains("cdn."), "the docs page must work offline");
    let bundle = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_server_refuses_a_schema_that_is_behind_and_names_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings =
        server::config::Settings::defaults_for(server::config::Environment::Production);
    settings.server.port = 0;
    settings.database.url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("empty.db").display()
    );
    settings.database.auto_migrate = false;
    let Err(error) = server::Application::build(settings).await else {
        panic!("the server started on an unmigrated database");
    };
    let message = error.to_string();
    assert!(message.contains("11 migration(s) pending"), "{message}");
    assert!(
        message.contains("cargo run -p migration -- up"),
        "{message}"
    );
}
