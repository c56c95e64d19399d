//! The realtime voice port: a live, two-way spoken conversation with a speech-to-speech model.
//! The core configures the session (instructions, what to ask); the adapter streams audio and
//! reports typed events. No driver type crosses it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

mod audio;

pub use audio::{Base64Audio, InvalidAudio};

use super::ProviderError;
use crate::rules::cost::RealtimeUsage;
use crate::rules::ladder::Evaluation;
use crate::rules::memory::MemoryMessage;

/// Who decides that the candidate finished speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnDetection {
    /// Push-to-talk: the client commits the audio.
    #[default]
    None,
    /// The upstream's voice-activity detection ends turns.
    ServerVad,
}

/// How the core wants a realtime session set up.
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeSessionConfig {
    /// What the interviewer is and does, including the question to ask now.
    pub instructions: String,
    /// The conversation so far (the memory window), to seed a new or rolled-over session.
    pub history: Vec<MemoryMessage>,
    /// The text the interviewer must say first (the greeting and first question, or the pending
    /// question again on a resumed interview).
    pub opening: String,
    pub turn_detection: TurnDetection,
}

/// What happened upstream.
#[derive(Debug, Clone, PartialEq)]
pub enum RealtimeEvent {
    /// Interviewer audio as it is generated: PCM16, 24 kHz, mono, little-endian, as the
    /// upstream sent it (base64, checked), so it reaches the client without being re-encoded.
    AudioDelta { audio: Base64Audio },
    /// Text of the interviewer's speech as it is generated.
    TranscriptDelta { text: String },
    /// The interviewer finished a spoken reply; `transcript` is what it said.
    ResponseDone {
        transcript: String,
        usage: RealtimeUsage,
    },
    /// The candidate's turn, transcribed; `item_id` names it upstream (the same turn seen twice
    /// has the same id).
    CandidateTranscript { item_id: String, text: String },
    /// The model judged the candidate's last answer (its `evaluate_candidate_answer` tool).
    Evaluation {
        call_id: String,
        evaluation: Evaluation,
    },
    /// The candidate started speaking (server voice-activity detection).
    SpeechStarted,
    /// The upstream session ended (its time limit, a disconnect); a new one can take over.
    Closed,
}

/// The sending half of a session. Every method only queues work for the connection, so it can be
/// called while the events are being read.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait RealtimeSender: Send + Sync {
    /// Appends candidate audio (PCM16, 24 kHz, mono, little-endian), as base64 the caller
    /// checked, so it reaches the upstream without being decoded and re-encoded.
    ///
    /// # Errors
    /// [`ProviderError::Unavailable`] when the session is gone.
    async fn send_audio(&self, audio: Base64Audio) -> Result<(), ProviderError>;

    /// The candidate finished speaking (push-to-talk).
    ///
    /// # Errors
    /// [`ProviderError::Unavailable`] when the session is gone.
    async fn commit(&self) -> Result<(), ProviderError>;

    /// Stops the interviewer's current speech; `played_ms` of it were heard, the rest is
    /// dropped from the conversation.
    ///
    /// # Errors
    /// [`ProviderError::Unavailable`] when the session is gone.
    async fn interrupt(&self, played_ms: Option<u32>) -> Result<(), ProviderError>;

    /// Answers the model's evaluation call (when it made one) and has the interviewer say `text`
    /// word for word.
    ///
    /// # Errors
    /// [`ProviderError::Unavailable`] when the session is gone.
    async fn say(&self, call_id: Option<String>, text: String) -> Result<(), ProviderError>;

    /// Ends the session.
    async fn close(&self);
}

/// The receiving half of a session.
#[async_trait]
pub trait RealtimeEvents: Send {
    /// The next event; `None` once the session is over.
    ///
    /// # Errors
    /// A [`ProviderError`] the upstream reported; the session may go on.
    async fn next(&mut self) -> Option<Result<RealtimeEvent, ProviderError>>;
}

/// An open session, split so audio can flow both ways at once.
pub struct RealtimeSession {
    pub sender: Box<dyn RealtimeSender>,
    pub events: Box<dyn RealtimeEvents>,
}

/// A realtime speech-to-speech provider.
#[async_trait]
pub trait RealtimeVoice: Send + Sync {
    /// Opens a session configured by the core.
    ///
    /// # Errors
    /// [`ProviderError::Unavailable`] / [`ProviderError::RateLimited`] when the upstream cannot
    /// be reached (after the adapter's bounded retries); [`ProviderError::NotSupported`] without
    /// a realtime provider.
    async fn connect(
        &self,
        config: RealtimeSessionConfig,
    ) -> Result<RealtimeSession, ProviderError>;
}
