//! Driver errors translated into the port's `RepositoryError` — the only place that looks at
//! sea-orm or sqlx errors.

use interview_core::ports::RepositoryError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// PostgreSQL SQLSTATEs that mean "another transaction got there first".
const SERIALIZATION_FAILURE: &str = "40001";
const DEADLOCK_DETECTED: &str = "40P01";
/// PostgreSQL: the statement timeout fired.
const QUERY_CANCELED: &str = "57014";

fn sqlx_error(error: &DbErr) -> Option<&sqlx::Error> {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            Some(inner.as_ref())
        }
        _ => None,
    }
}

pub fn translate(error: DbErr) -> RepositoryError {
    if let Some(sql) = error.sql_err() {
        match sql {
            SqlErr::UniqueConstraintViolation(message) => {
                return RepositoryError::Conflict(message);
            }
            SqlErr::ForeignKeyConstraintViolation(message) => {
                return RepositoryError::MissingReference(message);
            }
            _ => {}
        }
    }
    if let Some(database) = sqlx_error(&error).and_then(|e| e.as_database_error()) {
        let code = database.code();
        match code.as_deref() {
            Some(SERIALIZATION_FAILURE | DEADLOCK_DETECTED) => {
                return RepositoryError::Conflict(database.message().to_owned());
            }
            Some(QUERY_CANCELED) => {
                return RepositoryError::Unavailable("the query timed out".into());
            }
            _ => {}
        }
        // SQLite: SQLITE_BUSY / SQLITE_LOCKED after the busy timeout
        if database.message().contains("database is locked")
            || database.message().contains("database table is locked")
        {
            return RepositoryError::Unavailable("the database is busy".into());
        }
    }
    match &error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
            RepositoryError::Unavailable(error.to_string())
        }
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))
            if matches!(
                inner.as_ref(),
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
            ) =>
        {
            RepositoryError::Unavailable(error.to_string())
        }
        _ => RepositoryError::Unknown(Box::new(error)),
    }
}

/// Stored data that does not read back into the domain.
pub fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepositoryError {
    RepositoryError::Corrupt(format!("{what}: {detail}"))
}
