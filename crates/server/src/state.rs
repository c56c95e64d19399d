//! The application state, registered once with `app_data`.

use std::sync::{Arc, Mutex, PoisonError};

use adapter_db::Database;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::InterviewService;
use interview_core::accounts::AccountService;
use interview_core::ladder::Evaluation;
use interview_core::ports::{
    AudioClip, Clock, EvaluationRequest, Generated, InterviewerModel, ProviderError, Question,
    QuestionRequest, SpeechAudio, SpeechSynthesizer, Transcriber, Transcription,
};

use crate::auth::TokenService;

pub struct AppState {
    pub interviews: Arc<InterviewService>,
    pub accounts: Arc<AccountService>,
    pub tokens: Arc<TokenService>,
    pub clock: Arc<dyn Clock>,
    pub db: Database,
    pub ai: Arc<AiHealth>,
}

/// What `/api/v1/ai/status` reports: the provider in use and how its calls have gone.
#[derive(Default)]
pub struct AiHealth {
    pub provider: String,
    pub model: String,
    /// The OpenAI endpoints with their breakers; `None` for the offline interviewer.
    pub openai: Option<Arc<adapter_openai::OpenAiProvider>>,
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
            openai: None,
            outcomes: Mutex::default(),
        }
    }

    #[must_use]
    pub fn with_openai(mut self, openai: Arc<adapter_openai::OpenAiProvider>) -> Self {
        self.openai = Some(openai);
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
        self.observe(self.inner.first_question(request).await)
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.observe(self.inner.next_question(request).await)
    }

    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError> {
        self.observe(self.inner.evaluate(request).await)
    }
}

#[async_trait]
impl Transcriber for Observed<dyn Transcriber> {
    async fn transcribe(
        &self,
        clip: &AudioClip,
        language: &str,
    ) -> Result<Transcription, ProviderError> {
        self.observe(self.inner.transcribe(clip, language).await)
    }
}

#[async_trait]
impl SpeechSynthesizer for Observed<dyn SpeechSynthesizer> {
    async fn synthesize(&self, text: &str) -> Result<SpeechAudio, ProviderError> {
        self.observe(self.inner.synthesize(text).await)
    }
}
