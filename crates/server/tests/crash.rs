//! The server killed with SIGKILL in the middle of a load of answers, then started again on the
//! same database (PostgreSQL when `TEST_DATABASE_URL` is set, else a SQLite file): every answer
//! a client got a 2xx for is stored exactly once, an answer retried with its idempotency key
//! after an error or no reply is never stored twice, and every interview goes on to the end.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

mod support;
use support::{candidate_interview, postgres_schema, start, wait_ready};

const CANDIDATES: usize = 6;
const ANSWERS: usize = 6;
/// Answers acknowledged before the kill: about a third of the load.
const KILL_AFTER: usize = CANDIDATES * ANSWERS / 3;
/// Only a guard against a hang.
const HANG_GUARD: Duration = Duration::from_mins(1);
/// Requests that got no reply (killed in flight, or sent to the dead server) and were sent again.
static RETRIED: AtomicUsize = AtomicUsize::new(0);

async fn database_url(dir: &Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) => postgres_schema(&admin, "crash").await,
        Err(_) => format!("sqlite://{}?mode=rwc", dir.join("crash.db").display()),
    }
}

struct Interview {
    token: String,
    id: String,
}

async fn begin(client: &reqwest::Client, base: &str, n: usize) -> Interview {
    let (token, id) = candidate_interview(
        client,
        base,
        &format!("c{n}@example.com"),
        &format!("Candidate {n}"),
    )
    .await;
    Interview { token, id }
}

fn answer_text(interview: &str, n: usize) -> String {
    format!(
        "Answer {n} of {interview}: lists are mutable and tuples are immutable, so tuples are \
         hashable and can be dictionary keys."
    )
}

/// Answers `ANSWERS` questions, each with its own idempotency key, retrying a request that got
/// no reply or a 5xx once the server is back; returns the answers acknowledged with a 2xx.
async fn answer_all(
    client: reqwest::Client,
    interview: Interview,
    mut base: watch::Receiver<String>,
    acknowledged: Arc<AtomicUsize>,
) -> Vec<usize> {
    let mut open = 1;
    let mut confirmed = Vec::new();
    for n in 0..ANSWERS {
        let key = format!("{}-{n}", interview.id);
        loop {
            let url = format!(
                "{}/api/v1/interviews/{}/messages",
                base.borrow().clone(),
                interview.id
            );
            let reply = client
                .post(url)
                .bearer_auth(&interview.token)
                .header("Idempotency-Key", &key)
                .json(&json!({"message_text": answer_text(&interview.id, n), "in_reply_to": open}))
                .send()
                .await;
            match reply {
                Ok(response) if response.status().is_success() => {
                    let body: Value = response.json().await.unwrap();
                    open = body["ai_sequence_number"].as_i64().unwrap();
                    confirmed.push(n);
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                // the database not ready yet, say: the same request again shortly
                Ok(response) if response.status().is_server_error() => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok(response) => panic!(
                    "answer {n} of {}: {} {}",
                    interview.id,
                    response.status(),
                    response.text().await.unwrap_or_default()
                ),
                // no reply: the server died; wait for the next one
                Err(_) => {
                    RETRIED.fetch_add(1, Ordering::SeqCst);
                    tokio::time::timeout(HANG_GUARD, base.changed())
                        .await
                        .expect("the server came back")
                        .unwrap();
                }
            }
        }
    }
    confirmed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_survive_a_sigkill_mid_load_exactly_once_and_every_interview_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let database = database_url(dir.path()).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let (mut server, first) = start(dir.path(), &database, &[]);
    wait_ready(&client, &first).await;

    let mut interviews = Vec::new();
    for n in 0..CANDIDATES {
        interviews.push(begin(&client, &first, n).await);
    }
    let ids: Vec<(String, String)> = interviews
        .iter()
        .map(|interview| (interview.id.clone(), interview.token.clone()))
        .collect();
    let (base, watcher) = watch::channel(first);
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = interviews
        .into_iter()
        .map(|interview| {
            tokio::spawn(answer_all(
                client.clone(),
                interview,
                watcher.clone(),
                acknowledged.clone(),
            ))
        })
        .collect();

    // SIGKILL once a third of the answers are acknowledged, with the rest in flight
    let started = Instant::now();
    while acknowledged.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(started.elapsed() < HANG_GUARD, "the load never got going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let at_kill = acknowledged.load(Ordering::SeqCst);
    assert!(
        at_kill < CANDIDATES * ANSWERS,
        "the kill came after the load"
    );

    let (mut server, second) = start(dir.path(), &database, &[]);
    wait_ready(&client, &second).await;
    base.send(second.clone()).unwrap();

    for task in clients {
        let confirmed = tokio::time::timeout(HANG_GUARD, task)
            .await
            .expect("every client finished")
            .unwrap();
        assert_eq!(confirmed, (0..ANSWERS).collect::<Vec<_>>());
    }

    // each answer stored once, in order; each interview completes
    for (id, token) in &ids {
        let transcript: Value = client
            .get(format!("{second}/api/v1/interviews/{id}/transcript"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let answers: Vec<&str> = transcript["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|message| message["content_text"].as_str())
            .filter(|text| text.starts_with("Answer "))
            .collect();
        let expected: Vec<String> = (0..ANSWERS).map(|n| answer_text(id, n)).collect();
        assert_eq!(answers, expected, "{id}: {transcript}");
        let completed = client
            .post(format!("{second}/api/v1/interviews/{id}/complete"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(
            completed.status().is_success(),
            "{id}: {}",
            completed.status()
        );
    }
    eprintln!(
        "{} answers acknowledged before the kill, {} requests sent again after it, 0 lost or doubled",
        at_kill,
        RETRIED.load(Ordering::SeqCst)
    );
    assert!(
        RETRIED.load(Ordering::SeqCst) > 0,
        "no answer was in flight at the kill"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
