//! The HTTP path of every call: async-openai's request building over a tower stack that we
//! own — per-attempt timeout, retries with exponential backoff and jitter that honour
//! `Retry-After`, and a last layer that turns error responses into a typed [`UpstreamStatus`]
//! (async-openai's own error drops the `Retry-After` header).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::{ApiError, OpenAIError, WrappedError};
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use backon::{BackoffBuilder, ExponentialBuilder};
use interview_core::ports::ProviderError;
use reqwest::{Response, StatusCode};
use secrecy::ExposeSecret;
use tower::{BoxError, ServiceBuilder};

use crate::settings::{OpenAiSettings, RetrySettings};

pub(crate) type OpenAiClient = Client<Box<dyn Config>>;

/// Which API a client talks to; names its breaker and its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Chat,
    Transcription,
    Speech,
}

impl Endpoint {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Transcription => "transcription",
            Self::Speech => "speech",
        }
    }
}

/// An HTTP error status from the provider, with what it said and when to come back.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {}", .api_error.as_ref().map_or("(no error body)", |error| error.message.as_str()))]
pub(crate) struct UpstreamStatus {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub api_error: Option<ApiError>,
}

impl UpstreamStatus {
    fn code(&self) -> Option<&str> {
        self.api_error
            .as_ref()
            .and_then(|error| error.code.as_deref())
    }

    pub(crate) fn is_context_length(&self) -> bool {
        self.status == StatusCode::BAD_REQUEST
            && (self.code() == Some("context_length_exceeded")
                || self
                    .api_error
                    .as_ref()
                    .is_some_and(|error| error.message.contains("maximum context length")))
    }
}

/// Builds the client of one endpoint.
pub(crate) fn client(
    settings: &OpenAiSettings,
    endpoint: Endpoint,
    model: &str,
) -> Result<OpenAiClient, reqwest::Error> {
    let api_key = settings
        .api_key
        .as_ref()
        .map(|key| key.expose_secret().to_owned())
        .unwrap_or_default();
    let base_url = settings.base_url.trim_end_matches('/').to_owned();
    let config: Box<dyn Config> = if let Some(version) = &settings.azure_api_version {
        Box::new(
            AzureConfig::new()
                .with_api_base(base_url)
                .with_api_key(api_key)
                .with_deployment_id(model)
                .with_api_version(version),
        )
    } else {
        let mut config = OpenAIConfig::new()
            .with_api_base(base_url)
            .with_api_key(api_key);
        if let Some(organization) = &settings.organization {
            config = config.with_org_id(organization);
        }
        Box::new(config)
    };
    let timeout = Duration::from_secs_f64(match endpoint {
        Endpoint::Chat => settings.timeouts.chat_seconds,
        Endpoint::Transcription => settings.timeouts.transcription_seconds,
        Endpoint::Speech => settings.timeouts.speech_seconds,
    });
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let service = ServiceBuilder::new()
        .and_then(error_status_to_error)
        .retry(RetryPolicy::new(settings.retry))
        .timeout(timeout)
        .service(ReqwestService::new(http));
    Ok(Client::with_config(config).with_http_service(service))
}

/// The outermost layer: what is still an error status after the retries becomes an error
/// that keeps the status, the provider's message and `Retry-After`.
async fn error_status_to_error(response: Response) -> Result<Response, BoxError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = retry_after(&response);
    let body = response.bytes().await.unwrap_or_default();
    let api_error = serde_json::from_slice::<WrappedError>(&body)
        .ok()
        .map(|wrapped| wrapped.error);
    Err(Box::new(UpstreamStatus {
        status,
        retry_after,
        api_error,
    }))
}

fn retry_after(response: &Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    let seconds = value.trim().parse::<f64>().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

const fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// Retries transient failures: 429/500/502/503/504, timeouts and connection errors.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    settings: RetrySettings,
    retries_done: usize,
}

/// What one attempt's result asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Done,
    RetryAfter(Option<Duration>),
}

impl RetryPolicy {
    pub(crate) fn new(settings: RetrySettings) -> Self {
        Self {
            settings,
            retries_done: 0,
        }
    }

