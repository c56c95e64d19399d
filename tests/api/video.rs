//! Video recording over HTTP: consent and tech check, resumable chunk uploads (out of order,
//! repeated, missing), assembly, ranged streaming to the owner and the organization's
//! recruiters, every refusal, the grace period and the retention sweep (on a manual clock), on
//! the local store and on an in-process S3 server.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use interview_core::testing::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::config::Settings;

use crate::helpers::{TestApp, error_code, spawn_app_on, spawn_app_with};
use crate::recruiters::admin_of;
use crate::video_support::{chunk, s3_server, s3_settings, upload_chunk, upload_for_interview};

const CHUNK: usize = 40_000;

async fn consent(app: &TestApp, token: &str, interview: &str, given: bool) {
    let response = app
        .post_json(
            &format!("/api/v1/interviews/{interview}/consent"),
            Some(token),
            &json!({"video_recording_consent": given}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["video_recording_consent"], given);
    assert!(body["decided_at"].is_string());
}

async fn started(app: &TestApp, email: &str) -> (String, String) {
    let candidate = app.register(email).await;
    let started = app.start(&candidate.token, "python").await;
    (candidate.token, started["id"].as_str().unwrap().to_owned())
}

async fn fetch(app: &TestApp, token: &str, path: &str, range: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path)).bearer_auth(token);
    if let Some(range) = range {
        request = request.header("Range", range);
    }
    request.send().await.unwrap()
}

