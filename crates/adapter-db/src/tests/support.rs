use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::connection::{Database, DatabaseSettings, connect, connect_postgres, migrate};

/// One fresh, empty database (not migrated).
pub struct TestDatabase {
    pub name: &'static str,
    pub db: Database,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl TestDatabase {
    /// Drops the PostgreSQL schema (the SQLite directory goes with the value).
    pub async fn finish(self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            self.db.close().await;
            if let Ok(mut admin) = PgConnection::connect(admin_url).await {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                )))
                .execute(&mut admin)
                .await
                .ok();
            }
        }
    }
}

fn settings(url: String) -> DatabaseSettings {
    DatabaseSettings {
        url,
        max_connections: 8,
        ..DatabaseSettings::default()
    }
}

async fn sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    TestDatabase {
        name: "sqlite",
        db: connect(&settings(url)).await.unwrap(),
        cleanup: Cleanup::Sqlite(dir),
    }
}

async fn postgres(admin_url: &str) -> TestDatabase {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(admin_url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let db = connect_postgres(
        options,
        &settings(admin_url.to_owned()),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    TestDatabase {
        name: "postgres",
        db: Database::new(db),
        cleanup: Cleanup::Postgres {
            admin_url: admin_url.to_owned(),
            schema,
        },
    }
}

/// A fresh empty database on every available backend.
pub async fn empty_databases() -> Vec<TestDatabase> {
    let mut databases = vec![sqlite().await];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL")
        && !url.trim().is_empty()
    {
        databases.push(postgres(url.trim()).await);
    }
    databases
}

/// A fresh migrated database on every available backend.
pub async fn databases() -> Vec<TestDatabase> {
    let databases = empty_databases().await;
    for database in &databases {
        migrate(&database.db).await.unwrap();
    }
    databases
}

/// A timestamp every backend stores exactly.
pub fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, minute, 0)
        .unwrap()
        .trunc_subsecs(6)
}
