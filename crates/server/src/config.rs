//! Layered configuration: built-in defaults for the profile, then `config/default.toml`, then
//! `config/{APP_ENV}.toml`, then environment variables (`DATABASE_URL`, `JWT_SECRET`,
//! `OPENAI_API_KEY`, `PORT`, and `APP__SECTION__KEY` for any key).

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use interview_core::accounts::LockoutSettings;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Test,
    Production,
}

impl Environment {
    /// From `APP_ENV`; development when unset.
    ///
    /// # Errors
    /// [`ConfigError`] for an unknown profile name.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var("APP_ENV") {
            Err(_) => Ok(Self::Development),
            Ok(value) => match value.trim().to_lowercase().as_str() {
                "" | "development" | "dev" | "local" => Ok(Self::Development),
                "test" => Ok(Self::Test),
                "production" | "prod" => Ok(Self::Production),
                other => Err(ConfigError::Invalid(vec![format!(
                    "APP_ENV: unknown profile '{other}' (expected development, test or production)"
                )])),
            },
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Largest JSON body accepted, in bytes.
    pub json_limit_bytes: usize,
    /// Origins allowed by CORS; empty allows none (any origin in development).
    pub cors_origins: Vec<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8000,
            workers: 0,
            json_limit_bytes: 1024 * 1024,
            cors_origins: Vec::new(),
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSection {
    pub url: String,
    pub auto_migrate: bool,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub sqlite_busy_timeout_ms: u64,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        let defaults = adapter_db::DatabaseSettings::default();
        Self {
            url: defaults.url,
            auto_migrate: true,
            max_connections: defaults.max_connections,
            min_connections: defaults.min_connections,
            acquire_timeout_ms: defaults.acquire_timeout_ms,
            statement_timeout_ms: defaults.statement_timeout_ms,
            sqlite_busy_timeout_ms: defaults.sqlite_busy_timeout_ms,
        }
    }
}

impl DatabaseSection {
    pub fn adapter_settings(&self) -> adapter_db::DatabaseSettings {
        adapter_db::DatabaseSettings {
            url: self.url.clone(),
            max_connections: self.max_connections,
            min_connections: self.min_connections,
            acquire_timeout_ms: self.acquire_timeout_ms,
            statement_timeout_ms: self.statement_timeout_ms,
            sqlite_busy_timeout_ms: self.sqlite_busy_timeout_ms,
        }
    }
}

