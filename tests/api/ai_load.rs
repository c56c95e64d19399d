//! The AI provider slow and failing under a load of interviews, not one at a time: while every
//! answer waits on the provider, the endpoints that need no AI still answer (with a database
//! pool smaller than the number of waiting answers, so an answer that held a connection across
//! its AI call would starve them); a reply slower than the timeout is cut off for every waiting
//! answer; a 500 storm opens the breaker, which then sends nothing; every interview resumes once
//! the provider does, each answer stored once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;
use server::config::AiProvider;
use tokio::task::JoinHandle;

use crate::gated_provider::{Behaviour, GatedProvider};
use crate::helpers::{TestApp, error_code, spawn_app_with};

const INTERVIEWS: usize = 12;
/// Smaller than `INTERVIEWS` on purpose.
const POOL: u32 = 4;
/// Above `INTERVIEWS`: the round of timeouts leaves the breaker closed, the 500 storm opens it.
const FAILURE_THRESHOLD: u32 = INTERVIEWS as u32 + 1;
/// Only a guard against a hang.
const HANG_GUARD: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Interview {
    token: String,
    id: String,
}

async fn guarded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: hung"))
}

/// Every interview answers its question `in_reply_to` at once, with one key per round.
fn answer_all(
    app: &Arc<TestApp>,
    interviews: &[Interview],
    in_reply_to: i64,
) -> Vec<JoinHandle<(StatusCode, Option<String>, Value)>> {
    interviews
        .iter()
        .map(|interview| {
            let app = app.clone();
            let (token, id) = (interview.token.clone(), interview.id.clone());
            let key = format!("{id}-{in_reply_to}");
            tokio::spawn(async move {
                let response = app
                    .answer(
                        &token,
                        &id,
                        "Same props, same output.",
                        in_reply_to,
                        Some(&key),
                    )
                    .await;
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned);
                (status, retry_after, response.json().await.unwrap())
            })
        })
        .collect()
}

async fn outcomes(
    handles: Vec<JoinHandle<(StatusCode, Option<String>, Value)>>,
) -> Vec<(StatusCode, Option<String>, Value)> {
    guarded("answers", join_all(handles))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

/// Every read a frontend makes without the AI: each must succeed.
async fn read_everything(app: &TestApp, interviews: &[Interview], messages: usize) {
    let reads = interviews.iter().map(|interview| async move {
        let one = app
            .get(
                &format!("/api/v1/interviews/{}", interview.id),
                Some(&interview.token),
            )
            .await;
        assert_eq!(one.status(), StatusCode::OK);
        let transcript = app
            .get_json(
                &format!("/api/v1/interviews/{}/transcript", interview.id),
                Some(&interview.token),
            )
            .await;
        assert_eq!(transcript["messages"].as_array().unwrap().len(), messages);
        let listed = app.get("/api/v1/interviews", Some(&interview.token)).await;
        assert_eq!(listed.status(), StatusCode::OK);
        assert_eq!(app.get("/ready", None).await.status(), StatusCode::OK);
    });
    guarded("reads", join_all(reads)).await;
}

async fn chat_breaker(app: &TestApp) -> String {
    let status = app.get_json("/api/v1/ai/status", None).await;
    status["breaker_state"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_load_a_slow_then_failing_provider_blocks_no_reads_and_every_interview_resumes() {
    let provider = GatedProvider::start().await;
    let base_url = provider.base_url();
    let app = Arc::new(
        spawn_app_with(move |settings| {
            settings.ai.provider = AiProvider::Openai;
            settings.ai.openai.base_url = base_url;
            settings.ai.openai.api_key = Some("sk-test".to_owned().into());
            settings.ai.openai.retry.max_retries = 0;
            settings.ai.openai.retry.base_delay_ms = 1;
            settings.ai.openai.breaker.failure_threshold = FAILURE_THRESHOLD;
            settings.ai.openai.breaker.open_seconds = 1;
            settings.ai.openai.breaker.half_open_trials = 1;
            settings.ai.openai.timeouts.chat_seconds = 1.0;
            settings.database.connection.max_connections = POOL;
            settings.database.connection.acquire_timeout_ms = 2_000;
        })
        .await,
    );
    let mut interviews = Vec::new();
    for n in 0..INTERVIEWS {
        let candidate = app.register(&format!("load{n}@example.com")).await;
        let started = app.start(&candidate.token, "react").await;
        interviews.push(Interview {
            token: candidate.token,
            id: started["id"].as_str().unwrap().to_owned(),
        });
    }

    // a slow provider: every answer waits on it at once, and nothing else does
    provider.behave(Behaviour::Hold);
    let before = provider.received();
    let waiting = answer_all(&app, &interviews, 1);
    guarded(
        "every answer reaching the provider",
        provider.wait_for(before + INTERVIEWS),
    )
    .await;
    read_everything(&app, &interviews, 1).await;
    assert!(
        waiting.iter().all(|answer| !answer.is_finished()),
        "the reads finished while every answer was still waiting on the provider"
    );
    provider.behave(Behaviour::Answer);
    for (status, _, body) in outcomes(waiting).await {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["ai_sequence_number"], 3);
    }

    // slower than the timeout: every waiting answer is cut off with 503, none left hanging
    provider.behave(Behaviour::Hold);
    for (status, retry_after, body) in outcomes(answer_all(&app, &interviews, 3)).await {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "ai_unavailable");
        assert!(retry_after.is_some(), "503 without Retry-After");
    }
    read_everything(&app, &interviews, 3).await;

    // a 500 storm: every answer refused, and the breaker opens and stops sending
    provider.behave(Behaviour::Fail);
    let before = provider.received();
    for (status, retry_after, body) in outcomes(answer_all(&app, &interviews, 3)).await {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(retry_after.is_some(), "503 without Retry-After");
    }
    assert!(
        provider.received() > before,
        "the storm never reached the provider"
    );
    assert_eq!(chat_breaker(&app).await, "open");
    let sent = provider.received();
    for (status, retry_after, _) in outcomes(answer_all(&app, &interviews, 3)).await {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(retry_after.is_some());
    }
    assert_eq!(
        provider.received(),
        sent,
        "the open breaker let calls through"
    );
    read_everything(&app, &interviews, 3).await;

    // the provider recovers: each interview's refused answer, sent again, goes in once
    provider.behave(Behaviour::Answer);
    let until = Instant::now();
    let mut pending = interviews.clone();
    while !pending.is_empty() {
        let results = outcomes(answer_all(&app, &pending, 3)).await;
        let mut still = Vec::new();
        for (interview, (status, _, body)) in pending.into_iter().zip(results) {
            match status {
                StatusCode::OK => assert_eq!(body["ai_sequence_number"], 5),
                StatusCode::SERVICE_UNAVAILABLE => still.push(interview),
                other => panic!("{other}: {body}"),
            }
        }
        pending = still;
        assert!(until.elapsed() < HANG_GUARD, "the interviews never resumed");
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    read_everything(&app, &interviews, 5).await;
    let (status, body) = error_code(
        app.answer(
            &interviews[0].token,
            &interviews[0].id,
            "A third time.",
            3,
            Some("another-key"),
        )
        .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an answer to an answered question: {body}"
    );
}
