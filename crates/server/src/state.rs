//! The application state, registered once with `app_data`.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::InterviewService;
use interview_core::accounts::AccountService;
use interview_core::assessment::AssessmentService;
use interview_core::cost::Pricing;
use interview_core::ladder::Evaluation;
use interview_core::ports::{
    AudioClip, Clock, EvaluationRequest, Generated, InterviewerModel, ProviderError, Question,
    QuestionRequest, RepositoryError, SpeechAudio, SpeechSynthesizer, Transcriber, Transcription,
};
use interview_core::recruiting::RecruitingService;

use crate::auth::TokenService;
use crate::observability::cost;
use interview_core::ids::{ConnectionId, InterviewId};
use interview_core::ports::{RealtimeVoice, TurnDetection};
use std::collections::HashMap;
use tokio::sync::Notify;

pub struct AppState {
    pub interviews: Arc<InterviewService>,
    pub assessments: Arc<AssessmentService>,
    pub accounts: Arc<AccountService>,
    /// Organizations, recruiters, job postings, applications and the recruiter's view.
    pub recruiting: Arc<RecruitingService>,
    /// The candidate portal: profile, resumes, feedback, matching.
    pub portal: Arc<interview_core::portal::PortalService>,
    /// Video recordings: consent, chunk uploads, watching.
    pub video: Arc<interview_core::video::VideoService>,
    /// The organization's webhook endpoints (admins).
    pub webhooks: Arc<interview_core::webhooks::WebhookService>,
    pub tokens: Arc<TokenService>,
    pub clock: Arc<dyn Clock>,
    /// What `/ready` asks.
    pub readiness: Arc<dyn ReadinessProbe>,
    pub ai: Arc<AiHealth>,
    pub realtime: RealtimeState,
}

/// Live voice: the provider (absent without one), the relay's settings, and the connections
/// open on this node.
pub struct RealtimeState {
    pub voice: Option<Arc<dyn RealtimeVoice>>,
    pub turn_detection: TurnDetection,
    pub idle_timeout: std::time::Duration,
    /// How often a connection checks it still owns its interview (another node may have taken
    /// it over; on this node the take-over is immediate).
    pub lease_check: std::time::Duration,
    /// Keep each turn's audio (`realtime.store_audio`).
    pub store_audio: bool,
    pub live: LiveConnections,
    /// `realtime.max_sessions_per_account`.
    pub per_account: Arc<crate::realtime::account_sessions::AccountSessions>,
}

/// The realtime connections open on this node, by interview: a new connection to an interview
/// tells the one it replaces at once.
#[derive(Default)]
pub struct LiveConnections {
    connections: Mutex<HashMap<InterviewId, (ConnectionId, Arc<Notify>)>>,
}

impl LiveConnections {
    /// Registers `connection` for the interview and tells the connection it replaces; returns
    /// what tells this one when it is replaced in turn.
    pub fn register(&self, interview: InterviewId, connection: ConnectionId) -> Arc<Notify> {
        let replaced = Arc::new(Notify::new());
        let previous = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(interview, (connection, replaced.clone()));
        if let Some((_, previous)) = previous {
            previous.notify_one();
        }
        replaced
    }

    /// Forgets `connection`, unless a newer one already took its place.
    pub fn remove(&self, interview: InterviewId, connection: ConnectionId) {
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if connections
            .get(&interview)
            .is_some_and(|(current, _)| *current == connection)
        {
            connections.remove(&interview);
        }
    }
}

/// Whether the storage the server cannot work without answers, for `/ready`.
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    /// Asks the storage for a trivial answer.
    ///
    /// # Errors
    /// The storage's [`RepositoryError`] (usually `Unavailable`) when it does not answer.
    async fn check(&self) -> Result<(), RepositoryError>;
}

/// One AI endpoint and the state of its circuit breaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointBreaker {
    pub endpoint: String,
    pub model: String,
    /// `closed`, `open` or `half_open`.
    pub state: String,
}

