//! The sections of [`Settings`](super::Settings). Where an adapter or the core owns a setting,
//! the section embeds its struct, so each default is declared once, by its owner.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;

use adapter_object_store::BlobSettings;
use figment::value::{Dict, Tag, Value};
use interview_core::InterviewSettings;
use interview_core::accounts::LockoutSettings;
use interview_core::validation::PasswordPolicy;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Largest JSON body accepted, in bytes.
    pub json_limit_bytes: usize,
    /// A request body that sends nothing for this long is cut off with 408.
    pub body_idle_timeout_seconds: u64,
    /// A connection whose first request's headers have not all arrived after this long gets 408
    /// and is closed.
    pub header_timeout_seconds: u64,
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
            body_idle_timeout_seconds: 30,
            header_timeout_seconds: 5,
            cors_origins: Vec::new(),
        }
    }
}

/// `[database]`: the adapter's settings (`url`, pool sizes, timeouts, with the adapter's
/// defaults) plus whether the server migrates at start-up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSection {
    /// Production turns this off (profile default and `production.toml`).
    pub auto_migrate: bool,
    /// Never serialized: figment's defaults layer carries only what differs per profile, and
    /// every missing key takes the adapter's default when the section is read.
    #[serde(flatten, skip_serializing)]
    pub connection: adapter_db::DatabaseSettings,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        Self {
            auto_migrate: true,
            connection: adapter_db::DatabaseSettings::default(),
        }
    }
}

/// `settings.database.url` reads (and writes) the adapter's field: the section *is* the
/// adapter's settings plus `auto_migrate`.
impl Deref for DatabaseSection {
    type Target = adapter_db::DatabaseSettings;

    fn deref(&self) -> &Self::Target {
        &self.connection
    }
}

impl DerefMut for DatabaseSection {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.connection
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
    /// The password policy of candidate and recruiter accounts (`[auth.password]`).
    pub password: PasswordPolicy,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            token_ttl_minutes: 24 * 60,
            lockout: LockoutSettings::default(),
            max_concurrent_hashes: 0,
            revocation_purge_interval_seconds: 3600,
            password: PasswordPolicy::default(),
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
    /// Interviews started plus answers sent per minute per account, sustained.
    pub account_per_minute: u64,
    /// How many of those an account may send at once before the sustained rate applies.
    pub account_burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: 10,
            burst: 30,
            account_per_minute: 30,
            account_burst: 20,
        }
    }
}

/// `[interview]`: the engine's settings (`interview.ladder.*`, `interview.memory.*`,
/// `interview.pricing.*`, `interview.completion.*`, …, with the core's defaults), the shorthand
/// keys documented in `config/default.toml` (which win over the engine's own keys when set), and
/// the sweep's interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct InterviewSection {
    /// Never serialized, like the database connection: the core's defaults apply on reading.
    #[serde(flatten, skip_serializing)]
    pub engine: InterviewSettings,
    /// Spending cap per interview (`budget.limit_usd`).
    pub budget_usd: Option<Decimal>,
    /// `completion.min_questions`.
    pub min_questions: Option<u32>,
    /// `completion.max_questions`.
    pub max_questions: Option<u32>,
    /// `completion.time_limit_seconds`, in minutes.
    pub time_limit_minutes: Option<i64>,
    /// `completion.inactivity_timeout_seconds`, in minutes.
    pub inactivity_timeout_minutes: Option<i64>,
    /// How often idle interviews are marked abandoned.
    pub sweep_interval_seconds: u64,
}

impl Default for InterviewSection {
    fn default() -> Self {
        Self {
            engine: InterviewSettings::default(),
            budget_usd: None,
            min_questions: None,
            max_questions: None,
            time_limit_minutes: None,
            inactivity_timeout_minutes: None,
            sweep_interval_seconds: 60,
        }
    }
}

