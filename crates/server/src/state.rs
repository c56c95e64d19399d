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

    pub(crate) fn record<T>(&self, result: &Result<T, ProviderError>, now: DateTime<Utc>) {
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

/// Wraps any interviewer to record the outcome of each call in [`AiHealth`].
pub struct ObservedInterviewer {
    inner: Arc<dyn InterviewerModel>,
    health: Arc<AiHealth>,
    clock: Arc<dyn Clock>,
}

impl ObservedInterviewer {
    pub fn new(
        inner: Arc<dyn InterviewerModel>,
        health: Arc<AiHealth>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner,
            health,
            clock,
        }
    }
}

#[async_trait]
impl InterviewerModel for ObservedInterviewer {
    fn model_name(&self) -> String {
        self.inner.model_name()
    }

    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        let result = self.inner.first_question(request).await;
        self.health.record(&result, self.clock.now());
        result
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        let result = self.inner.next_question(request).await;
        self.health.record(&result, self.clock.now());
        result
    }

    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<Evaluation>, ProviderError> {
        let result = self.inner.evaluate(request).await;
        self.health.record(&result, self.clock.now());
        result
    }
}

/// Wraps a transcriber so its calls count in [`AiHealth`] too.
pub struct ObservedTranscriber {
    inner: Arc<dyn Transcriber>,
    health: Arc<AiHealth>,
    clock: Arc<dyn Clock>,
}

impl ObservedTranscriber {
    pub fn new(inner: Arc<dyn Transcriber>, health: Arc<AiHealth>, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner,
            health,
            clock,
        }
    }
}

#[async_trait]
impl Transcriber for ObservedTranscriber {
    async fn transcribe(
        &self,
        clip: &AudioClip,
        language: &str,
    ) -> Result<Transcription, ProviderError> {
        let result = self.inner.transcribe(clip, language).await;
        self.health.record(&result, self.clock.now());
        result
    }
}

/// Wraps a speech synthesizer so its calls count in [`AiHealth`] too.
pub struct ObservedSynthesizer {
    inner: Arc<dyn SpeechSynthesizer>,
    health: Arc<AiHealth>,
    clock: Arc<dyn Clock>,
}

impl ObservedSynthesizer {
    pub fn new(
        inner: Arc<dyn SpeechSynthesizer>,
        health: Arc<AiHealth>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner,
            health,
            clock,
        }
    }
}

#[async_trait]
impl SpeechSynthesizer for ObservedSynthesizer {
    async fn synthesize(&self, text: &str) -> Result<SpeechAudio, ProviderError> {
        let result = self.inner.synthesize(text).await;
        self.health.record(&result, self.clock.now());
        result
    }
}
