//! One schema text for both backends. Type placeholders are replaced per dialect so PostgreSQL
//! and SQLite can never drift apart:
//!
//! | placeholder | PostgreSQL | SQLite |
//! |---|---|---|
//! | `{uuid}` | `uuid` | `blob` (how sqlx stores a UUID there) |
//! | `{ts}` | `timestamptz` | `text` (RFC 3339, as sqlx stores `DateTime<Utc>`) |
//! | `{json}` | `jsonb` | `text` (JSON text) |
//! | `{f64}` | `double precision` | `real` |

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub fn render(sql: &str, backend: DatabaseBackend) -> String {
    let (uuid, ts, json, f64) = match backend {
        DatabaseBackend::Postgres => ("uuid", "timestamptz", "jsonb", "double precision"),
        _ => ("blob", "text", "text", "real"),
    };
    sql.replace("{uuid}", uuid)
        .replace("{ts}", ts)
        .replace("{json}", json)
        .replace("{f64}", f64)
}

/// Runs each `;`-separated statement of `sql` in the manager's dialect. Statements tagged
/// `-- postgres only` run on PostgreSQL alone.
pub async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let connection = manager.get_connection();
    for statement in sql.split(';') {
        let statement = statement.trim();
        if statement.is_empty() {
            continue;
        }
        if statement.contains("-- postgres only") && backend != DatabaseBackend::Postgres {
            continue;
        }
        connection
            .execute_unprepared(&render(statement, backend))
            .await?;
    }
    Ok(())
}
