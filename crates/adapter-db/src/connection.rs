//! Opening the database from a URL: `postgres://…` or `sqlite://path?mode=rwc`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use std::sync::Arc;

use sea_orm::{
    DatabaseConnection, DatabaseConnectionType, SqlxPostgresConnector, SqlxSqliteConnector,
};
use serde::Deserialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use thiserror::Error;
use tokio::sync::{Mutex, MutexGuard};

/// Database settings; every field has a default suited to the embedded SQLite profile.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout_ms: u64,
    /// PostgreSQL `statement_timeout`; 0 disables it.
    pub statement_timeout_ms: u64,
    /// How long SQLite waits for a lock before reporting the database busy.
    pub sqlite_busy_timeout_ms: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/interviews.db?mode=rwc".to_owned(),
            max_connections: 8,
            min_connections: 1,
            acquire_timeout_ms: 5_000,
            statement_timeout_ms: 10_000,
            sqlite_busy_timeout_ms: 5_000,
        }
    }
}

/// Redacts the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("acquire_timeout_ms", &self.acquire_timeout_ms)
            .field("statement_timeout_ms", &self.statement_timeout_ms)
            .field("sqlite_busy_timeout_ms", &self.sqlite_busy_timeout_ms)
            .finish()
    }
}

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("database.url must start with postgres:// or sqlite:, got '{0}'")]
    UnsupportedUrl(String),
    #[error("database.url is not valid: {0}")]
    InvalidUrl(String),
    #[error("cannot create the directory for the SQLite file {path}: {source}")]
    Directory {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to the database at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("cannot read the migration state: {0}")]
    Migrations(String),
}

/// A connection pool plus, for SQLite, the gate that lets one write transaction in at a time.
///
/// SQLite allows a single writer. Without the gate, concurrent writers collide on the file lock
/// and SQLite's busy handler puts them to sleep for up to 100 ms at a time; queueing them on an
/// async mutex instead keeps every write short and the latency flat.
#[derive(Clone)]
pub struct Database {
    connection: DatabaseConnection,
    write_gate: Option<Arc<Mutex<()>>>,
}

impl Database {
    pub fn new(connection: DatabaseConnection) -> Self {
        let write_gate = (connection.get_database_backend() == sea_orm::DatabaseBackend::Sqlite)
            .then(|| Arc::new(Mutex::new(())));
        Self {
            connection,
            write_gate,
        }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }

    pub fn is_sqlite(&self) -> bool {
        self.write_gate.is_some()
    }

    /// Waits for the right to write (immediately on PostgreSQL).
    pub async fn write_permit(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.connection.close_by_ref().await.ok();
    }

    /// The pool's connections now, for the operators' gauges; `None` for a connection that is
    /// not a pool (never the case outside tests).
    pub fn pool_status(&self) -> Option<PoolStatus> {
        fn status<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolStatus {
            let open = pool.size();
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(open);
            PoolStatus {
                in_use: open - idle,
                idle,
                max: pool.options().get_max_connections(),
            }
        }
        // matched first: the getters panic on a connection of the other kind. The wildcard
        // also covers the variants sea-orm's `mock` and `proxy` features add.
        #[allow(clippy::match_wildcard_for_single_variants)]
        match &self.connection.inner {
            DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
                Some(status(self.connection.get_sqlite_connection_pool()))
            }
            DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
                Some(status(self.connection.get_postgres_connection_pool()))
            }
            _ => None,
        }
    }
}

