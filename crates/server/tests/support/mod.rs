//! The server binary as a process, for the fault tests: a free port, a fresh database (a
//! PostgreSQL schema when `TEST_DATABASE_URL` is set, else a SQLite file) and readiness.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test uses part of it

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_interview-server");
pub const PASSWORD: &str = "Str0ng!pass";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh schema on the PostgreSQL server at `admin`, as a URL that uses it.
pub async fn postgres_schema(admin: &str, prefix: &str) -> String {
    use sqlx::Connection as _;
    let schema = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::postgres::PgConnection::connect(admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut connection)
        .await
        .unwrap();
    let separator = if admin.contains('?') { '&' } else { '?' };
    format!("{admin}{separator}options=-c%20search_path%3D{schema}")
}

/// The server on `database` and a free port, with `extra` settings; returns it and its URL.
/// Tokens survive a restart (a fixed JWT secret); rate limits are off.
pub fn start(dir: &Path, database: &str, extra: &[(&str, String)]) -> (Child, String) {
    let port = free_port();
    let mut command = Command::new(BINARY);
    command
        .env("APP_ENV", "test")
        .env("APP_CONFIG_DIR", dir.join("no-config"))
        .env("DATABASE_URL", database)
        .env(
            "JWT_SECRET",
            "fault-test-secret-fault-test-secret-0123456789",
        )
        .env("APP__SERVER__PORT", port.to_string())
        .env("APP__RATE_LIMIT__ENABLED", "false")
        .env("APP__STORAGE__OBJECTS_DIR", dir.join("objects"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in extra {
        command.env(key, value);
    }
    (command.spawn().unwrap(), format!("http://127.0.0.1:{port}"))
}

pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    let started = Instant::now();
    loop {
        if let Ok(response) = client.get(format!("{base}/ready")).send().await
            && response.status().is_success()
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "the server never got ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Registers a candidate and starts a text interview for `python`; returns (token, interview id).
pub async fn candidate_interview(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    full_name: &str,
) -> (String, String) {
    let registered: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD, "full_name": full_name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = registered["token"].as_str().unwrap().to_owned();
    let started: serde_json::Value = client
        .post(format!("{base}/api/v1/interviews/start"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"role_type": "python"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = started["id"].as_str().unwrap().to_owned();
    (token, id)
}
