use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

use super::support::{databases, empty_databases};
use crate::connection::pending_migrations;

async fn table_exists(db: &sea_orm::DatabaseConnection, table: &str) -> bool {
    let statement =
        Statement::from_string(db.get_database_backend(), format!("SELECT 1 FROM {table}"));
    db.query_all_raw(statement).await.is_ok()
}

/// How many migrations there are.
const MIGRATIONS: usize = 11;

const TABLES: [&str; 23] = [
    "candidates",
    "recruiters",
    "resumes",
    "interviews",
    "interview_sessions",
    "interview_messages",
    "assessment_results",
    "video_recordings",
    "resume_feedback",
    "integration_webhooks",
    "revoked_tokens",
    "login_attempts",
    "answer_idempotency",
    "realtime_leases",
    "background_jobs",
    "interview_events",
    "organizations",
    "job_postings",
    "applications",
    "interview_decisions",
    "webhook_deliveries",
    "video_chunks",
    "candidate_profiles",
];

#[tokio::test]
async fn migrations_go_up_down_to_zero_and_up_again() {
    for database in empty_databases().await {
        let db = database.db.connection();
        let name = database.name;
        assert_eq!(
            pending_migrations(&database.db).await.unwrap().len(),
            MIGRATIONS,
            "{name}"
        );
        Migrator::up(db, None).await.unwrap();
        assert!(
            pending_migrations(&database.db).await.unwrap().is_empty(),
            "{name}"
        );
        for table in TABLES {
            assert!(
                table_exists(db, table).await,
                "{name}: {table} missing after up"
            );
        }
        Migrator::down(db, None).await.unwrap();
        for table in TABLES {
            assert!(
                !table_exists(db, table).await,
                "{name}: {table} left after down"
            );
        }
        assert_eq!(
            pending_migrations(&database.db).await.unwrap().len(),
            MIGRATIONS,
            "{name}"
        );
        Migrator::up(db, None).await.unwrap();
        for table in TABLES {
            assert!(
                table_exists(db, table).await,
                "{name}: {table} missing after re-up"
            );
        }
        database.finish().await;
    }
}

#[tokio::test]
async fn the_schema_rejects_values_outside_its_checks() {
    for database in databases().await {
        let db = database.db.connection();
        let backend = db.get_database_backend();
        let insert = |status: &str, id: &str| {
            Statement::from_string(
                backend,
                format!(
                    "INSERT INTO candidates (id, email, full_name, password_hash, status, \
                     created_at, updated_at) VALUES ('{id}', '{id}@b.co', 'Ann', 'h', \
                     '{status}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
                ),
            )
        };
        let name = database.name;
        assert!(
            db.execute_raw(insert("vip", "0190f5b4-7b7a-7000-8000-000000000001"))
                .await
                .is_err(),
            "{name}: the status check must refuse 'vip'"
        );
        db.execute_raw(insert("active", "0190f5b4-7b7a-7000-8000-000000000002"))
            .await
            .unwrap_or_else(|error| panic!("{name}: a valid row must insert: {error}"));
        database.finish().await;
    }
}

#[tokio::test]
async fn migration_six_down_brings_back_the_seed_assessments_table() {
    for database in databases().await {
        let db = database.db.connection();
        let name = database.name;
        let selects = |columns: &str| {
            let statement = Statement::from_string(
                db.get_database_backend(),
                format!("SELECT {columns} FROM assessment_results"),
            );
            async move { db.query_all_raw(statement).await.is_ok() }
        };
        let seed_columns = "weaknesses, overall_score, integrity_score, ai_reasoning";
        let versioned_columns = "version, growth_areas, highlights, recommendation, generator, \
                                 prompt_version, cost_usd_nanos, tokens_used, is_fallback";
        assert!(selects(versioned_columns).await, "{name}");
        assert!(!selects(seed_columns).await, "{name}");
        // down to migration 5
        Migrator::down(db, Some(u32::try_from(MIGRATIONS - 5).unwrap()))
            .await
            .unwrap();
        assert!(selects(seed_columns).await, "{name}");
        assert!(!selects("version").await, "{name}");
        assert!(!table_exists(db, "background_jobs").await, "{name}");
        assert!(!table_exists(db, "interview_events").await, "{name}");
        Migrator::up(db, None).await.unwrap();
        assert!(selects(versioned_columns).await, "{name}");
        database.finish().await;
    }
}

#[tokio::test]
async fn the_pool_reports_its_connections_in_use_and_idle() {
    for database in databases().await {
        let name = database.name;
        let idle = database.db.pool_status().unwrap();
        assert!(
            idle.max >= 1 && idle.in_use + idle.idle <= idle.max,
            "{name}: {idle:?}"
        );
        // a transaction holds a connection until it ends
        let transaction = sea_orm::TransactionTrait::begin(database.db.connection())
            .await
            .unwrap();
        let busy = database.db.pool_status().unwrap();
        assert!(busy.in_use >= 1, "{name}: {busy:?}");
        transaction.rollback().await.unwrap();
    }
}
