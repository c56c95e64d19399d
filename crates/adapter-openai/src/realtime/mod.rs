//! The realtime voice port over the OpenAI Realtime API (GA) on a WebSocket: `{url}/realtime?model=…`
//! with the API key as a bearer token. Connecting retries 429/5xx handshakes and unreachable
//! upstreams with backoff, a bounded number of times; then the session is configured
//! (`session.update`), seeded with the conversation so far, and the interviewer says the opening.
//! Driver errors are translated into `ProviderError` here and in [`session`].

mod protocol;
mod session;

use std::time::Duration;

use async_trait::async_trait;
use backon::{BackoffBuilder, ExponentialBuilder};
use futures_util::SinkExt;
use interview_core::ports::{ProviderError, RealtimeSession, RealtimeSessionConfig, RealtimeVoice};
use secrecy::{ExposeSecret, SecretString};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::settings::{OpenAiSettings, RealtimeSettings, RetrySettings};
use crate::telemetry;
use session::Socket;

/// Opens realtime sessions; one per interview connection.
pub struct OpenAiRealtime {
    settings: RealtimeSettings,
    endpoint: String,
    api_key: SecretString,
    organization: Option<String>,
    retry: RetrySettings,
}

/// A failed connection attempt: what to report, and whether another attempt may succeed.
struct Failure {
    error: ProviderError,
    transient: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn unavailable(message: String, transient: bool) -> Self {
        Self {
            error: ProviderError::Unavailable {
                message,
                retry_after: None,
            },
            transient,
            retry_after: None,
        }
    }
}

impl OpenAiRealtime {
    pub fn new(settings: &OpenAiSettings) -> Self {
        let realtime = settings.realtime.clone();
        let endpoint = format!(
            "{}/realtime?model={}",
            realtime.websocket_base(&settings.base_url),
            realtime.model
        );
        Self {
            settings: realtime,
            endpoint,
            api_key: settings
                .api_key
                .clone()
                .unwrap_or_else(|| SecretString::from(String::new())),
            organization: settings.organization.clone(),
            retry: settings.retry,
        }
    }

    /// The WebSocket URL sessions open (no secret in it).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn model(&self) -> &str {
        &self.settings.model
    }

    /// Connects, retrying transient failures with exponential backoff (honouring a
    /// `Retry-After` up to `retry.max_retry_after_seconds`).
    async fn open(&self) -> Result<Socket, ProviderError> {
        let mut backoff = ExponentialBuilder::new()
            .with_min_delay(self.retry.base_delay())
            .with_factor(2.0)
            .with_max_times(self.settings.connect_retries)
            .with_jitter()
            .build();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.attempt().await {
                Ok(socket) => return Ok(socket),
                Err(failure) => failure,
            };
            let delay = if failure.transient {
                match (backoff.next(), failure.retry_after) {
                    (None, _) => None,
                    (Some(_), Some(asked)) if asked > self.retry.max_retry_after() => None,
                    (Some(_), Some(asked)) => Some(asked),
                    (Some(delay), None) => Some(delay),
                }
            } else {
                None
            };
            let Some(delay) = delay else {
                tracing::warn!(attempt, error = %failure.error, "the realtime session could not be opened");
                return Err(failure.error);
            };
            tracing::warn!(
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = %failure.error,
                "realtime connection failed; retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self) -> Result<Socket, Failure> {
        let mut request = self
            .endpoint
            .as_str()
            .into_client_request()
            .map_err(|error| {
                Failure::unavailable(format!("the realtime URL is unusable: {error}"), false)
            })?;
        let bearer = HeaderValue::from_str(&format!("Bearer {}", self.api_key.expose_secret()))
            .map_err(|_| Failure {
                error: ProviderError::Rejected("the API key is not a valid header value".into()),
                transient: false,
                retry_after: None,
            })?;
        request.headers_mut().insert(header::AUTHORIZATION, bearer);
        if let Some(organization) = &self.organization
            && let Ok(value) = HeaderValue::from_str(organization)
        {
            request.headers_mut().insert("openai-organization", value);
        }
        // An 8 KiB read buffer: tungstenite zero-fills the whole buffer before every read, so
        // its 128 KiB default stayed resident in every session (docs/performance.md). Nagle
        // off: each 20 ms audio frame goes out at once instead of waiting for the last ACK.
        let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
        let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
        match tokio::time::timeout(self.settings.connect_timeout(), connecting).await {
            Ok(Ok((socket, _))) => Ok(socket),
            Ok(Err(error)) => Err(translate(error)),
            Err(_) => Err(Failure::unavailable(
                "the realtime connection timed out".into(),
                true,
            )),
        }
    }
}

/// A handshake or connection error at the port.
fn translate(error: tungstenite::Error) -> Failure {
    let tungstenite::Error::Http(response) = error else {
        let transient = matches!(
            error,
            tungstenite::Error::Io(_)
                | tungstenite::Error::ConnectionClosed
                | tungstenite::Error::Protocol(_)
        );
        return Failure::unavailable(
            format!("the realtime connection failed: {error}"),
            transient,
        );
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(Duration::from_secs_f64);
    let body = response.body().as_deref().unwrap_or_default();
    let api_error = serde_json::from_slice::<serde_json::Value>(body).ok();
    let said = api_error
        .as_ref()
        .and_then(|body| body["error"]["message"].as_str())
        .unwrap_or("(no error body)");
    let code = api_error
        .as_ref()
        .and_then(|body| body["error"]["code"].as_str().map(str::to_owned));
    let message = format!("the realtime handshake was answered {status}: {said}");
    let (error, transient) = match status {
        StatusCode::TOO_MANY_REQUESTS if code.as_deref() != Some("insufficient_quota") => {
            (ProviderError::RateLimited { retry_after }, true)
        }
        status if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT => (
            ProviderError::Unavailable {
                message,
                retry_after,
            },
            true,
        ),
        _ => (ProviderError::Rejected(message), false),
    };
    Failure {
        error,
        transient,
        retry_after,
    }
}

#[async_trait]
impl RealtimeVoice for OpenAiRealtime {
    /// Opens and seeds a session; counted and timed in the metrics as a `realtime` call.
    async fn connect(
        &self,
        config: RealtimeSessionConfig,
    ) -> Result<RealtimeSession, ProviderError> {
        let started = std::time::Instant::now();
        let result = self.connect_session(config).await;
        telemetry::record(
            "realtime",
            telemetry::outcome(&result),
            Some(started.elapsed()),
        );
        result
    }
}

impl OpenAiRealtime {
    async fn connect_session(
        &self,
        config: RealtimeSessionConfig,
    ) -> Result<RealtimeSession, ProviderError> {
        let mut socket = self.open().await?;
        let mut setup = vec![protocol::session(
            &config.instructions,
            &self.settings.voice,
            &self.settings.transcription_model,
            config.turn_detection,
        )];
        setup.extend(config.history.iter().map(protocol::history_item));
        if !config.opening.trim().is_empty() {
            setup.push(protocol::say(&config.opening));
        }
        for event in &setup {
            socket
                .feed(session::message(event))
                .await
                .map_err(|error| translate(error).error)?;
        }
        socket
            .flush()
            .await
            .map_err(|error| translate(error).error)?;
        let (sender, events) = session::start(socket);
        Ok(RealtimeSession {
            sender: Box::new(sender),
            events: Box::new(events),
        })
    }
}