impl InterviewSection {
    /// The engine's settings with the shorthand keys applied.
    pub fn engine_settings(&self) -> InterviewSettings {
        let mut engine = self.engine.clone();
        if let Some(limit) = self.budget_usd {
            engine.budget.limit_usd = limit;
        }
        let completion = &mut engine.completion;
        if let Some(min) = self.min_questions {
            completion.min_questions = min;
        }
        if let Some(max) = self.max_questions {
            completion.max_questions = max;
        }
        if let Some(minutes) = self.time_limit_minutes {
            completion.time_limit_seconds = Some(minutes.saturating_mul(60));
        }
        if let Some(minutes) = self.inactivity_timeout_minutes {
            completion.inactivity_timeout_seconds = minutes.saturating_mul(60);
        }
        engine
    }
}

const DEFAULT_OBJECTS_DIR: &str = "data/objects";
const DEFAULT_S3_REGION: &str = "us-east-1";

/// `[storage]`: the blob adapter's settings, read from the documented keys: `backend` (`local`,
/// `s3`, `memory`), `objects_dir` for `local`, and `[storage.s3]` (`bucket`, `region`,
/// `endpoint`, `access_key_id`, `secret_access_key`, `path_style`, `allow_http`) for `s3`.
/// `path_style` and `allow_http` take the adapter's defaults. Secrets are left out of `Debug`
/// by the adapter's own implementation.
#[derive(Debug, Clone)]
pub struct StorageSection {
    pub blobs: BlobSettings,
    /// Finalized video recordings older than this many days are deleted (`retention_days`).
    pub retention_days: i64,
}

/// How long recordings are kept by default.
const DEFAULT_RETENTION_DAYS: i64 = 90;

impl StorageSection {
    /// Files under `directory`.
    pub fn local(directory: impl Into<PathBuf>) -> Self {
        Self {
            blobs: BlobSettings::Local {
                directory: directory.into(),
            },
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

impl Default for StorageSection {
    fn default() -> Self {
        Self::local(DEFAULT_OBJECTS_DIR)
    }
}

impl<'de> Deserialize<'de> for StorageSection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut keys = Dict::deserialize(deserializer)?;
        let retention_days = match keys.remove("retention_days") {
            None => DEFAULT_RETENTION_DAYS,
            Some(value) => value
                .deserialize::<i64>()
                .map_err(|error| D::Error::custom(format!("storage.retention_days: {error}")))?,
        };
        let mut blob = Dict::new();
        let backend = keys
            .remove("backend")
            .unwrap_or_else(|| Value::from("local".to_owned()));
        blob.insert("backend".into(), backend);
        let directory = keys
            .remove("objects_dir")
            .unwrap_or_else(|| Value::from(DEFAULT_OBJECTS_DIR.to_owned()));
        blob.insert("directory".into(), directory);
        if let Some(Value::Dict(_, s3)) = keys.remove("s3") {
            blob.extend(s3);
        }
        blob.entry("region".into())
            .or_insert_with(|| Value::from(DEFAULT_S3_REGION.to_owned()));
        let blobs = Value::Dict(Tag::Default, blob)
            .deserialize::<BlobSettings>()
            .map_err(|error| D::Error::custom(format!("storage: {error}")))?;
        Ok(Self {
            blobs,
            retention_days,
        })
    }
}

/// The candidate portal (`portal.*`): resume limits, the feedback deadline and download links,
/// and how often feedback past its deadline is queued for sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortalSection {
    #[serde(flatten)]
    pub limits: interview_core::portal::PortalSettings,
    pub sweep_interval_seconds: u64,
}

impl Default for PortalSection {
    fn default() -> Self {
        Self {
            limits: interview_core::portal::PortalSettings::default(),
            sweep_interval_seconds: 60,
        }
    }
}

/// Video recording (`video.*`): chunk and recording limits, the upload grace period, and how
/// often the retention sweep runs (the retention itself is `storage.retention_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoSection {
    #[serde(flatten)]
    pub limits: interview_core::video::VideoSettings,
    pub sweep_interval_seconds: u64,
}

