//! Layered configuration: built-in defaults for the profile, then `config/default.toml`, then
//! `config/{APP_ENV}.toml`, then environment variables (`DATABASE_URL`, `JWT_SECRET`,
//! `OPENAI_API_KEY`, `PORT`, and `APP__SECTION__KEY` for any key).

use std::path::Path;

use adapter_object_store::BlobSettings;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use interview_core::InterviewSettings;
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use thiserror::Error;

mod sections;
mod traces;

pub use sections::{
    AiProvider, AiSettings, AuthSettings, DatabaseSection, InterviewSection, JobsSection,
    LogFormat, LogSettings, MetricsSection, PortalSection, RateLimitSettings, RealtimeSection,
    ServerSettings, StorageSection, VideoSection,
};
pub use traces::TracesSection;

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
pub struct Settings {
    #[serde(skip)]
    pub environment: Option<Environment>,
    pub server: ServerSettings,
    pub database: DatabaseSection,
    pub ai: AiSettings,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub interview: InterviewSection,
    /// Not serialized: it has no profile-specific default (see [`StorageSection`]).
    #[serde(skip_serializing)]
    pub storage: StorageSection,
    pub log: LogSettings,
    pub realtime: RealtimeSection,
    pub jobs: JobsSection,
    pub webhooks: interview_core::webhooks::WebhookSettings,
    pub video: VideoSection,
    pub portal: PortalSection,
    pub email: adapter_email::EmailSettings,
    /// Not serialized: its only key is a secret.
    #[serde(skip_serializing)]
    pub metrics: MetricsSection,
    pub traces: TracesSection,
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
            storage: StorageSection::default(),
            log: LogSettings::default(),
            realtime: RealtimeSection::default(),
            jobs: JobsSection::default(),
            webhooks: interview_core::webhooks::WebhookSettings::default(),
            video: VideoSection::default(),
            portal: PortalSection::default(),
            email: adapter_email::EmailSettings::default(),
            metrics: MetricsSection::default(),
            traces: TracesSection::default(),
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

    /// The video limits, with the retention of `storage.retention_days`.
    pub fn video_settings(&self) -> interview_core::video::VideoSettings {
        interview_core::video::VideoSettings {
            retention_days: self.storage.retention_days,
            ..self.video.limits
        }
    }