    pub(crate) fn verdict(result: &Result<Response, BoxError>) -> Verdict {
        match result {
            Ok(response) if is_transient(response.status()) => {
                Verdict::RetryAfter(retry_after(response))
            }
            Ok(_) => Verdict::Done,
            Err(error) if error.is::<tower::timeout::error::Elapsed>() => Verdict::RetryAfter(None),
            Err(error) => match error.downcast_ref::<OpenAIError>() {
                Some(OpenAIError::Reqwest(error))
                    if error.is_connect() || error.is_timeout() || error.is_request() =>
                {
                    Verdict::RetryAfter(None)
                }
                _ => Verdict::Done,
            },
        }
    }

    /// The wait before retry number `retries_done + 1`, or `None` to give up.
    pub(crate) fn delay(&self, verdict: Verdict) -> Option<Duration> {
        let Verdict::RetryAfter(asked) = verdict else {
            return None;
        };
        if self.retries_done >= self.settings.max_retries {
            return None;
        }
        match asked {
            // a long Retry-After is not waited out inside a request: report it instead
            Some(wait) if wait > self.settings.max_retry_after() => None,
            Some(wait) => Some(wait),
            None => ExponentialBuilder::new()
                .with_min_delay(self.settings.base_delay())
                .with_factor(2.0)
                .with_max_times(self.settings.max_retries)
                .with_jitter()
                .build()
                .nth(self.retries_done),
        }
    }
}

impl tower::retry::Policy<HttpRequestFactory, Response, BoxError> for RetryPolicy {
    type Future = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

    fn retry(
        &mut self,
        _request: &mut HttpRequestFactory,
        result: &mut Result<Response, BoxError>,
    ) -> Option<Self::Future> {
        let delay = self.delay(Self::verdict(result))?;
        self.retries_done += 1;
        tracing::warn!(
            retry = self.retries_done,
            delay_ms = delay.as_millis() as u64,
            "transient AI provider failure; retrying"
        );
        Some(Box::pin(tokio::time::sleep(delay)))
    }

    fn clone_request(&mut self, request: &HttpRequestFactory) -> Option<HttpRequestFactory> {
        Some(request.clone())
    }
}

/// A failed call, translated at the port. `ContextTooLong` never leaves the adapter.
#[derive(Debug)]
pub(crate) enum CallError {
    ContextTooLong,
    Provider(ProviderError),
}

impl From<ProviderError> for CallError {
    fn from(error: ProviderError) -> Self {
        Self::Provider(error)
    }
}

pub(crate) fn translate(error: OpenAIError, endpoint: Endpoint) -> CallError {
    let name = endpoint.name();
    match error {
        OpenAIError::Boxed(boxed) => {
            if let Some(status) = boxed.downcast_ref::<UpstreamStatus>() {
                return translate_status(status, name);
            }
            if boxed.is::<tower::timeout::error::Elapsed>() {
                return ProviderError::Unavailable {
                    message: format!("the {name} call timed out"),
                    retry_after: None,
                }
                .into();
            }
            match boxed.downcast::<OpenAIError>() {
                Ok(inner) => translate(*inner, endpoint),
                Err(other) => ProviderError::Unavailable {
                    message: format!("the {name} call failed: {other}"),
                    retry_after: None,
                }
                .into(),
            }
        }
        OpenAIError::Reqwest(error) => ProviderError::Unavailable {
            message: format!("the {name} call could not reach the provider: {error}"),
            retry_after: None,
        }
        .into(),
        OpenAIError::ApiError(response) => translate_status(
            &UpstreamStatus {
                status: response.status_code,
                retry_after: None,
                api_error: Some(response.api_error),
            },
            name,
        ),
        OpenAIError::JSONDeserialize(error, _) => ProviderError::InvalidResponse(format!(
            "the {name} reply did not have the expected shape: {error}"
        ))
        .into(),
        OpenAIError::InvalidArgument(message) => ProviderError::Rejected(message).into(),
        other => ProviderError::Unavailable {
            message: format!("the {name} call failed: {other}"),
            retry_after: None,
        }
        .into(),
    }
}

