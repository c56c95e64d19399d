//! OpenAI adapters for the core's AI ports: the interviewer model, the assessment writer, the
//! resume analyzer and the resume feedback author (chat completions), the transcriber
//! (Whisper), the speech synthesizer (TTS) and realtime voice sessions (the Realtime API over
//! WebSocket). Any OpenAI-compatible server works through `base_url`. Every call has its own
//! timeout, retries transient failures with backoff, and goes through a circuit breaker per
//! endpoint; errors are translated into the core's `ProviderError` here and nowhere else.

mod assessor;
mod audio;
mod breaker;
mod chat;
mod interviewer;
mod prompts;
mod realtime;
mod resume;
mod settings;
mod telemetry;
mod transport;

use std::sync::Arc;

use interview_core::ports::Clock;
use serde::Serialize;

pub use assessor::OpenAiAssessor;
pub use audio::{OpenAiSpeech, SPEECH_INPUT_LIMIT, WhisperTranscriber, split_for_speech};
pub use breaker::{BreakerState, CircuitBreaker};
pub use interviewer::OpenAiInterviewer;
pub use prompts::resume::RESUME_PROMPT_VERSION;
pub use prompts::{ASSESSMENT_PROMPT_VERSION, PROMPT_VERSION};
pub use realtime::OpenAiRealtime;
pub use resume::{OpenAiFeedbackAuthor, OpenAiResumeAnalyzer};
pub use settings::{
    BreakerSettings, OpenAiSettings, RealtimeSettings, RetrySettings, TimeoutSettings,
};
pub use telemetry::{AI_CALL_BUCKETS, AI_CALL_DURATION, AI_CALLS, describe_metrics};

use transport::Endpoint;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("invalid OpenAI settings: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("the HTTP client could not be built: {0}")]
    Http(#[from] reqwest::Error),
}

/// The state of one endpoint's breaker, for status pages.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointHealth {
    pub endpoint: &'static str,
    pub model: String,
    pub breaker: BreakerState,
}

/// The adapters, built from one set of settings.
pub struct OpenAiProvider {
    pub interviewer: Arc<OpenAiInterviewer>,
    /// Writes the judgement of finished interviews with `assessment_model` (else `chat_model`),
    /// through the chat endpoint's breaker.
    pub assessor: Arc<OpenAiAssessor>,
    /// Reads the facts of resumes (`ResumeAnalyzer`) with `resume_model` (else the assessment
    /// model), through the chat endpoint's breaker.
    pub resume_analyzer: Arc<OpenAiResumeAnalyzer>,
    /// Drafts feedback on resumes (`FeedbackAuthor`), with the same model and breaker.
    pub feedback_author: Arc<OpenAiFeedbackAuthor>,
    pub transcriber: Arc<WhisperTranscriber>,
    pub synthesizer: Arc<OpenAiSpeech>,
    pub realtime: Arc<OpenAiRealtime>,
    breakers: Vec<(Arc<CircuitBreaker>, String)>,
}

impl OpenAiProvider {
    /// # Errors
    /// [`SetupError::Invalid`] naming each setting that is wrong.
    pub fn new(settings: &OpenAiSettings, clock: &Arc<dyn Clock>) -> Result<Self, SetupError> {
        let problems = settings.problems("ai.openai");
        if !problems.is_empty() {
            return Err(SetupError::Invalid(problems));
        }
        let breaker = |endpoint: Endpoint| {
            Arc::new(CircuitBreaker::new(
                endpoint.name(),
                settings.breaker,
                clock.clone(),
            ))
        };
        let chat_breaker = breaker(Endpoint::Chat);
        let transcription_breaker = breaker(Endpoint::Transcription);
        let speech_breaker = breaker(Endpoint::Speech);
        let interviewer = OpenAiInterviewer::new(
            transport::client(settings, Endpoint::Chat, &settings.chat_model)?,
            chat_breaker.clone(),
            settings.chat_model.clone(),
            settings.temperature,
            settings.max_tokens,
        );
        let assessor = OpenAiAssessor::new(
            transport::client(settings, Endpoint::Chat, settings.assessment_model())?,
            chat_breaker.clone(),
            settings.assessment_model().to_owned(),
            settings.temperature,
            settings.assessment_max_tokens,
        );
        let resume_analyzer = OpenAiResumeAnalyzer::new(
            transport::client(settings, Endpoint::Chat, settings.resume_model())?,
            chat_breaker.clone(),
            settings.resume_model().to_owned(),
            settings.temperature,
            settings.assessment_max_tokens,
        );
        let feedback_author = OpenAiFeedbackAuthor::new(
            transport::client(settings, Endpoint::Chat, settings.resume_model())?,
            chat_breaker.clone(),
            settings.resume_model().to_owned(),
            settings.temperature,
            settings.assessment_max_tokens,
        );
        let transcriber = WhisperTranscriber::new(
            transport::client(
                settings,
                Endpoint::Transcription,
                &settings.transcription_model,
            )?,
            transcription_breaker.clone(),
            settings.transcription_model.clone(),
        );
        let synthesizer = OpenAiSpeech::new(
            transport::client(settings, Endpoint::Speech, &settings.speech_model)?,
            speech_breaker.clone(),
            settings.speech_model.clone(),
            settings.voice.clone(),
            settings.speed,
        );
        Ok(Self {
            interviewer: Arc::new(interviewer),
            assessor: Arc::new(assessor),
            resume_analyzer: Arc::new(resume_analyzer),
            feedback_author: Arc::new(feedback_author),
            transcriber: Arc::new(transcriber),
            synthesizer: Arc::new(synthesizer),
            realtime: Arc::new(OpenAiRealtime::new(settings)),
            breakers: vec![
                (chat_breaker, settings.chat_model.clone()),
                (transcription_breaker, settings.transcription_model.clone()),
                (speech_breaker, settings.speech_model.clone()),
            ],
        })
    }

    /// Each endpoint with its model and breaker state.
    pub fn health(&self) -> Vec<EndpointHealth> {
        self.breakers
            .iter()
            .map(|(breaker, model)| EndpointHealth {
                endpoint: breaker.endpoint(),
                model: model.clone(),
                breaker: breaker.state(),
            })
            .collect()
    }
}