    /// The engine's settings: the core's, with the `interview.*` keys applied. With OpenAI, the
    /// output allowance of a call is the model's `ai.openai.max_tokens`, so the budget check
    /// never assumes a smaller reply than the model may give.
    pub fn interview_settings(&self) -> InterviewSettings {
        let mut engine = self.interview.engine_settings();
        if self.ai.resolved_provider() == AiProvider::Openai {
            engine.max_output_tokens = u64::from(self.ai.openai.max_tokens);
        }
        engine
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
        problems.extend(
            self.metrics
                .problems(self.environment() == Environment::Production),
        );
        problems.extend(self.traces.problems());
        if self.auth.token_ttl_minutes <= 0 {
            problems.push("auth.token_ttl_minutes must be positive".into());
        }
        if self.auth.revocation_purge_interval_seconds == 0 {
            problems.push("auth.revocation_purge_interval_seconds must be positive".into());
        }
        if self.auth.lockout.max_failures == 0 {
            problems.push("auth.lockout.max_failures must be at least 1".into());
        }
        if !self.auth.password.is_valid() {
            problems.push("auth.password.min_length must be between 8 and 128".into());
        }
        if self.rate_limit.per_second == 0 || self.rate_limit.burst == 0 {
            problems.push("rate_limit.per_second and rate_limit.burst must be at least 1".into());
        }
        let engine = self.interview.engine_settings();
        let completion = &engine.completion;
        if completion.min_questions == 0 || completion.min_questions > completion.max_questions {
            problems.push(
                "interview.min_questions must be at least 1 and at most interview.max_questions"
                    .into(),
            );
        }
        if engine.budget.limit_usd <= Decimal::ZERO {
            problems.push("interview.budget_usd must be positive".into());
        }
        if completion.inactivity_timeout_seconds <= 0 || self.interview.sweep_interval_seconds == 0
        {
            problems.push(
                "interview.inactivity_timeout_minutes and interview.sweep_interval_seconds must \
                 be positive"
                    .into(),
            );
        }
        let runner = &self.jobs.runner;
        if runner.retry.max_attempts == 0
            || runner.lease_seconds == 0
            || self.jobs.poll_interval_ms == 0
        {
            problems.push(
                "jobs.max_attempts, jobs.lease_seconds and jobs.poll_interval_ms must be positive"
                    .into(),
            );
        }
        if self.ai.resolved_provider() == AiProvider::Openai {
            problems.extend(self.ai.openai.problems("ai.openai"));
        }
        let webhooks = &self.webhooks;
        if webhooks.timeout_seconds == 0
            || webhooks.disable_after_failures == 0
            || webhooks.max_per_organization == 0
        {
            problems.push(
                "webhooks.timeout_seconds, webhooks.disable_after_failures and \
                 webhooks.max_per_organization must be positive"
                    .into(),
            );
        }
        let video = &self.video.limits;
        if video.max_chunk_bytes == 0
            || video.max_recording_bytes < video.max_chunk_bytes
            || video.max_chunks == 0
            || video.upload_grace_seconds < 0
            || video.abandoned_upload_hours <= 0
            || self.video.sweep_interval_seconds == 0
            || self.storage.retention_days <= 0
        {
            problems.push(
                "video.max_chunk_bytes, video.max_chunks, video.abandoned_upload_hours, \
                 video.sweep_interval_seconds and storage.retention_days must be positive, \
                 video.upload_grace_seconds not negative, and video.max_recording_bytes at \
                 least video.max_chunk_bytes"
                    .into(),
            );
        }
        if let BlobSettings::S3 { bucket, .. } = &self.storage.blobs
            && bucket.trim().is_empty()
        {
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
    use secrecy::SecretString;

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
        assert!(message.contains("metrics.token"), "{message}");
    }

    #[test]
    fn every_problem_names_its_key() {
        let mut settings = Settings::default();
        settings.database.url = "mysql://x".into();
        settings.auth.jwt_secret = Some(SecretString::from("short"));
        settings.interview.min_questions = Some(20);
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
        settings.storage.blobs = BlobSettings::S3 {
            bucket: "recordings".into(),
            region: "eu-west-1".into(),
            endpoint: None,
            access_key_id: Some("AKIAEXAMPLE".into()),
            secret_access_key: Some("s3-secret-key".into()),
            path_style: true,
            allow_http: false,
        };
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
            jail.set_env("APP__METRICS__TOKEN", "scrape-token-0123456789");
            let settings = Settings::load(dir.path()).map_err(|e| e.to_string())?;
            let metrics_token = settings
                .metrics
                .token
                .as_ref()
                .map(ExposeSecret::expose_secret);
            assert_eq!(metrics_token, Some("scrape-token-0123456789"));
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

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API
    fn sections_embed_the_owners_settings_and_keep_the_documented_keys() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("default.toml"),
            "[database]\nmax_connections = 3\n\
             [interview]\nbudget_usd = \"2.50\"\nmin_questions = 3\ntime_limit_minutes = 45\n\
             [interview.memory]\nmax_messages = 20\n\
             [storage]\nbackend = \"s3\"\n[storage.s3]\nbucket = \"recordings\"\n",
        )
        .unwrap();
        figment::Jail::expect_with(|jail| {
            jail.set_env("APP__DATABASE__STATEMENT_TIMEOUT_MS", "2500");
            jail.set_env("APP__INTERVIEW__MAX_QUESTIONS", "9");
            jail.set_env("APP__INTERVIEW__INACTIVITY_TIMEOUT_MINUTES", "5");
            jail.set_env("APP__STORAGE__S3__ALLOW_HTTP", "true");
            let settings = Settings::load(dir.path()).map_err(|e| e.to_string())?;
            let defaults = adapter_db::DatabaseSettings::default();
            assert_eq!(settings.database.max_connections, 3);
            assert_eq!(settings.database.statement_timeout_ms, 2500);
            assert_eq!(settings.database.url, defaults.url);
            assert_eq!(
                settings.database.acquire_timeout_ms,
                defaults.acquire_timeout_ms
            );
            let engine = settings.interview_settings();
            let core = InterviewSettings::default();
            assert_eq!(engine.budget.limit_usd, Decimal::new(250, 2));
            assert_eq!(engine.completion.min_questions, 3);
            assert_eq!(engine.completion.max_questions, 9);
            assert_eq!(engine.completion.time_limit_seconds, Some(45 * 60));
            assert_eq!(engine.completion.inactivity_timeout_seconds, 5 * 60);
            assert_eq!(engine.memory.max_messages, 20);
            assert_eq!(engine.ladder, core.ladder);
            assert_eq!(engine.max_output_tokens, core.max_output_tokens);
            match &settings.storage.blobs {
                BlobSettings::S3 {
                    bucket,
                    region,
                    path_style,
                    allow_http,
                    ..
                } => {
                    assert_eq!(bucket, "recordings");
                    assert_eq!(region, "us-east-1");
                    assert!(*path_style);
                    assert!(*allow_http);
                }
                other => panic!("not S3: {other:?}"),
            }
            Ok(())
        });
    }

    #[test]
    fn without_interview_keys_the_engine_runs_on_the_core_defaults() {
        let settings = Settings::default();
        assert_eq!(settings.interview_settings(), InterviewSettings::default());
        assert!(matches!(
            settings.storage.blobs,
            BlobSettings::Local { ref directory } if directory.ends_with("data/objects")
        ));
    }

    #[test]
    fn with_openai_the_output_allowance_follows_max_tokens() {
        let mut settings = Settings::default();
        settings.ai.provider = AiProvider::Openai;
        settings.ai.openai.api_key = Some(SecretString::from("sk-test"));
        settings.ai.openai.max_tokens = 1500;
        assert_eq!(settings.interview_settings().max_output_tokens, 1500);
        settings.ai.provider = AiProvider::Offline;
        assert_eq!(
            settings.interview_settings().max_output_tokens,
            InterviewSettings::default().max_output_tokens
        );
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API
    fn the_shipped_default_toml_restates_the_core_defaults_faithfully() {
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
        figment::Jail::expect_with(|_jail| {
            let settings = Settings::load(&config).map_err(|e| e.to_string())?;
            assert_eq!(settings.interview_settings(), InterviewSettings::default());
            Ok(())
        });
    }
}
