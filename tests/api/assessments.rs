//! Assessments over HTTP: produced by the durable job queue after an interview ends, on SQLite
//! and PostgreSQL, across restarts and nodes; browser events; provider failures.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::config::Settings;

use crate::helpers::{TestApp, error_code, spawn_app_with, strong_answer};

/// Workers that look for due jobs every 20 ms, retrying at once.
fn fast_jobs(settings: &mut Settings) {
    settings.jobs.poll_interval_ms = 20;
    settings.jobs.runner.retry.backoff_base_seconds = 0;
}

/// A node that serves the API but runs no jobs.
fn no_workers(settings: &mut Settings) {
    settings.jobs.workers = 0;
}

/// Starts an interview, answers `answers` questions and completes it; returns its id and the
/// completion's body.
async fn finished_interview(app: &TestApp, token: &str, answers: usize) -> (String, Value) {
    let started = app.start(token, "react").await;
    crate::helpers::finish_interview(app, token, &started, answers).await
}

/// Asks for the assessment until it is no longer pending (each wait is short; the bound only
/// keeps a broken build from hanging).
async fn settled_assessment(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    for _ in 0..1_000 {
        let response = app
            .get(&format!("/api/v1/interviews/{id}/assessment"), Some(token))
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        if status != StatusCode::ACCEPTED {
            return (status, body);
        }
        assert_eq!(body["status"], "pending");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the assessment of {id} stayed pending");
}

/// Runs `sql` (one text column) against the app's database.
async fn column(app: &TestApp, sql: &str) -> Vec<String> {
    use sqlx::{Connection, Row};
    if app.database_url.starts_with("postgres") {
        let mut connection = sqlx::postgres::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(&mut connection)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect()
    } else {
        let mut connection = sqlx::sqlite::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(&mut connection)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect()
    }
}

#[tokio::test]
async fn a_finished_interview_gets_an_assessment_consistent_with_its_transcript() {
    let app = spawn_app_with(fast_jobs).await;
    let candidate = app.register("ada@example.com").await;
    let token = candidate.token.as_str();
    let started = app.start(token, "react").await;
    let in_progress = started["id"].as_str().unwrap();
    let (status, body) = error_code(
        app.get(
            &format!("/api/v1/interviews/{in_progress}/assessment"),
            Some(token),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "assessment_not_due");

    let (id, completed) = finished_interview(&app, token, 3).await;
    assert!(
        ["pending", "ready"].contains(&completed["assessment_status"].as_str().unwrap()),
        "{completed}"
    );
    // the scores come from the record: there at once, one entry per skill explored
    let skills = completed["skill_assessments"].as_array().unwrap();
    let questions: u64 = skills
        .iter()
        .map(|s| s["questions"].as_u64().unwrap())
        .sum();
    assert_eq!(questions, 3);

    let (status, assessment) = settled_assessment(&app, token, &id).await;
    assert_eq!(status, StatusCode::OK, "{assessment}");
    assert_eq!(assessment["status"], "ready");
    let overall = assessment["overall_score"].as_u64().unwrap();
    assert!(overall <= 100);
    assert_eq!(
        assessment["skill_assessments"],
        completed["skill_assessments"]
    );
    for skill in assessment["skill_assessments"].as_array().unwrap() {
        assert!(skill["score"].as_u64().unwrap() <= 100);
    }
    // the candidate does not see what is for recruiters
    for hidden in [
        "integrity_flags",
        "recommendation",
        "ai_reasoning",
        "integrity_score",
    ] {
        assert!(assessment.get(hidden).is_none(), "{hidden} leaked");
    }
    // every claim cites messages of this transcript
    let transcript = app
        .get_json(&format!("/api/v1/interviews/{id}/transcript"), Some(token))
        .await;
    let numbers: BTreeSet<i64> = transcript["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sequence_number"].as_i64().unwrap())
        .collect();
    let claims = assessment["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .chain(assessment["growth_areas"].as_array().unwrap());
    for claim in claims {
        for cited in claim["evidence"].as_array().unwrap() {
            assert!(numbers.contains(&cited.as_i64().unwrap()), "{claim}");
        }
    }
    assert!(!assessment["highlights"].as_array().unwrap().is_empty());

    let status = app
        .get_json(&format!("/api/v1/interviews/{id}/status"), Some(token))
        .await;
    assert_eq!(status["assessment_status"], "ready");
    assert_eq!(status["overall_score"], assessment["overall_score"]);
    assert_eq!(status["highlights"], assessment["highlights"]);

    let stranger = app.register("eve@example.com").await;
    let response = app
        .get(
            &format!("/api/v1/interviews/{id}/assessment"),
            Some(&stranger.token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_queued_assessment_survives_a_restart_and_two_nodes_make_exactly_one_each() {
    // the first node runs no jobs: what it queues waits in the database
    let api = spawn_app_with(no_workers).await;
    let candidate = api.register("ada@example.com").await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        let (id, completed) = finished_interview(&api, &candidate.token, 1).await;
        assert_eq!(completed["assessment_status"], "pending");
        ids.push(id);
    }
    // two workers' nodes on the same database, as after a restart or a scale-out
    let url = api.database_url.clone();
    let _first = spawn_app_with(|s| {
        fast_jobs(s);
        s.jobs.workers = 3;
        s.database.url = url.clone();
    })
    .await;
    let _second = spawn_app_with(|s| {
        fast_jobs(s);
        s.jobs.workers = 3;
        s.database.url = url.clone();
    })
    .await;
    for id in &ids {
        let (status, body) = settled_assessment(&api, &candidate.token, id).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ready");
    }
    let per_interview = column(
        &api,
        "SELECT CAST(COUNT(*) AS TEXT) FROM assessment_results GROUP BY interview_id",
    )
    .await;
    assert_eq!(per_interview, vec!["1"; ids.len()], "{}", api.database);
    let succeeded = column(
        &api,
        "SELECT CAST(COUNT(*) AS TEXT) FROM background_jobs WHERE state = 'succeeded'",
    )
    .await;
    assert_eq!(succeeded, ["6"]);
}

#[tokio::test]
async fn browser_events_are_checked_recorded_and_raise_integrity_flags() {
    let app = spawn_app_with(fast_jobs).await;
    let candidate = app.register("ada@example.com").await;
    let token = candidate.token.as_str();
    let started = app.start(token, "react").await;
    let id = started["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/interviews/{id}/events");

    for (body, field) in [
        (json!({"events": []}), "events"),
        (
            json!({"events": [{"type": "screenshot", "timestamp": 1_764_000_000_000_i64}]}),
            "events.type",
        ),
        (
            json!({"events": [{"type": "paste", "timestamp": "yesterday"}]}),
            "events.timestamp",
        ),
        (
            json!({"events": [{"type": "paste", "timestamp": 1_764_000_000_000_i64, "count": 0}]}),
            "count",
        ),
        (
            json!({"events": vec![json!({"type": "paste", "timestamp": 1}); 101]}),
            "events",
        ),
    ] {
        let (status, error) = error_code(app.post_json(&path, Some(token), &body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error["error"]["details"]["fields"][0]["field"], field);
    }
    let stranger = app.register("eve@example.com").await;
    let response = app
        .post_json(
            &path,
            Some(&stranger.token),
            &json!({"events": [{"type": "paste", "timestamp": 1}]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = app
        .post_json(
            &path,
            Some(token),
            &json!({"events": [
                {"type": "tab_hidden", "timestamp": "2026-11-26T09:00:00Z", "count": 12},
                {"type": "paste", "timestamp": 1_764_000_000_000_i64}
            ]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.json::<Value>().await.unwrap()["recorded"], 2);

    let question = started["first_question"]["content_text"].as_str().unwrap();
    let answered = app
        .answer(token, &id, &strong_answer(question), 1, None)
        .await;
    assert_eq!(answered.status(), StatusCode::OK);
    app.post_json(
        &format!("/api/v1/interviews/{id}/complete"),
        Some(token),
        &json!({}),
    )
    .await;
    let (status, error) = error_code(
        app.post_json(
            &path,
            Some(token),
            &json!({"events": [{"type": "paste", "timestamp": 1}]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "interview_not_active");

    let (status, _) = settled_assessment(&app, token, &id).await;
    assert_eq!(status, StatusCode::OK);
    let flags = column(
        &app,
        "SELECT CAST(integrity_flags AS TEXT) FROM assessment_results",
    )
    .await;
    let flags: Vec<Value> = serde_json::from_str(&flags[0]).unwrap();
    let reported: Vec<(&str, &str)> = flags
        .iter()
        .filter(|flag| flag["messages"].as_array().unwrap().is_empty())
        .map(|flag| {
            (
                flag["type"].as_str().unwrap(),
                flag["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(reported, [("tab_hidden", "high"), ("paste", "medium")]);
    // the answer was sent the instant its question arrived: faster than anyone types
    assert!(
        flags.iter().any(|flag| flag["type"] == "fast_typing"),
        "{flags:?}"
    );
}

/// An OpenAI stand-in for questions and evaluations; the assessment call answers `assessment`.
async fn openai(assessment: wiremock::ResponseTemplate) -> wiremock::MockServer {
    use wiremock::matchers::{body_string_contains, method, path};
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("interview_assessment"))
        .respond_with(assessment)
        .with_priority(1) // mounted before `mount_chat`'s equal-priority evaluation mock
        .mount(&server)
        .await;
    crate::helpers::mount_chat(
        &server,
        r#"{"answer_quality":"good","technical_accuracy":0.8,"explanation_clarity":0.75,
               "identified_skills":["hooks"],"skill_boundaries_detected":[],
               "rationale":"Solid."}"#,
        "How do hooks keep state between renders?",
    )
    .await;
    server
}

fn on_openai(server: &wiremock::MockServer) -> impl FnOnce(&mut Settings) {
    let base_url = format!("{}/v1", server.uri());
    move |settings| {
        fast_jobs(settings);
        settings.ai.provider = server::config::AiProvider::Openai;
        settings.ai.openai.base_url = base_url;
        settings.ai.openai.api_key = Some("sk-test".to_owned().into());
        settings.ai.openai.retry.base_delay_ms = 1;
        settings.ai.openai.retry.max_retries = 0;
        settings.jobs.runner.retry.max_attempts = 3;
    }
}

#[tokio::test]
async fn the_openai_judgement_is_stored_and_its_cost_charged_to_the_interview() {
    let judgement = json!({
        "strengths": [{"text": "Explains hooks precisely", "evidence": [2]}],
        "growth_areas": [{"text": "Testing strategy", "evidence": [2]}],
        "highlights": [{"text": "The answer on state", "evidence": [2]}],
        "reasoning": "Consistent and precise.",
        "recommendation": "yes",
        "recommended_actions": ["Invite to the next round"]
    });
    let server = openai(crate::helpers::chat_reply(&judgement.to_string())).await;
    let app = spawn_app_with(on_openai(&server)).await;
    let candidate = app.register("ada@example.com").await;
    let (id, _) = finished_interview(&app, &candidate.token, 1).await;
    let (status, assessment) = settled_assessment(&app, &candidate.token, &id).await;
    assert_eq!(status, StatusCode::OK, "{assessment}");
    assert_eq!(assessment["highlights"][0]["text"], "The answer on state");
    assert_eq!(assessment["growth_areas"][0]["evidence"], json!([2]));
    let after = app
        .get_json(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
        .await;
    // every chat call (questions, evaluation and the one assessment) reports 240 tokens, and
    // the interview is charged for each
    let chat_calls: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| String::from_utf8_lossy(&request.body).into_owned())
        .collect();
    let assessing = chat_calls
        .iter()
        .filter(|body| body.contains("interview_assessment"))
        .count();
    assert_eq!(assessing, 1);
    assert_eq!(
        after["total_tokens_used"].as_u64().unwrap(),
        240 * chat_calls.len() as u64,
        "{after}"
    );
    let stored = column(
        &app,
        "SELECT recommendation || ' ' || generator FROM assessment_results",
    )
    .await;
    assert_eq!(stored, ["yes openai:gpt-4o-mini"]);
}

#[tokio::test]
async fn a_failing_provider_is_retried_then_the_assessment_fails_and_the_interview_is_untouched() {
    let server = openai(wiremock::ResponseTemplate::new(503)).await;
    let app = spawn_app_with(on_openai(&server)).await;
    let candidate = app.register("ada@example.com").await;
    let (id, _) = finished_interview(&app, &candidate.token, 1).await;
    let transcript = app
        .get_json(
            &format!("/api/v1/interviews/{id}/transcript"),
            Some(&candidate.token),
        )
        .await;
    let before = app
        .get_json(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
        .await;

    let (status, body) = settled_assessment(&app, &candidate.token, &id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "failed");
    let attempts = column(
        &app,
        "SELECT CAST(attempts AS TEXT) || ' ' || state FROM background_jobs",
    )
    .await;
    assert_eq!(attempts, ["3 failed"]);
    let calls = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| String::from_utf8_lossy(&request.body).contains("interview_assessment"))
        .count();
    assert_eq!(calls, 3);
    assert_eq!(
        app.get_json(
            &format!("/api/v1/interviews/{id}/transcript"),
            Some(&candidate.token)
        )
        .await,
        transcript
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/interviews/{id}"), Some(&candidate.token))
            .await,
        before
    );
    let status = app
        .get_json(
            &format!("/api/v1/interviews/{id}/status"),
            Some(&candidate.token),
        )
        .await;
    assert_eq!(status["assessment_status"], "failed");
    assert_eq!(status["status"], "completed");
}