impl Default for VideoSection {
    fn default() -> Self {
        Self {
            limits: interview_core::video::VideoSettings::default(),
            sweep_interval_seconds: 3600,
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

/// Live voice (`realtime.*`): how turns end and how long a silent client is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RealtimeSection {
    /// `none` (push-to-talk: the client commits) or `server_vad` (the upstream detects the end).
    pub turn_detection: interview_core::ports::TurnDetection,
    /// A client that sends nothing (not even a ping) for this long is disconnected.
    pub idle_timeout_seconds: u64,
    /// How often a connection checks that no newer connection (on another node) took its
    /// interview over.
    pub lease_check_seconds: u64,
    /// Keep the candidate's and the interviewer's audio of each turn as WAV files in the object
    /// store (off by default: live audio is large and rarely replayed).
    pub store_audio: bool,
    /// Interviews one account may hold live connections to at once, on each node.
    pub max_sessions_per_account: usize,
}

impl Default for RealtimeSection {
    fn default() -> Self {
        Self {
            turn_detection: interview_core::ports::TurnDetection::None,
            idle_timeout_seconds: 60,
            lease_check_seconds: 5,
            store_audio: false,
            max_sessions_per_account: 2,
        }
    }
}

/// `[metrics]`: the Prometheus exposition at `GET /metrics` on the main port.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSection {
    /// When set (`APP__METRICS__TOKEN`), `/metrics` requires `Authorization: Bearer <token>`;
    /// unset, it is open (development). Required in production.
    #[serde(skip_serializing)]
    pub token: Option<SecretString>,
}

impl MetricsSection {
    /// What is wrong with the section, each naming its key: a token shorter than 16
    /// characters, or none in production.
    pub fn problems(&self, production: bool) -> Vec<String> {
        match &self.token {
            Some(token) if token.expose_secret().trim().len() < 16 => {
                vec!["metrics.token (APP__METRICS__TOKEN) must be at least 16 characters".into()]
            }
            None if production => vec![
                "metrics.token (APP__METRICS__TOKEN) is required in production: /metrics must \
                 not be open to anyone who can reach the port"
                    .into(),
            ],
            _ => Vec::new(),
        }
    }
}

/// Background jobs (`jobs.*`): assessments are produced here. Jobs live in the database, so
/// every node may run workers and each job still runs once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct JobsSection {
    /// Jobs this node runs at once; 0 runs none (an API-only node).
    pub workers: usize,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll_interval_ms: u64,
    /// Requests come first: while this many requests are in flight on the node (0: never),
    /// a job runs only once it has been due for `max_deferral_seconds`.
    pub yield_at_requests_in_flight: usize,
    pub max_deferral_seconds: u64,
    /// Attempts, backoff and lease (`max_attempts`, `backoff_base_seconds`,
    /// `backoff_max_seconds`, `lease_seconds`), owned by the core's runner.
    #[serde(flatten)]
    pub runner: interview_core::jobs::RunnerSettings,
}

impl Default for JobsSection {
    fn default() -> Self {
        Self {
            workers: 2,
            poll_interval_ms: 1_000,
            yield_at_requests_in_flight: 8,
            max_deferral_seconds: 60,
            runner: interview_core::jobs::RunnerSettings::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_open_only_outside_production_and_a_token_is_long_enough() {
        let open = MetricsSection::default();
        assert!(open.problems(false).is_empty());
        assert!(open.problems(true)[0].contains("metrics.token"));
        let short = MetricsSection {
            token: Some(SecretString::from("short")),
        };
        assert!(short.problems(false)[0].contains("at least 16"));
        let guarded = MetricsSection {
            token: Some(SecretString::from("scrape-token-0123456789")),
        };
        assert!(guarded.problems(true).is_empty());
        assert!(!format!("{guarded:?}").contains("scrape-token"));
    }
}
