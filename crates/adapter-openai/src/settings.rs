//! Everything the OpenAI adapters can be told, with the product defaults.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Provider settings. Any OpenAI-compatible server works through `base_url`; Azure OpenAI
/// through `azure_api_version` (each model name is then a deployment name).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenAiSettings {
    pub base_url: String,
    #[serde(skip_serializing)]
    pub api_key: Option<SecretString>,
    pub organization: Option<String>,
    pub azure_api_version: Option<String>,
    pub chat_model: String,
    pub transcription_model: String,
    pub speech_model: String,
    pub voice: String,
    /// Speech speed, 0.25 to 4.0.
    pub speed: f32,
    pub temperature: f32,
    /// Output allowance of one chat call.
    pub max_tokens: u32,
    /// The chat model that writes assessments of finished interviews; `chat_model` when unset.
    pub assessment_model: Option<String>,
    /// Output allowance of one assessment call (a judgement is longer than a question).
    pub assessment_max_tokens: u32,
    /// The chat model that reads resumes and drafts feedback on them; `assessment_model` (else
    /// `chat_model`) when unset. Its calls are allowed `assessment_max_tokens`.
    pub resume_model: Option<String>,
    /// ISO-639-1 language of the interviews.
    pub language: String,
    pub timeouts: TimeoutSettings,
    pub retry: RetrySettings,
    pub breaker: BreakerSettings,
    /// The realtime (speech-to-speech) sessions; same key, own models.
    pub realtime: RealtimeSettings,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".into(),
            api_key: None,
            organization: None,
            azure_api_version: None,
            chat_model: "gpt-4o-mini".into(),
            transcription_model: "whisper-1".into(),
            speech_model: "tts-1".into(),
            voice: "alloy".into(),
            speed: 1.0,
            temperature: 0.7,
            max_tokens: 600,
            assessment_model: None,
            assessment_max_tokens: 2_000,
            resume_model: None,
            language: "en".into(),
            timeouts: TimeoutSettings::default(),
            retry: RetrySettings::default(),
            breaker: BreakerSettings::default(),
            realtime: RealtimeSettings::default(),
        }
    }
}

impl fmt::Debug for OpenAiSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("organization", &self.organization)
            .field("azure_api_version", &self.azure_api_version)
            .field("chat_model", &self.chat_model)
            .field("assessment_model", &self.assessment_model)
            .field("resume_model", &self.resume_model)
            .field("transcription_model", &self.transcription_model)
            .field("speech_model", &self.speech_model)
            .field("voice", &self.voice)
            .field("realtime", &self.realtime)
            .finish_non_exhaustive()
    }
}

impl OpenAiSettings {
    /// The model that writes assessments: `assessment_model`, else `chat_model`.
    pub fn assessment_model(&self) -> &str {
        self.assessment_model.as_deref().unwrap_or(&self.chat_model)
    }

    /// The model that reads resumes: `resume_model`, else [`Self::assessment_model`].
    pub fn resume_model(&self) -> &str {
        self.resume_model
            .as_deref()
            .unwrap_or_else(|| self.assessment_model())
    }

    pub fn has_api_key(&self) -> bool {
        self.api_key
            .as_ref()
            .is_some_and(|key| !key.expose_secret().trim().is_empty())
    }

    /// Every rule broken, each naming its key under `prefix` (such as `ai.openai`).
    pub fn problems(&self, prefix: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            problems.push(format!(
                "{prefix}.base_url (OPENAI_BASE_URL) must be an http(s) URL"
            ));
        }
        if !self.has_api_key() {
            problems.push(format!("{prefix}.api_key (OPENAI_API_KEY) is required"));
        }
        for (key, value) in [
            ("chat_model", &self.chat_model),
            ("transcription_model", &self.transcription_model),
            ("speech_model", &self.speech_model),
            ("voice", &self.voice),
            ("language", &self.language),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("{prefix}.{key} must not be empty"));
            }
        }
        if self
            .assessment_model
            .as_ref()
            .is_some_and(|model| model.trim().is_empty())
        {
            problems.push(format!(
                "{prefix}.assessment_model must not be empty when set (leave it out to use \
                 chat_model)"
            ));
        }
        if self
            .resume_model
            .as_ref()
            .is_some_and(|model| model.trim().is_empty())
        {
            problems.push(format!(
                "{prefix}.resume_model must not be empty when set (leave it out to use the \
                 assessment model)"
            ));
        }
        if !(0.25..=4.0).contains(&self.speed) {
            problems.push(format!("{prefix}.speed must be between 0.25 and 4.0"));
        }
        if !(0.0..=2.0).contains(&self.temperature) {
            problems.push(format!("{prefix}.temperature must be between 0 and 2"));
        }
        if self.max_tokens == 0 {
            problems.push(format!("{prefix}.max_tokens must be at least 1"));
        }
        if self.assessment_max_tokens == 0 {
            problems.push(format!("{prefix}.assessment_max_tokens must be at least 1"));
        }
        let timeouts = [
            self.timeouts.chat_seconds,
            self.timeouts.transcription_seconds,
            self.timeouts.speech_seconds,
        ];
        if !timeouts
            .iter()
            .all(|seconds| seconds.is_finite() && *seconds > 0.0)
        {
            problems.push(format!("{prefix}.timeouts.* must be positive"));
        }
        problems.extend(self.realtime.problems(&format!("{prefix}.realtime")));
        if self.breaker.failure_threshold == 0 || self.breaker.half_open_trials == 0 {
            problems.push(format!(
                "{prefix}.breaker.failure_threshold and half_open_trials must be at least 1"
            ));
        }
        problems
    }
}