/// The circuit breakers of the AI provider's endpoints, for `/api/v1/ai/status`.
pub trait BreakerStatus: Send + Sync {
    /// Every endpoint with its breaker, the chat endpoint first.
    fn breakers(&self) -> Vec<EndpointBreaker>;
}

/// What `/api/v1/ai/status` reports: the provider in use and how its calls have gone.
#[derive(Default)]
pub struct AiHealth {
    pub provider: String,
    pub model: String,
    /// The provider's endpoints with their breakers; `None` for the offline interviewer.
    pub breakers: Option<Arc<dyn BreakerStatus>>,
    /// What the calls cost, for the cost metric: the engine's table (`interview.pricing`).
    pub pricing: Pricing,
    outcomes: Mutex<AiOutcomes>,
}

#[derive(Debug, Default, Clone)]
pub struct AiOutcomes {
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl AiHealth {
    pub fn new(provider: &str, model: &str) -> Self {
        Self {
            provider: provider.to_owned(),
            model: model.to_owned(),
            breakers: None,
            pricing: Pricing::default(),
            outcomes: Mutex::default(),
        }
    }

    /// Prices the calls observed with `pricing` (the engine's) in the cost metric.
    #[must_use]
    pub fn with_pricing(mut self, pricing: Pricing) -> Self {
        self.pricing = pricing;
        self
    }

    #[must_use]
    pub fn with_breakers(mut self, breakers: Arc<dyn BreakerStatus>) -> Self {
        self.breakers = Some(breakers);
        self
    }

    pub fn outcomes(&self) -> AiOutcomes {
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record<T>(&self, result: &Result<T, ProviderError>, now: DateTime<Utc>) {
        let mut outcomes = self.outcomes.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(_) => outcomes.last_success_at = Some(now),
            Err(error) => {
                outcomes.last_error_at = Some(now);
                outcomes.last_error = Some(error.to_string());
            }
        }
    }
}

/// Wraps an AI port so the outcome of each of its calls is recorded in [`AiHealth`].
pub struct Observed<P: ?Sized> {
    inner: Arc<P>,
    health: Arc<AiHealth>,
    clock: Arc<dyn Clock>,
}

impl<P: ?Sized> Observed<P> {
    pub fn new(inner: Arc<P>, health: Arc<AiHealth>, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner,
            health,
            clock,
        }
    }

    fn observe<T>(&self, result: Result<T, ProviderError>) -> Result<T, ProviderError> {
        self.health.record(&result, self.clock.now());
        result
    }

    /// As [`Self::observe`], with the chat call's cost counted.
    fn observe_chat<T>(
        &self,
        result: Result<Generated<T>, ProviderError>,
    ) -> Result<Generated<T>, ProviderError> {
        if let Ok(generated) = &result {
            cost::charge("chat", self.health.pricing.chat_cost(&generated.usage));
        }
        self.observe(result)
    }
}

#[async_trait]
impl InterviewerModel for Observed<dyn InterviewerModel> {
    fn model_name(&self) -> String {
        self.inner.model_name()
    }

    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.observe_chat(self.inner.first_question(request).await)
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.observe_chat(self.inner.next_question(request).await)
    }

    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError> {
        self.observe_chat(self.inner.evaluate(request).await)
    }
}

#[async_trait]
impl Transcriber for Observed<dyn Transcriber> {
    async fn transcribe(
        &self,
        clip: &AudioClip,
        language: &str,
    ) -> Result<Transcription, ProviderError> {
        let result = self.inner.transcribe(clip, language).await;
        if let Ok(transcription) = &result {
            let usd = (self.health.pricing).transcription_cost(transcription.duration_seconds);
            cost::charge("transcription", usd);
        }
        self.observe(result)
    }
}

#[async_trait]
impl SpeechSynthesizer for Observed<dyn SpeechSynthesizer> {
    async fn synthesize(&self, text: &str) -> Result<SpeechAudio, ProviderError> {
        let result = self.inner.synthesize(text).await;
        if let Ok(audio) = &result {
            cost::charge("speech", self.health.pricing.speech_cost(audio.characters));
        }
        self.observe(result)
    }
}