impl fmt::Debug for DatabaseSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSection")
            .field("url", &adapter_db::redact_url(&self.url))
            .field("auto_migrate", &self.auto_migrate)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AiProvider {
    /// OpenAI when an API key is configured, the offline interviewer otherwise.
    Auto,
    Openai,
    Offline,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AiSettings {
    pub provider: AiProvider,
    /// OpenAI or any OpenAI-compatible server (`OPENAI_API_KEY`, `OPENAI_BASE_URL`).
    pub openai: adapter_openai::OpenAiSettings,
}

impl Default for AiSettings {
    fn default() -> Self {
        Self {
            provider: AiProvider::Auto,
            openai: adapter_openai::OpenAiSettings::default(),
        }
    }
}

impl AiSettings {
    /// The provider actually used: `auto` means OpenAI when an API key is configured.
    pub fn resolved_provider(&self) -> AiProvider {
        match self.provider {
            AiProvider::Auto if self.openai.has_api_key() => AiProvider::Openai,
            AiProvider::Auto => AiProvider::Offline,
            chosen => chosen,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// HS256 signing secret, at least 32 characters. Generated at start-up in development when
    /// absent (tokens then do not survive a restart); required in production.
    #[serde(skip_serializing)]
    pub jwt_secret: Option<SecretString>,
    pub token_ttl_minutes: i64,
    pub lockout: LockoutSettings,
    /// Password hashes computed at once (each holds 9 MiB); 0 means one per core.
    pub max_concurrent_hashes: usize,
    /// How often revocations of tokens that have expired anyway are forgotten.
    pub revocation_purge_interval_seconds: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            token_ttl_minutes: 24 * 60,
            lockout: LockoutSettings::default(),
            max_concurrent_hashes: 0,
            revocation_purge_interval_seconds: 3600,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Sustained requests per second per client IP on the auth endpoints.
    pub per_second: u64,
    pub burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: 10,
            burst: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct InterviewSection {
    pub budget_usd: Decimal,
    pub min_questions: u32,
    pub max_questions: u32,
    pub time_limit_minutes: Option<i64>,
    pub inactivity_timeout_minutes: i64,
    /// How often idle interviews are marked abandoned.
    pub sweep_interval_seconds: u64,
}

impl Default for InterviewSection {
    fn default() -> Self {
        Self {
            budget_usd: Decimal::new(500, 2),
            min_questions: 8,
            max_questions: 12,
            time_limit_minutes: None,
            inactivity_timeout_minutes: 30,
            sweep_interval_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageSettings {
    pub backend: StorageBackend,
    /// The directory of the `local` backend.
    pub objects_dir: PathBuf,
    pub s3: S3Settings,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            backend: StorageBackend::Local,
            objects_dir: PathBuf::from("data/objects"),
            s3: S3Settings::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    Local,
    S3,
    /// Nothing survives a restart; for tests.
    Memory,
}

/// An S3-compatible bucket (AWS, MinIO, Ceph…).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    /// Custom endpoint for S3-compatible servers; AWS when absent.
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    #[serde(skip_serializing)]
    pub secret_access_key: Option<SecretString>,
    /// `https://endpoint/bucket/key` addressing, which MinIO-like servers need.
    pub path_style: bool,
    /// Allow a plain-HTTP endpoint (a local MinIO).
    pub allow_http: bool,
}

impl Default for S3Settings {
    fn default() -> Self {
        Self {
            bucket: String::new(),
            region: "us-east-1".into(),
            endpoint: None,
            access_key_id: None,
            secret_access_key: None,
            path_style: true,
            allow_http: false,
        }
    }
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("path_style", &self.path_style)
            .finish_non_exhaustive()
    }
}

impl StorageSettings {
    pub fn blob_settings(&self) -> adapter_object_store::BlobSettings {
        use adapter_object_store::BlobSettings;
        match self.backend {
            StorageBackend::Local => BlobSettings::Local {
                directory: self.objects_dir.clone(),
            },
            StorageBackend::Memory => BlobSettings::Memory,
            StorageBackend::S3 => BlobSettings::S3 {
                bucket: self.s3.bucket.clone(),
                region: self.s3.region.clone(),
                endpoint: self.s3.endpoint.clone(),
                access_key_id: self.s3.access_key_id.clone(),
                secret_access_key: self
                    .s3
                    .secret_access_key
                    .as_ref()
                    .map(|secret| secret.expose_secret().to_owned()),
                path_style: self.s3.path_style,
                allow_http: self.s3.allow_http,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// `tracing` filter; `RUST_LOG` overrides it.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            filter: "info,sqlx=warn,sea_orm=warn".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    #[serde(skip)]
    pub environment: Option<Environment>,
    pub server: ServerSettings,
    pub database: DatabaseSection,
    pub ai: AiSettings,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub interview: InterviewSection,
    pub storage: StorageSettings,
    pub log: LogSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self::defaults_for(Environment::Development)
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("configuration could not be read: {0}")]
    Unreadable(String),
    #[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

impl Settings {
    /// The built-in defaults of a profile: production logs JSON and never migrates by itself.
    pub fn defaults_for(environment: Environment) -> Self {
        let mut settings = Self {
            environment: Some(environment),
            server: ServerSettings::default(),
            database: DatabaseSection::default(),
            ai: AiSettings::default(),
            auth: AuthSettings::default(),
            rate_limit: RateLimitSettings::default(),
            interview: InterviewSection::default(),
            storage: StorageSettings::default(),
            log: LogSettings::default(),
        };
        if environment == Environment::Production {
            settings.database.auto_migrate = false;
            settings.log.format = LogFormat::Json;
        }
        settings
    }

    pub fn environment(&self) -> Environment {
        self.environment.unwrap_or(Environment::Development)
    }

    /// Loads and validates the configuration for `APP_ENV` from `config_dir` and the process
    /// environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming every key that is missing or wrong.
    pub fn load(config_dir: &Path) -> Result<Self, ConfigError> {
        let environment = Environment::from_env()?;
        let figment = Figment::from(Serialized::defaults(Self::defaults_for(environment)))
            .merge(Toml::file(config_dir.join("default.toml")))
            .merge(Toml::file(
                config_dir.join(format!("{}.toml", environment.as_str())),
            ))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .merge(
                Env::raw()
                    .only(&["JWT_SECRET"])
                    .map(|_| "auth.jwt_secret".into()),
            )
            .merge(
                Env::raw()
                    .only(&["OPENAI_API_KEY"])
                    .map(|_| "ai.openai.api_key".into()),
            )
            .merge(
                Env::raw()
                    .only(&["OPENAI_BASE_URL"])
                    .map(|_| "ai.openai.base_url".into()),
            )
            .merge(Env::raw().only(&["PORT"]).map(|_| "server.port".into()))
            .merge(Env::prefixed("APP__").split("__"));
        let mut settings: Self = figment
            .extract()
            .map_err(|error| ConfigError::Unreadable(error.to_string()))?;
        settings.environment = Some(environment);
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every rule and reports all violations at once, each naming its key.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if let Err(error) = adapter_db::backend_of(&self.database.url) {
            problems.push(format!("database.url (DATABASE_URL): {error}"));
        }
        if self.database.max_connections == 0 {
            problems.push("database.max_connections must be at least 1".into());
        }
        if self.server.json_limit_bytes == 0 {
            problems.push("server.json_limit_bytes must be positive".into());
        }
        if self.server.host.trim().is_empty() {
            problems.push("server.host must not be empty".into());
        }
        match &self.auth.jwt_secret {
            Some(secret) if secret.expose_secret().len() < 32 => {
                problems.push("auth.jwt_secret (JWT_SECRET) must be at least 32 characters".into());
            }
            None if self.environment() == Environment::Production => problems.push(
                "auth.jwt_secret (JWT_SECRET) is required in production: tokens must survive \
                 restarts and be shared by every node"
                    .into(),
            ),
            _ => {}
        }
        if self.environment() == Environment::Production && self.server.cors_origins.is_empty() {
            problems.push(
                "server.cors_origins (APP__SERVER__CORS_ORIGINS) must list the frontend's \
                 origins in production"
                    .into(),
            );
        }
        if self.auth.token_ttl_minutes <= 0 {
            problems.push("auth.token_ttl_minutes must be positive".into());
        }
        if self.auth.revocation_purge_interval_seconds == 0 {
            problems.push("auth.revocation_purge_interval_seconds must be positive".into());
        }
        if self.auth.lockout.max_failures == 0 {
            problems.push("auth.lockout.max_failures must be at least 1".into());
        }
        if self.rate_limit.per_second == 0 || self.rate_limit.burst == 0 {
            problems.push("rate_limit.per_second and rate_limit.burst must be at least 1".into());
        }
        let interview = &self.interview;
        if interview.min_questions == 0 || interview.min_questions > interview.max_questions {
            problems.push(
                "interview.min_questions must be at least 1 and at most interview.max_questions"
                    .into(),
            );
        }
        if interview.budget_usd <= Decimal::ZERO {
            problems.push("interview.budget_usd must be positive".into());
        }
        if interview.inactivity_timeout_minutes <= 0 || interview.sweep_interval_seconds == 0 {
            problems.push(
                "interview.inactivity_timeout_minutes and interview.sweep_interval_seconds must \
                 be positive"
                    .into(),
            );
        }
        if self.ai.resolved_provider() == AiProvider::Openai {
            problems.extend(self.ai.openai.problems("ai.openai"));
        }
        if self.storage.backend == StorageBackend::S3 && self.storage.s3.bucket.trim().is_empty() {
            problems.push("storage.s3.bucket is required with storage.backend = \"s3\"".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_profile() {
        let settings = Settings::default();
        assert_eq!(settings.server.port, 8000);
        assert_eq!(settings.server.host, "127.0.0.1");
        assert!(settings.database.url.starts_with("sqlite://data/"));
        assert!(settings.database.auto_migrate);
        assert!(settings.rate_limit.enabled);
        settings.validate().unwrap();
    }

    #[test]
    fn production_requires_a_secret_and_cors_origins() {
        let settings = Settings::defaults_for(Environment::Production);
        assert!(!settings.database.auto_migrate);
        let message = settings.validate().unwrap_err().to_string();
        assert!(message.contains("auth.jwt_secret"), "{message}");
        assert!(message.contains("server.cors_origins"), "{message}");
    }

    #[test]
    fn every_problem_names_its_key() {
        let mut settings = Settings::default();
        settings.database.url = "mysql://x".into();
        settings.auth.jwt_secret = Some(SecretString::from("short"));
        settings.interview.min_questions = 20;
        let message = settings.validate().unwrap_err().to_string();
        for key in ["database.url", "auth.jwt_secret", "interview.min_questions"] {
            assert!(message.contains(key), "{key} missing from {message}");
        }
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let mut settings = Settings::default();
        settings.auth.jwt_secret = Some(SecretString::from("a-very-secret-signing-key-0123456789"));
        settings.ai.openai.api_key = Some(SecretString::from("sk-live-abcdef"));
        settings.storage.s3.secret_access_key = Some(SecretString::from("s3-secret-key"));
        settings.database.url = "postgres://app:db-password@db/app".into();
        let debug = format!("{settings:?}");
        for secret in ["a-very-secret", "sk-live", "db-password", "s3-secret-key"] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API
    fn files_and_environment_layer_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("default.toml"),
            "[server]\nport = 9000\n[rate_limit]\nenabled = false\n",
        )
        .unwrap();
        figment::Jail::expect_with(|jail| {
            jail.set_env("APP__SERVER__PORT", "9100");
            jail.set_env("DATABASE_URL", "postgres://u:p@h/db");
            jail.set_env("APP__DATABASE__AUTO_MIGRATE", "false");
            jail.set_env("APP__AI__PROVIDER", "offline");
            let settings = Settings::load(dir.path()).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 9100);
            assert!(!settings.rate_limit.enabled);
            assert_eq!(settings.database.url, "postgres://u:p@h/db");
            assert!(!settings.database.auto_migrate);
            assert_eq!(settings.ai.provider, AiProvider::Offline);
            jail.set_env("APP__AI__PROVIDER", "auto");
            jail.set_env("OPENAI_API_KEY", "sk-from-env");
            jail.set_env("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1");
            jail.set_env("APP__AI__OPENAI__CHAT_MODEL", "llama3");
            let settings = Settings::load(dir.path()).map_err(|e| e.to_string())?;
            assert_eq!(settings.ai.resolved_provider(), AiProvider::Openai);
            assert_eq!(settings.ai.openai.base_url, "http://127.0.0.1:11434/v1");
            assert_eq!(settings.ai.openai.chat_model, "llama3");
            jail.set_env("PORT", "7000");
            jail.set_env("APP__SERVER__PORT", "7000");
            let settings = Settings::load(dir.path()).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 7000);
            Ok(())
        });
    }
}
