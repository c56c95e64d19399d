//! The reference web client as a browser fetches it: the page at `/`, its scripts, worklets and
//! style sheet under `/assets/` with the types a browser insists on (module scripts and
//! AudioWorklets must be JavaScript under `nosniff`), revalidation by ETag, and no shadowing of
//! the API, the docs or the probes.

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};

use crate::helpers::{TestApp, error_code, spawn_app};

const CACHE_CONTROL_NAME: &str = "cache-control";

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_page_is_served_at_the_root_with_its_policy() {
    let app = spawn_app().await;
    let page = fetch(&app, "/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, CACHE_CONTROL_NAME), "no-cache");
    let policy = header(&page, "content-security-policy");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/assets/js/main.js">"#));
    assert!(html.contains(r#"id="form-error""#) && html.contains(r#"role="alert""#));
}

#[tokio::test]
async fn scripts_worklets_and_styles_are_served_with_their_types() {
    let app = spawn_app().await;
    for (path, expected) in [
        ("/assets/js/main.js", "text/javascript; charset=utf-8"),
        (
            "/assets/js/pages/interview.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/assets/js/worklets/capture-processor.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/assets/js/worklets/playback-processor.js",
            "text/javascript; charset=utf-8",
        ),
        ("/assets/css/app.css", "text/css; charset=utf-8"),
        ("/assets/favicon.svg", "image/svg+xml; charset=utf-8"),
    ] {
        let response = fetch(&app, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "content-type"), expected, "{path}");
        assert!(!header(&response, ETAG.as_str()).is_empty(), "{path}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{path}");
    }
    let worklet = fetch(&app, "/assets/js/worklets/capture-processor.js").await;
    let source = worklet.text().await.unwrap();
    assert!(source.contains("registerProcessor('capture-processor'"));
}

#[tokio::test]
async fn an_unchanged_file_is_revalidated_with_a_304() {
    let app = spawn_app().await;
    let first = fetch(&app, "/assets/js/main.js").await;
    let tag = header(&first, ETAG.as_str());
    let again = app
        .client
        .get(app.url("/assets/js/main.js"))
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, ETAG.as_str()), tag);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = app
        .client
        .get(app.url("/assets/js/main.js"))
        .header(IF_NONE_MATCH, "W/\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_asset_is_the_apis_404_and_the_api_is_not_shadowed() {
    let app = spawn_app().await;
    for path in [
        "/assets/js/nothing.js",
        "/assets/../Cargo.toml",
        "/assets/js//main.js",
        "/index.html.bak",
    ] {
        let (status, body) = error_code(fetch(&app, path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"]["code"], "not_found", "{path}: {body}");
    }
    let (status, body) = error_code(fetch(&app, "/api/v1/no-such-endpoint").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let health = fetch(&app, "/health").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert!(header(&health, "content-type").starts_with("application/json"));
    let openapi = fetch(&app, "/api/v1/openapi.json").await;
    assert_eq!(openapi.status(), StatusCode::OK);
    let docs = fetch(&app, "/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(header(&docs, "content-type").starts_with("text/html"));
}
