//! PostgreSQL stopped for a few seconds under load, then started again: requests during the
//! outage get 503 with `Retry-After` within the configured acquire timeout (never a 500, never a
//! hang), the server recovers without a restart, and nothing is half-written.
//!
//! It stops the machine's PostgreSQL cluster, so it runs only when asked:
//! `FAULT_POSTGRES_CLUSTER="15 main"` (the `pg_ctlcluster` version and name) with
//! `TEST_DATABASE_URL` pointing at that cluster; `.ci/run` runs it after the other tests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;
use support::{candidate_interview, postgres_schema, start, wait_ready};

/// `database.acquire_timeout_ms` for the run: how long a request may wait for a connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long the database stays down.
const OUTAGE: Duration = Duration::from_secs(4);

fn pg_ctl(cluster: &str, action: &str) {
    let mut parts = cluster.split_whitespace();
    let (version, name) = (parts.next().unwrap(), parts.next().unwrap());
    let status = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", version, name, action])
        .args(if action == "stop" {
            &["-m", "fast"][..]
        } else {
            &[][..]
        })
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctlcluster {action}");
}

/// Starts the cluster again even when the test fails half-way.
struct Restart<'a>(&'a str);

impl Drop for Restart<'_> {
    fn drop(&mut self) {
        let _ = Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect"])
            .args(self.0.split_whitespace())
            .arg("start")
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_503_with_retry_after_and_the_server_recovers_by_itself() {
    let (Ok(cluster), Ok(admin)) = (
        std::env::var("FAULT_POSTGRES_CLUSTER"),
        std::env::var("TEST_DATABASE_URL"),
    ) else {
        eprintln!("skipped: set FAULT_POSTGRES_CLUSTER and TEST_DATABASE_URL (.ci/run does)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let database = postgres_schema(&admin, "outage").await;
    let (mut server, base) = start(
        dir.path(),
        &database,
        &[(
            "APP__DATABASE__ACQUIRE_TIMEOUT_MS",
            ACQUIRE_TIMEOUT.as_millis().to_string(),
        )],
    );
    // a request waits at most the acquire timeout, plus the server's own work
    let client = reqwest::Client::builder()
        .timeout(ACQUIRE_TIMEOUT + Duration::from_secs(5))
        .build()
        .unwrap();
    wait_ready(&client, &base).await;
    let (token, id) = candidate_interview(&client, &base, "ada@example.com", "Ada L").await;
    let answer = |open: i64, key: &str| {
        client
            .post(format!("{base}/api/v1/interviews/{id}/messages"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(
                &json!({"message_text": "Lists are mutable; tuples are immutable and hashable.",
                          "in_reply_to": open}),
            )
            .send()
    };

    let _restart = Restart(&cluster);
    pg_ctl(&cluster, "stop");
    let down = Instant::now();
    let mut refused = 0;
    let mut slowest = Duration::ZERO;
    while down.elapsed() < OUTAGE {
        for request in [
            client
                .get(format!("{base}/api/v1/interviews/{id}"))
                .bearer_auth(&token)
                .send(),
            answer(1, "during-the-outage"),
        ] {
            let sent = Instant::now();
            let response = request
                .await
                .expect("an answer within the timeout, not a hang");
            slowest = slowest.max(sent.elapsed());
            let status = response.status();
            assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
            assert!(response.headers().get("retry-after").is_some());
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "storage_unavailable", "{body}");
            refused += 1;
        }
    }
    pg_ctl(&cluster, "start");
    let up = Instant::now();

    // the same server recovers: the interview reads again, and the answer refused during the
    // outage was not half-written: it goes through now, once
    let recovered = loop {
        let response = client
            .get(format!("{base}/api/v1/interviews/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if response.status().is_success() {
            break up.elapsed();
        }
        assert_eq!(response.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
        assert!(up.elapsed() < Duration::from_mins(1), "never recovered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let answered = answer(1, "after-the-outage").await.unwrap();
    assert_eq!(answered.status(), reqwest::StatusCode::OK);
    let transcript: Value = client
        .get(format!("{base}/api/v1/interviews/{id}/transcript"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        transcript["messages"].as_array().unwrap().len(),
        3,
        "{transcript}"
    );
    eprintln!(
        "outage {OUTAGE:?}: {refused} requests refused with 503 (slowest {slowest:?}), \
         recovered {recovered:?} after the database came back, 0 half-written"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