/// The connections of a pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Checked out by a query or a transaction.
    pub in_use: u32,
    /// Open and waiting in the pool.
    pub idle: u32,
    /// The most the pool opens (`database.max_connections`).
    pub max: u32,
}

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Opens a pool for `settings.url`. SQLite gets WAL, foreign keys, a busy timeout and its file's
/// directory created; PostgreSQL gets the statement timeout.
///
/// # Errors
/// [`ConnectError`] naming what is wrong with the URL or why the server cannot be reached.
pub async fn connect(settings: &DatabaseSettings) -> Result<Database, ConnectError> {
    let url = settings.url.trim();
    let acquire_timeout = Duration::from_millis(settings.acquire_timeout_ms);
    let unreachable = |error: sqlx::Error| ConnectError::Unreachable {
        url: redact_url(url),
        message: error.to_string(),
    };
    match backend_of(url)? {
        Backend::Sqlite => {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|error| ConnectError::InvalidUrl(error.to_string()))?
                .create_if_missing(true)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_millis(settings.sqlite_busy_timeout_ms));
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            if !in_memory
                && let Some(parent) = Path::new(options.get_filename()).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|source| ConnectError::Directory {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            // an in-memory database lives as long as its one connection
            let max = if in_memory {
                1
            } else {
                settings.max_connections.max(1)
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .min_connections(settings.min_connections.min(max))
                .acquire_timeout(acquire_timeout)
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_mins(10))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_mins(30))
                })
                .connect_with(options)
                .await
                .map_err(unreachable)?;
            Ok(Database::new(SqlxSqliteConnector::from_sqlx_sqlite_pool(
                pool,
            )))
        }
        Backend::Postgres => {
            let mut options = PgConnectOptions::from_str(url)
                .map_err(|error| ConnectError::InvalidUrl(error.to_string()))?;
            if settings.statement_timeout_ms > 0 {
                options = options.options([(
                    "statement_timeout",
                    format!("{}ms", settings.statement_timeout_ms),
                )]);
            }
            connect_postgres(options, settings, acquire_timeout)
                .await
                .map(Database::new)
                .map_err(unreachable)
        }
    }
}

/// Opens a PostgreSQL pool from prepared options (tests use this to pin a schema).
///
/// # Errors
/// The driver's error when no connection can be made.
pub async fn connect_postgres(
    options: PgConnectOptions,
    settings: &DatabaseSettings,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections.max(1))
        .min_connections(settings.min_connections)
        .acquire_timeout(acquire_timeout)
        .connect_with(options)
        .await?;
    Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
}

/// The engine a URL names.
///
/// # Errors
/// [`ConnectError::UnsupportedUrl`] for anything but PostgreSQL and SQLite.
pub fn backend_of(url: &str) -> Result<Backend, ConnectError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else {
        Err(ConnectError::UnsupportedUrl(redact_url(url)))
    }
}

/// Checks that the database answers.
///
/// # Errors
/// The port error when it does not.
pub async fn ping(db: &Database) -> Result<(), interview_core::ports::RepositoryError> {
    use sea_orm::ConnectionTrait;
    let connection = db.connection();
    let statement = sea_orm::Statement::from_string(connection.get_database_backend(), "SELECT 1");
    connection
        .query_one_raw(statement)
        .await
        .map(|_| ())
        .map_err(crate::error::translate)
}

/// Applies every pending migration.
///
/// # Errors
/// [`ConnectError::Migrations`] when a migration fails.
pub async fn migrate(db: &Database) -> Result<(), ConnectError> {
    Migrator::up(db.connection(), None)
        .await
        .map_err(|error| ConnectError::Migrations(error.to_string()))
}

/// Names of migrations not yet applied.
///
/// # Errors
/// [`ConnectError::Migrations`] when the migration table cannot be read.
pub async fn pending_migrations(db: &Database) -> Result<Vec<String>, ConnectError> {
    Ok(Migrator::get_pending_migrations(db.connection())
        .await
        .map_err(|error| ConnectError::Migrations(error.to_string()))?
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/app"),
            "postgres://app:***@db:5432/app"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
        let settings = DatabaseSettings {
            url: "postgres://app:s3cret@db/app".into(),
            ..DatabaseSettings::default()
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
    }

    #[test]
    fn only_postgres_and_sqlite_urls_are_accepted() {
        assert_eq!(backend_of("postgresql://x/y").unwrap(), Backend::Postgres);
        assert_eq!(backend_of("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert!(matches!(
            backend_of("mysql://x"),
            Err(ConnectError::UnsupportedUrl(_))
        ));
    }
}
