use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{error_code, spawn_app};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every documented operation: (path, method, operation).
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((path.clone(), method.to_owned(), operation.clone()));
            }
        }
    }
    found
}

fn declares(operation: &Value, status: &str) -> bool {
    operation["responses"].get(status).is_some()
}

#[tokio::test]
async fn every_operation_declares_the_errors_the_server_gives_it() {
    let app = spawn_app().await;
    let document: Value = app.get_json("/api/v1/openapi.json", None).await;
    let operations = operations(&document);
    assert_eq!(operations.len(), 81);
    let mut missing = Vec::new();
    for (path, method, operation) in &operations {
        let mut expected = Vec::new();
        let security = operation["security"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !security.is_empty() {
            expected.push("401");
        }
        // another audience's token is a 403; `/metrics` has a token of its own and no audience
        if security.iter().any(|alternative| {
            alternative.get("bearer").is_some() || alternative.get("recruiter_bearer").is_some()
        }) {
            expected.push("403");
        }
        // a body that stops arriving (`server.body_idle_timeout_seconds`)
        if operation.get("requestBody").is_some() {
            expected.push("408");
        }
        if operation["requestBody"]["content"]
            .get("application/json")
            .is_some()
        {
            expected.extend(["400", "413", "415", "422"]);
        }
        if [
            "/api/v1/auth/",
            "/api/v1/candidates/",
            "/api/v1/recruiter/auth/",
        ]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        {
            expected.push("429");
        }
        // the per-account budget: starting an interview and answering
        if method == "post"
            && [
                "/api/v1/interviews/start",
                "/api/v1/interviews/{id}/messages",
                "/api/v1/interviews/{id}/audio",
            ]
            .contains(&path.as_str())
        {
            expected.push("429");
        }
        if operation["parameters"]
            .as_array()
            .is_some_and(|parameters| parameters.iter().any(|p| p["in"] == "query"))
        {
            expected.push("400");
        }
        for status in expected {
            if !declares(operation, status) {
                missing.push(format!("{method} {path} {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "undeclared: {missing:?}");
    // the ones the document walk relies on are really there
    let me = &document["paths"]["/api/v1/auth/me"]["get"];
    assert!(declares(me, "401") && declares(me, "429"));
    let start = &document["paths"]["/api/v1/interviews/start"]["post"];
    for status in ["400", "401", "413", "415", "422"] {
        assert!(declares(start, status), "start lacks {status}");
    }
    for login in ["/api/v1/auth/login", "/api/v1/recruiter/auth/login"] {
        assert!(
            document["paths"][login]["post"]["responses"]["429"]["headers"]["Retry-After"]
                .is_object(),
            "{login}"
        );
    }
}

#[tokio::test]
async fn every_documented_path_refuses_other_methods_with_a_405_listing_the_documented_ones() {
    let app = spawn_app().await;
    let document: Value = app.get_json("/api/v1/openapi.json", None).await;
    let id = uuid::Uuid::now_v7().to_string();
    for (path, item) in document["paths"].as_object().unwrap() {
        let mut documented: Vec<String> = METHODS
            .iter()
            .filter(|method| item.get(**method).is_some())
            .map(|method| method.to_uppercase())
            .collect();
        documented.sort();
        let url = app.url(&path.replace("{id}", &id).replace("{message_id}", &id));
        let response = app.client.request(Method::TRACE, url).send().await.unwrap();
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        let (status, body) = error_code(response).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "TRACE {path}: {body}"
        );
        assert_eq!(body["error"]["code"], "method_not_allowed");
        let mut allowed: Vec<String> = allow.split(',').map(|m| m.trim().to_owned()).collect();
        allowed.sort();
        assert_eq!(allowed, documented, "{path}");
    }
}
