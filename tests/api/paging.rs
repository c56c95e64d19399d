use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn paging_beyond_the_declared_range_is_a_400_and_never_reaches_the_database() {
    let app = spawn_app().await;
    let candidate = app.register("ada@example.com").await;
    let started = app.start(&candidate.token, "python").await;
    let id = started["id"].as_str().unwrap();
    let refused = [
        "skip=9223372036854775808",
        "skip=18446744073709551615",
        "skip=100001",
        "skip=-1",
        "limit=9223372036854775808",
        "limit=18446744073709551616",
        "limit=201",
        "limit=0",
        "skip=1&limit=99999999999",
    ];
    for query in refused {
        let response = app
            .get(
                &format!("/api/v1/interviews/{id}/messages?{query}"),
                Some(&candidate.token),
            )
            .await;
        let (status, body) = error_code(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{query}: {body}");
    }
    // the edges of the range are served
    for (query, count) in [("skip=100000", 0), ("limit=200", 1), ("skip=0&limit=1", 1)] {
        let response = app
            .get(
                &format!("/api/v1/interviews/{id}/messages?{query}"),
                Some(&candidate.token),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["messages"].as_array().unwrap().len(), count, "{query}");
        assert_eq!(page["total_count"], 1, "{query}");
    }
}

#[tokio::test]
async fn the_openapi_document_declares_the_paging_range_the_server_enforces() {
    let app = spawn_app().await;
    let document: Value = app.get_json("/api/v1/openapi.json", None).await;
    let parameters = document["paths"]["/api/v1/interviews/{id}/messages"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let schema = |name: &str| {
        parameters
            .iter()
            .find(|parameter| parameter["name"] == name && parameter["in"] == "query")
            .map_or_else(
                || panic!("no query parameter {name}"),
                |parameter| parameter["schema"].clone(),
            )
    };
    assert_eq!(schema("skip")["minimum"], 0, "{}", schema("skip"));
    assert_eq!(schema("skip")["maximum"], 100_000, "{}", schema("skip"));
    assert_eq!(schema("limit")["minimum"], 1, "{}", schema("limit"));
    assert_eq!(schema("limit")["maximum"], 200, "{}", schema("limit"));
}