/// The whole flow on one backend.
async fn record_and_watch(app: &TestApp) {
    let (token, interview) = started(app, "vera@example.com").await;
    let check = app
        .post_json(
            &format!("/api/v1/interviews/{interview}/tech-check"),
            Some(&token),
            &json!({"audio_test_passed": true, "camera_test_passed": true,
                    "audio_metadata": {"device_name": "Mic", "level": 0.4, "duration": 3},
                    "camera_metadata": {"device_name": "Cam", "resolution": "1280x720", "format": "webm"},
                    "browser_info": {"user_agent": "test"}}),
        )
        .await;
    assert_eq!(check.status(), StatusCode::OK);
    let check: Value = check.json().await.unwrap();
    assert_eq!(
        check["tech_check"]["camera_metadata"]["resolution"],
        "1280x720"
    );
    consent(app, &token, &interview, true).await;
    let shown = app
        .get_json(&format!("/api/v1/interviews/{interview}"), Some(&token))
        .await;
    assert_eq!(shown["video_recording_consent"], true);
    let status = app
        .get_json(
            &format!("/api/v1/interviews/{interview}/status"),
            Some(&token),
        )
        .await;
    assert_eq!(status["video_recording_consent"], true);

    // ten chunks out of order, two of them twice
    let chunks: Vec<Vec<u8>> = (0..10)
        .map(|index| chunk(index, CHUNK + index as usize))
        .collect();
    for index in [3, 0, 9, 1, 3, 7, 2, 8, 4, 0, 6] {
        let response = upload_chunk(
            app,
            &token,
            &interview,
            index,
            Some(10),
            chunks[index as usize].clone(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "chunk {index}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            (
                body["chunk_uploaded"].as_bool(),
                body["chunk_index"].as_u64()
            ),
            (Some(true), Some(u64::from(index)))
        );
    }
    // a different body under a stored index is refused
    let (status, body) =
        error_code(upload_chunk(app, &token, &interview, 2, Some(10), chunk(22, CHUNK)).await)
            .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("chunk_mismatch"))
    );
    // resumable: the client learns what is missing
    let listed = app
        .get_json(&format!("/api/v1/videos/{interview}/chunks"), Some(&token))
        .await;
    assert_eq!(listed["chunks"], json!([0, 1, 2, 3, 4, 6, 7, 8, 9]));
    assert_eq!(listed["missing"], json!([5]));
    assert_eq!(listed["expected_chunks"], 10);
    let (status, body) = error_code(
        app.post_json(
            &format!("/api/v1/videos/{interview}/finalize"),
            Some(&token),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_chunks"))
    );
    assert_eq!(body["error"]["details"]["missing"], json!([5]));
    // the last one completes the recording
    let response = upload_chunk(app, &token, &interview, 5, Some(10), chunks[5].clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let finalized = app
        .post_json(
            &format!("/api/v1/videos/{interview}/finalize"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(finalized.status(), StatusCode::OK);
    let finalized: Value = finalized.json().await.unwrap();
    let whole: Vec<u8> = chunks.concat();
    assert_eq!(finalized["total_chunks"], 10);
    assert_eq!(finalized["file_size_bytes"], whole.len());
    let url = finalized["video_recording_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(url, format!("/api/v1/videos/{interview}/stream"));
    let metadata = app
        .get_json(&format!("/api/v1/videos/{interview}"), Some(&token))
        .await;
    assert_eq!(
        (metadata["status"].as_str(), metadata["container"].as_str()),
        (Some("finalized"), Some("webm"))
    );
    assert_eq!(metadata["video_recording_url"], url.as_str());
    // no more chunks once finalized
    let (status, body) =
        error_code(upload_chunk(app, &token, &interview, 10, None, chunk(10, 100)).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("recording_closed"))
    );

    // watching: whole, a range across chunk boundaries, the end, and outside
    let response = fetch(app, &token, &url, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "video/webm");
    assert_eq!(response.bytes().await.unwrap().as_ref(), whole.as_slice());
    let (first, last) = (CHUNK as u64 - 10, 3 * CHUNK as u64 + 5);
    let response = fetch(app, &token, &url, Some(&format!("bytes={first}-{last}"))).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes {first}-{last}/{}", whole.len()).as_str()
    );
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        &whole[first as usize..=last as usize]
    );
    let response = fetch(app, &token, &url, Some("bytes=-100")).await;
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        &whole[whole.len() - 100..]
    );
    let response = fetch(
        app,
        &token,
        &url,
        Some(&format!("bytes={}-", whole.len() + 5)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // the organization's recruiters watch it too; another candidate does not see it
    let admin = admin_of(app, "Acme", "ada@acme.example").await;
    let response = fetch(app, &admin.token, &url, Some("bytes=0-99")).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.bytes().await.unwrap().as_ref(), &whole[..100]);
    let detail = app
        .get_json(
            &format!("/api/v1/recruiter/interviews/{interview}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(
        detail["interview"]["video_recording_url"],
        url.as_str(),
        "{detail}"
    );
    let other = app.register("otto@example.com").await;
    for path in [url.clone(), format!("/api/v1/videos/{interview}")] {
        assert_eq!(
            fetch(app, &other.token, &path, None).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (status, _) =
        error_code(upload_chunk(app, &other.token, &interview, 0, None, chunk(0, 100)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // deleted at the candidate's request: gone, but the record says it existed
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/videos/{interview}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        fetch(app, &token, &url, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let metadata = app
        .get_json(&format!("/api/v1/videos/{interview}"), Some(&token))
        .await;
    assert_eq!(
        (
            metadata["status"].as_str(),
            metadata["deletion_reason"].as_str()
        ),
        (Some("deleted"), Some("candidate_request"))
    );
    assert!(metadata["deleted_at"].is_string());
}

#[tokio::test]
async fn chunks_are_uploaded_resumed_assembled_and_streamed_on_the_local_store() {
    let app = spawn_app_with(|_| {}).await;
    record_and_watch(&app).await;
}

#[tokio::test]
async fn chunks_are_uploaded_resumed_assembled_and_streamed_on_s3() {
    let (endpoint, _root) = s3_server().await;
    let app = spawn_app_with(|settings: &mut Settings| {
        settings.storage.blobs = s3_settings(&endpoint);
    })
    .await;
    record_and_watch(&app).await;
}

#[tokio::test]
async fn uploads_without_consent_too_large_of_the_wrong_type_or_over_the_quota_are_refused() {
    let app = spawn_app_with(|settings: &mut Settings| {
        settings.video.limits.max_chunk_bytes = 64 * 1024;
        settings.video.limits.max_recording_bytes = 100 * 1024;
    })
    .await;
    let (token, interview) = started(&app, "nina@example.com").await;
    let (status, body) =
        error_code(upload_chunk(&app, &token, &interview, 0, None, chunk(0, 1000)).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("consent_required"))
    );
    consent(&app, &token, &interview, true).await;

    let (status, body) =
        error_code(upload_chunk(&app, &token, &interview, 0, None, chunk(0, 64 * 1024 + 1)).await)
            .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".repeat(10);
    let (status, _) = error_code(upload_chunk(&app, &token, &interview, 0, None, png).await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let text = b"this is a plain text file, not a video".repeat(10);
    let (status, _) = error_code(upload_chunk(&app, &token, &interview, 4, None, text).await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // nothing of the refused uploads was kept
    let listed = app
        .get_json(&format!("/api/v1/videos/{interview}/chunks"), Some(&token))
        .await;
    assert_eq!(listed["chunks"], json!([]));

    // the recording's quota: 60 KB + 60 KB is over 100 KB
    let response =
        upload_for_interview(&app, &token, &interview, 0, false, chunk(0, 60 * 1024)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["success"].as_bool(), body["total_uploaded"].as_u64()),
        (Some(true), Some(1))
    );
    let (status, body) = error_code(
        upload_for_interview(&app, &token, &interview, 1, true, chunk(1, 60 * 1024)).await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::INSUFFICIENT_STORAGE, Some("storage_limit"))
    );
    // a final chunk that fits completes the recording by itself (the `is_final` shape)
    let response =
        upload_for_interview(&app, &token, &interview, 1, true, chunk(1, 20 * 1024)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["video_recording_url"],
        format!("/api/v1/videos/{interview}/stream")
    );

    // withdrawn consent refuses later chunks
    let (token2, second) = started(&app, "noah@example.com").await;
    consent(&app, &token2, &second, true).await;
    assert_eq!(
        upload_chunk(&app, &token2, &second, 0, None, chunk(0, 1000))
            .await
            .status(),
        StatusCode::OK
    );
    consent(&app, &token2, &second, false).await;
    let (status, _) =
        error_code(upload_chunk(&app, &token2, &second, 1, None, chunk(1, 1000)).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn recorded(app: &TestApp, token: &str, interview: &str, finalize: bool) -> Vec<u8> {
    let bytes = chunk(0, 5000);
    let response = upload_chunk(
        app,
        token,
        interview,
        0,
        finalize.then_some(1),
        bytes.clone(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    bytes
}

async fn complete(app: &TestApp, token: &str, interview: &str) {
    let response = app
        .post_json(
            &format!("/api/v1/interviews/{interview}/complete"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn metadata_when(
    app: &TestApp,
    token: &str,
    interview: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..500 {
        let metadata = app
            .get_json(&format!("/api/v1/videos/{interview}"), Some(token))
            .await;
        if done(&metadata) {
            return metadata;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the recording of {interview} never got there");
}

#[tokio::test]
async fn the_grace_period_and_the_retention_sweep_follow_the_clock() {
    let clock = Arc::new(ManualClock::at(Utc::now()));
    let app = spawn_app_on(clock.clone(), |settings: &mut Settings| {
        settings.video.sweep_interval_seconds = 1;
        settings.storage.retention_days = 90;
    })
    .await;
    // an interview that ended: chunks are taken within the grace period, not after
    let (token, ended) = started(&app, "gus@example.com").await;
    consent(&app, &token, &ended, true).await;
    complete(&app, &token, &ended).await;
    clock.advance(chrono::Duration::minutes(9));
    let kept = recorded(&app, &token, &ended, true).await;
    clock.advance(chrono::Duration::minutes(2));
    let (status, body) =
        error_code(upload_chunk(&app, &token, &ended, 1, None, chunk(1, 100)).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("upload_closed"))
    );

    // an upload never finalized, and (later) a fresh recording
    let (token2, abandoned) = started(&app, "hal@example.com").await;
    consent(&app, &token2, &abandoned, true).await;
    recorded(&app, &token2, &abandoned, false).await;

    clock.advance(chrono::Duration::days(91));
    let (token3, fresh) = started(&app, "ivy@example.com").await;
    consent(&app, &token3, &fresh, true).await;
    let fresh_bytes = recorded(&app, &token3, &fresh, true).await;

    let old = metadata_when(&app, &token, &ended, |m| m["status"] == "deleted").await;
    assert_eq!(old["deletion_reason"], "retention");
    let gone = metadata_when(&app, &token2, &abandoned, |m| m["status"] == "deleted").await;
    assert_eq!(gone["deletion_reason"], "abandoned_upload");
    assert_eq!(
        fetch(
            &app,
            &token,
            &format!("/api/v1/videos/{ended}/stream"),
            None
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_ne!(kept.len(), 0);
    // what is not old stays
    let still = app
        .get_json(&format!("/api/v1/videos/{fresh}"), Some(&token3))
        .await;
    assert_eq!(still["status"], "finalized");
    let response = fetch(
        &app,
        &token3,
        &format!("/api/v1/videos/{fresh}/stream"),
        None,
    )
    .await;
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        fresh_bytes.as_slice()
    );
}
