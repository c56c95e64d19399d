//! The interview engine shared by every mode: text, legacy voice and realtime only change how
//! words arrive and leave (a [`TurnInput`]), never the rules applied.
//!
//! `start` opens an interview; `answer` runs a turn (`turn` holds its pure steps, `commit`
//! writes it); `voice` turns recordings into answers and speaks replies; `queries` reads;
//! `access` says who may do what; `errors` has one enum per operation.

pub mod access;
mod answer;
pub mod commands;
mod commit;
pub mod errors;
mod queries;
pub mod realtime;
pub mod settings;
mod start;
pub mod stored;
pub mod turn;
mod voice;

use std::sync::Arc;

pub use commands::{
    AnswerAudio, AnswerOutcome, AnswerSource, CompletionSummary, RecoveryView, SessionSnapshot,
    StartInterview, Started, StoredAudio, SubmitVoiceAnswer, Transcript, TurnInput,
};
pub use errors::{AnswerError, CompleteError, ReadError, StartError};
pub use realtime::{RealtimeAnswer, RealtimeOpening};
pub use settings::InterviewSettings;

use crate::actor::Actor;
use crate::ids::InterviewId;
use crate::interview::access::{Access, permits};
use crate::ports::{
    BlobStore, Clock, InterviewRecord, InterviewRepository, InterviewerModel, SpeechSynthesizer,
    Transcriber,
};

/// The speech side of the platform: absent when the provider has none (offline).
#[derive(Clone)]
pub struct SpeechServices {
    pub transcriber: Arc<dyn Transcriber>,
    pub synthesizer: Arc<dyn SpeechSynthesizer>,
    pub blobs: Arc<dyn BlobStore>,
    /// ISO-639-1 language of the interviews.
    pub language: String,
}

pub struct InterviewService {
    interviews: Arc<dyn InterviewRepository>,
    interviewer: Arc<dyn InterviewerModel>,
    clock: Arc<dyn Clock>,
    settings: InterviewSettings,
    speech: Option<SpeechServices>,
}

impl InterviewService {
    pub fn new(
        interviews: Arc<dyn InterviewRepository>,
        interviewer: Arc<dyn InterviewerModel>,
        clock: Arc<dyn Clock>,
        settings: InterviewSettings,
    ) -> Self {
        Self {
            interviews,
            interviewer,
            clock,
            settings,
            speech: None,
        }
    }

    /// Enables voice: recorded answers, spoken replies and their stored audio.
    #[must_use]
    pub fn with_speech(mut self, speech: SpeechServices) -> Self {
        self.speech = Some(speech);
        self
    }

    pub fn settings(&self) -> &InterviewSettings {
        &self.settings
    }

    pub fn speech_enabled(&self) -> bool {
        self.speech.is_some()
    }

    /// The interview, if `actor` may `access` it; otherwise it does not exist for them.
    async fn load_for(
        &self,
        interview_id: InterviewId,
        actor: &Actor,
        access: Access,
    ) -> Result<InterviewRecord, errors::ReadError> {
        match self.interviews.load(interview_id).await? {
            Some(record) if permits(actor, &record.interview, access) => Ok(record),
            _ => Err(errors::ReadError::NotFound),
        }
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod service_tests;