fn translate_status(status: &UpstreamStatus, name: &str) -> CallError {
    if status.is_context_length() {
        return CallError::ContextTooLong;
    }
    let code = status.status.as_u16();
    if code == 429 && status.code() != Some("insufficient_quota") {
        return ProviderError::RateLimited {
            retry_after: status.retry_after,
        }
        .into();
    }
    if status.status.is_server_error() || code == 408 {
        return ProviderError::Unavailable {
            message: format!("the {name} call failed: {status}"),
            retry_after: status.retry_after,
        }
        .into();
    }
    ProviderError::Rejected(format!("the {name} call was refused: {status}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps)] // the shape the retry policy is given
    fn response(status: u16, retry_after: Option<&str>) -> Result<Response, BoxError> {
        let mut builder = http_response(status);
        if let Some(value) = retry_after {
            builder = builder.header("retry-after", value);
        }
        Ok(Response::from(builder.body(Vec::<u8>::new()).unwrap()))
    }

    fn http_response(status: u16) -> http::response::Builder {
        http::Response::builder().status(status)
    }

    fn settings() -> RetrySettings {
        RetrySettings {
            max_retries: 3,
            base_delay_ms: 1_000,
            max_retry_after_seconds: 20,
        }
    }

    #[test]
    fn transient_statuses_are_retried_and_client_errors_are_not() {
        for status in [429, 500, 502, 503, 504] {
            assert_eq!(
                RetryPolicy::verdict(&response(status, None)),
                Verdict::RetryAfter(None),
                "{status}"
            );
        }
        for status in [200, 400, 401, 403, 404, 501] {
            assert_eq!(
                RetryPolicy::verdict(&response(status, None)),
                Verdict::Done,
                "{status}"
            );
        }
        let elapsed: BoxError = Box::new(tower::timeout::error::Elapsed::new());
        assert_eq!(
            RetryPolicy::verdict(&Err(elapsed)),
            Verdict::RetryAfter(None)
        );
    }

    #[test]
    fn backoff_doubles_from_about_one_second_with_jitter_and_stops_after_three() {
        let mut policy = RetryPolicy::new(settings());
        let mut delays = Vec::new();
        while let Some(delay) = policy.delay(Verdict::RetryAfter(None)) {
            delays.push(delay);
            policy.retries_done += 1;
        }
        assert_eq!(delays.len(), 3);
        for (delay, nominal) in delays.iter().zip([1_000u128, 2_000, 4_000]) {
            let millis = delay.as_millis();
            assert!(
                millis >= nominal && millis <= nominal * 2,
                "{millis} ms for a nominal {nominal} ms"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_and_a_long_one_is_reported_instead_of_waited() {
        let policy = RetryPolicy::new(settings());
        let verdict = RetryPolicy::verdict(&response(429, Some("7")));
        assert_eq!(verdict, Verdict::RetryAfter(Some(Duration::from_secs(7))));
        assert_eq!(policy.delay(verdict), Some(Duration::from_secs(7)));
        let too_long = RetryPolicy::verdict(&response(503, Some("120")));
        assert_eq!(policy.delay(too_long), None);
    }

    #[test]
    fn statuses_translate_to_the_port_errors() {
        let status = |code: u16, error_code: Option<&str>| UpstreamStatus {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: Some(Duration::from_secs(3)),
            api_error: Some(ApiError {
                message: "nope".into(),
                code: error_code.map(str::to_owned),
                ..ApiError::default()
            }),
        };
        assert!(matches!(
            translate_status(&status(429, None), "chat"),
            CallError::Provider(ProviderError::RateLimited {
                retry_after: Some(_)
            })
        ));
        assert!(matches!(
            translate_status(&status(429, Some("insufficient_quota")), "chat"),
            CallError::Provider(ProviderError::Rejected(_))
        ));
        assert!(matches!(
            translate_status(&status(503, None), "chat"),
            CallError::Provider(ProviderError::Unavailable { .. })
        ));
        assert!(matches!(
            translate_status(&status(401, None), "chat"),
            CallError::Provider(ProviderError::Rejected(_))
        ));
        assert!(matches!(
            translate_status(&status(400, Some("context_length_exceeded")), "chat"),
            CallError::ContextTooLong
        ));
    }
}