/// Realtime voice sessions (the OpenAI Realtime API over WebSocket). The backoff between
/// connection attempts starts at `retry.base_delay_ms` and honours `Retry-After` up to
/// `retry.max_retry_after_seconds`, like the HTTP calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RealtimeSettings {
    pub model: String,
    pub voice: String,
    /// Transcribes the candidate's audio inside the session.
    pub transcription_model: String,
    /// The WebSocket base URL (`wss://…/v1`); by default derived from `base_url`
    /// (`https://` becomes `wss://`, `http://` becomes `ws://`). `/realtime?model=…` is appended.
    pub url: Option<String>,
    /// Time allowed for one connection attempt (TCP, TLS and the WebSocket handshake).
    pub connect_timeout_seconds: f64,
    /// Connection attempts after the first when the upstream answers 429/5xx or cannot be
    /// reached.
    pub connect_retries: usize,
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            model: "gpt-realtime-mini".into(),
            voice: "alloy".into(),
            transcription_model: "gpt-4o-mini-transcribe".into(),
            url: None,
            connect_timeout_seconds: 10.0,
            connect_retries: 3,
        }
    }
}

impl RealtimeSettings {
    /// The WebSocket base URL: `url` when set, else `base_url` with its scheme swapped.
    pub fn websocket_base(&self, base_url: &str) -> String {
        let base = self
            .url
            .as_deref()
            .unwrap_or(base_url)
            .trim_end_matches('/');
        if let Some(rest) = base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            base.to_owned()
        }
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.connect_timeout_seconds)
    }

    fn problems(&self, prefix: &str) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, value) in [
            ("model", &self.model),
            ("voice", &self.voice),
            ("transcription_model", &self.transcription_model),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("{prefix}.{key} must not be empty"));
            }
        }
        if let Some(url) = &self.url
            && !["ws://", "wss://", "http://", "https://"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            problems.push(format!("{prefix}.url must be a ws(s) or http(s) URL"));
        }
        if !(self.connect_timeout_seconds.is_finite() && self.connect_timeout_seconds > 0.0) {
            problems.push(format!("{prefix}.connect_timeout_seconds must be positive"));
        }
        problems
    }
}

/// Time allowed for one attempt of each kind of call, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeoutSettings {
    pub chat_seconds: f64,
    pub transcription_seconds: f64,
    pub speech_seconds: f64,
}

impl Default for TimeoutSettings {
    fn default() -> Self {
        Self {
            chat_seconds: 45.0,
            transcription_seconds: 30.0,
            speech_seconds: 20.0,
        }
    }
}

/// Retries of transient failures (429, 500, 502, 503, 504, timeouts, connection errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetrySettings {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// The first backoff; each later one doubles it (with jitter).
    pub base_delay_ms: u64,
    /// A `Retry-After` longer than this is not waited for: the call fails at once and the
    /// caller is told when to come back.
    pub max_retry_after_seconds: u64,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay_ms: 1_000,
            max_retry_after_seconds: 20,
        }
    }
}

impl RetrySettings {
    pub fn base_delay(&self) -> Duration {
        Duration::from_millis(self.base_delay_ms)
    }

    pub fn max_retry_after(&self) -> Duration {
        Duration::from_secs(self.max_retry_after_seconds)
    }
}

/// One circuit breaker per endpoint (chat, transcription, speech).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BreakerSettings {
    /// Consecutive failed calls (after their retries) that open the breaker.
    pub failure_threshold: u32,
    pub open_seconds: u64,
    /// Trial calls let through when the open period ends; all must succeed to close.
    pub half_open_trials: u32,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_seconds: 60,
            half_open_trials: 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> OpenAiSettings {
        OpenAiSettings {
            api_key: Some("sk-test".to_owned().into()),
            ..OpenAiSettings::default()
        }
    }

    #[test]
    fn assessments_use_the_chat_model_unless_their_own_is_set() {
        let mut settings = valid();
        assert_eq!(settings.assessment_model(), "gpt-4o-mini");
        assert!(settings.problems("ai.openai").is_empty());
        settings.assessment_model = Some("gpt-4o".to_owned());
        assert_eq!(settings.assessment_model(), "gpt-4o");
        assert!(settings.problems("ai.openai").is_empty());
    }

    #[test]
    fn resumes_use_the_assessment_model_unless_their_own_is_set() {
        let mut settings = valid();
        assert_eq!(settings.resume_model(), "gpt-4o-mini");
        settings.assessment_model = Some("gpt-4o".to_owned());
        assert_eq!(settings.resume_model(), "gpt-4o");
        settings.resume_model = Some("gpt-4.1-mini".to_owned());
        assert_eq!(settings.resume_model(), "gpt-4.1-mini");
        assert!(settings.problems("ai.openai").is_empty());
        settings.resume_model = Some(" ".to_owned());
        assert!(
            settings
                .problems("ai.openai")
                .iter()
                .any(|problem| problem.starts_with("ai.openai.resume_model"))
        );
    }

    #[test]
    fn a_blank_assessment_model_and_a_zero_allowance_are_refused() {
        let settings = OpenAiSettings {
            assessment_model: Some("  ".to_owned()),
            assessment_max_tokens: 0,
            ..valid()
        };
        let problems = settings.problems("ai.openai");
        assert!(
            problems
                .iter()
                .any(|problem| problem.starts_with("ai.openai.assessment_model"))
        );
        assert!(
            problems
                .iter()
                .any(|problem| problem.starts_with("ai.openai.assessment_max_tokens"))
        );
    }
}
