//! The interview engine shared by every mode: text, legacy voice and realtime only change how
//! words arrive and leave, never the rules applied here.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use thiserror::Error;

use crate::cost::{Budget, ChatUsage, Pricing};
use crate::ids::{CandidateId, InterviewId, MessageId, ResumeId, SessionId};
use crate::ladder::{DifficultyLevel, LadderSettings, ProgressionState, SkillArea, SkillBoundary};
use crate::lifecycle::{CompletionReason, CompletionSettings, InterviewStatus};
use crate::memory::{ConversationMemory, MemorySettings, Speaker};
use crate::model::{
    AudioMetadata, Interview, InterviewMessage, InterviewMode, InterviewSession, MessageType,
    PendingQuestion, RoleType,
};
use crate::ports::{
    AudioClip, AudioFormat, BlobError, BlobRef, BlobStore, ClientKey, Clock, EvaluationRequest,
    InterviewRecord, InterviewRepository, InterviewerModel, MessagePage, ProviderError,
    QuestionFocus, QuestionRequest, RepositoryError, SpeechSynthesizer, StoredAnswer, Transcriber,
    TurnWrite,
};

/// Every tunable of the engine, with the product defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterviewSettings {
    pub ladder: LadderSettings,
    pub completion: CompletionSettings,
    pub memory: MemorySettings,
    pub pricing: Pricing,
    pub budget: Budget,
    /// Output allowance of one interviewer call; the budget check assumes all of it is used.
    pub max_output_tokens: u64,
    pub max_answer_characters: usize,
}

impl Default for InterviewSettings {
    fn default() -> Self {
        Self {
            ladder: LadderSettings::default(),
            completion: CompletionSettings::default(),
            memory: MemorySettings::default(),
            pricing: Pricing::default(),
            budget: Budget::default(),
            max_output_tokens: 600,
            max_answer_characters: 10_000,
        }
    }
}

/// Failures of the interview service, mapped to HTTP by the server in one place.
#[derive(Debug, Error)]
pub enum InterviewError {
    /// No such interview, or it belongs to someone else (never revealed).
    #[error("interview not found")]
    NotFound,
    /// The interview's status does not allow the operation.
    #[error("the interview is {status}")]
    InvalidState { status: InterviewStatus },
    /// The question was already answered, or answered concurrently.
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    /// Even the opening question would cross the budget.
    #[error("the interview budget is exhausted")]
    BudgetExhausted,
    #[error("the AI provider is rate limiting requests")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the AI provider is unavailable: {message}")]
    AiUnavailable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The configured provider has no speech (the offline interviewer).
    #[error("{0}")]
    SpeechUnavailable(String),
    /// The recording could not be transcribed for now; nothing was stored, the candidate may
    /// send it again.
    #[error("transcription is unavailable: {message}")]
    TranscriptionUnavailable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The recording is empty, undecodable or holds no speech.
    #[error("{0}")]
    AudioRejected(String),
    #[error("storage is unavailable: {0}")]
    StorageUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<RepositoryError> for InterviewError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => Self::NotFound,
            RepositoryError::Conflict(message) | RepositoryError::Duplicate(message) => {
                Self::Conflict(message)
            }
            RepositoryError::Unavailable(message) => Self::StorageUnavailable(message),
            RepositoryError::Corrupt(message) => Self::Internal(message),
            RepositoryError::Unknown(source) => Self::Internal(source.to_string()),
        }
    }
}

impl From<BlobError> for InterviewError {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::NotFound => Self::NotFound,
            BlobError::Unavailable(message) => Self::StorageUnavailable(message),
            BlobError::Unknown(source) => Self::StorageUnavailable(source.to_string()),
        }
    }
}

impl From<ProviderError> for InterviewError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::RateLimited { retry_after } => Self::RateLimited { retry_after },
            ProviderError::Unavailable {
                message,
                retry_after,
            } => Self::AiUnavailable {
                message,
                retry_after,
            },
            other @ (ProviderError::Rejected(_)
            | ProviderError::InvalidResponse(_)
            | ProviderError::NotSupported(_)) => Self::AiUnavailable {
                message: other.to_string(),
                retry_after: None,
            },
        }
    }
}

/// The parts of the session a client sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSnapshot {
    pub current_difficulty: DifficultyLevel,
    pub questions_asked_count: i32,
    pub skill_boundaries: Vec<SkillBoundary>,
    pub skills_explored: Vec<SkillArea>,
}

impl From<&InterviewSession> for SessionSnapshot {
    fn from(session: &InterviewSession) -> Self {
        Self {
            current_difficulty: session.current_difficulty,
            questions_asked_count: session.questions_asked_count,
            skill_boundaries: session.skill_boundaries.values().cloned().collect(),
            skills_explored: session.progression.skills_explored.clone(),
        }
    }
}

pub struct StartInterview {
    pub candidate_id: CandidateId,
    pub role: RoleType,
    pub mode: InterviewMode,
    pub resume_id: Option<ResumeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub interview: Interview,
    pub session: SessionSnapshot,
    pub first_question: InterviewMessage,
}

/// Audio behind a spoken answer, already stored and transcribed.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerAudio {
    /// The id of the candidate message, which names the stored audio.
    pub message_id: MessageId,
    pub audio_url: String,
    pub metadata: AudioMetadata,
    pub transcription_cost_usd: Decimal,
    /// Speech units (audio seconds) to add to the interview's counter.
    pub speech_units: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubmitAnswer {
    pub interview_id: InterviewId,
    pub candidate_id: CandidateId,
    pub text: String,
    /// Sequence number of the question answered; defaults to the pending one.
    pub in_reply_to: Option<i32>,
    pub client_key: Option<ClientKey>,
    pub audio: Option<AnswerAudio>,
}

/// A recorded answer (the legacy voice pipeline): transcribed, then answered like text.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitVoiceAnswer {
    pub interview_id: InterviewId,
    pub candidate_id: CandidateId,
    pub clip: AudioClip,
    /// What the caller learned of the recording (format, codec, sample rate, size).
    pub recording: AudioMetadata,
    pub in_reply_to: Option<i32>,
    pub client_key: Option<ClientKey>,
}

/// Stored audio of one message, found and sized; read it with [`InterviewService::read_audio`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudio {
    pub format: AudioFormat,
    pub size: u64,
    blob: BlobRef,
}

/// The speech side of the platform: absent when the provider has none (offline).
#[derive(Clone)]
pub struct SpeechServices {
    pub transcriber: Arc<dyn Transcriber>,
    pub synthesizer: Arc<dyn SpeechSynthesizer>,
    pub blobs: Arc<dyn BlobStore>,
    /// ISO-639-1 language of the interviews.
    pub language: String,
}

/// What a turn was computed from: the session version to check and the interview as loaded.
struct TurnBase {
    expected_version: i64,
    interview: Interview,
}

/// Where a client fetches a message's audio; the server routes this path.
pub fn message_audio_path(interview: InterviewId, message: MessageId) -> String {
    format!(
        "/api/v1/interviews/{}/messages/{}/audio",
        interview.as_uuid(),
        message.as_uuid()
    )
}

/// A rough upper estimate of a recording's length from its size, for the budget check that
/// runs before paying for its transcription (32 kbit/s: compressed speech is rarely smaller).
fn estimated_audio_seconds(bytes: usize) -> f64 {
    bytes as f64 / 4_000.0
}

const SPEECH_UNAVAILABLE: &str = "voice answers need an AI provider with speech; the configured one has none (set \
     OPENAI_API_KEY, or answer by text)";

/// The result of one answer; stored under the client key and replayed verbatim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerOutcome {
    pub message_id: MessageId,
    pub transcript: String,
    pub ai_message_id: MessageId,
    pub ai_response: String,
    /// Sequence number of the AI message: the `in_reply_to` of the next answer.
    pub ai_sequence_number: i32,
    pub ai_audio_url: Option<String>,
    pub question_number: i32,
    pub total_questions: i32,
    pub interview_complete: bool,
    pub completion_reason: Option<CompletionReason>,
    pub session_state: SessionSnapshot,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompletionSummary {
    pub interview: Interview,
    pub questions_answered: u32,
    pub skill_boundaries_identified: usize,
}

/// What a client needs to pick an interview up again.
#[allow(clippy::large_enum_variant)] // built once per request, never stored in bulk
#[derive(Debug, Clone, PartialEq)]
pub enum RecoveryView {
    Scheduled {
        interview: Interview,
    },
    InProgress {
        interview: Interview,
        last_question: Option<InterviewMessage>,
        session: SessionSnapshot,
    },
    Completed {
        interview: Interview,
    },
    Abandoned {
        interview: Interview,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub interview: Interview,
    pub messages: Vec<InterviewMessage>,
}

pub struct InterviewService {
    interviews: Arc<dyn InterviewRepository>,
    interviewer: Arc<dyn InterviewerModel>,
    clock: Arc<dyn Clock>,
    settings: InterviewSettings,
    speech: Option<SpeechServices>,
}

fn closing_remark(reason: CompletionReason) -> &'static str {
    match reason {
        CompletionReason::BudgetExhausted => {
            "Thank you for your answers. We have reached the limit set for this interview, so we \
             will stop here; your answers so far have been recorded."
        }
        CompletionReason::TimeLimit => {
            "Thank you, we have reached the time limit for this interview. Your answers have been \
             recorded."
        }
        _ => {
            "Thank you, that concludes the interview. Your answers have been recorded and will be \
             reviewed."
        }
    }
}

fn seconds_between(earlier: DateTime<Utc>, later: DateTime<Utc>) -> f64 {
    (later - earlier).num_milliseconds().max(0) as f64 / 1000.0
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

    /// Whether voice can be used at all: `SpeechUnavailable` without a speech provider. Lets a
    /// caller refuse a recording before reading it.
    ///
    /// # Errors
    /// [`InterviewError::SpeechUnavailable`].
    pub fn ensure_speech(&self) -> Result<(), InterviewError> {
        self.speech().map(|_| ())
    }

    fn speech(&self) -> Result<&SpeechServices, InterviewError> {
        self.speech
            .as_ref()
            .ok_or_else(|| InterviewError::SpeechUnavailable(SPEECH_UNAVAILABLE.into()))
    }

    /// Speaks an interviewer message and stores the audio, when the budget allows. A failure
    /// leaves the message as text: the turn matters more than its audio.
    async fn voice_reply(&self, interview: &mut Interview, message: &mut InterviewMessage) {
        let Some(speech) = &self.speech else {
            return;
        };
        let note = self
            .speak(speech, interview, message)
            .await
            .unwrap_or_else(|skipped| skipped);
        if let Some(metadata) = message.metadata.as_object_mut() {
            metadata.insert("speech".into(), note);
        }
    }

    /// Synthesizes and stores `message`, charging the interview: the metadata note on success,
    /// or the note saying why it was skipped.
    async fn speak(
        &self,
        speech: &SpeechServices,
        interview: &mut Interview,
        message: &mut InterviewMessage,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let characters = message.content_text.chars().count() as u64;
        let estimate = self.settings.pricing.speech_cost(characters);
        if !self.settings.budget.allows(&interview.costs(), estimate) {
            return Err(json!({ "skipped": "budget_exhausted" }));
        }
        let audio = speech
            .synthesizer
            .synthesize(&message.content_text)
            .await
            .map_err(|error| json!({ "skipped": "speech_failed", "error": error.to_string() }))?;
        let blob = BlobRef::MessageAudio {
            interview: interview.id,
            message: message.id,
            format: audio.format,
        };
        let size = audio.bytes.len() as u64;
        speech.blobs.put(&blob, audio.bytes).await.map_err(
            |error| json!({ "skipped": "storage_unavailable", "error": error.to_string() }),
        )?;
        let cost = self.settings.pricing.speech_cost(audio.characters);
        interview.speech_cost_usd += cost;
        interview.speech_tokens_used += i64::try_from(audio.characters).unwrap_or(i64::MAX);
        message.audio_url = Some(message_audio_path(interview.id, message.id));
        message.audio_metadata = Some(AudioMetadata {
            format: Some(audio.format),
            size_bytes: Some(size),
            ..AudioMetadata::default()
        });
        Ok(json!({ "characters": audio.characters, "cost_usd": cost }))
    }

    /// Best-effort removal of audio stored for a turn that was not written.
    async fn discard_audio(&self, messages: &[InterviewMessage]) {
        let Some(speech) = &self.speech else {
            return;
        };
        for message in messages {
            if let Some(blob) = blob_of(message) {
                // an orphaned blob is harmless; the turn's outcome is what matters
                let _ = speech.blobs.delete(&blob).await;
            }
        }
    }

    fn total_questions(&self) -> i32 {
        i32::try_from(self.settings.completion.max_questions).unwrap_or(i32::MAX)
    }

    /// Whether the next interviewer call, with a prompt of about `prompt_characters`, fits the
    /// interview's remaining budget.
    fn affordable(&self, interview: &Interview, model: &str, prompt_characters: usize) -> bool {
        let estimate = self.settings.pricing.estimate_chat_cost(
            model,
            prompt_characters,
            self.settings.max_output_tokens,
        );
        self.settings.budget.allows(&interview.costs(), estimate)
    }

    fn charge(&self, interview: &mut Interview, usage: &ChatUsage) -> Decimal {
        let cost = self.settings.pricing.chat_cost(usage);
        interview.cost_usd += cost;
        interview.total_tokens_used += i64::try_from(usage.total_tokens()).unwrap_or(i64::MAX);
        interview.ai_model_used = Some(usage.model.clone());
        cost
    }

    async fn load_owned(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
    ) -> Result<InterviewRecord, InterviewError> {
        match self.interviews.load(interview_id).await? {
            Some(record) if record.interview.candidate_id == candidate_id => Ok(record),
            _ => Err(InterviewError::NotFound),
        }
    }

    /// Creates an interview and asks its opening question.
    ///
    /// # Errors
    /// Provider and storage failures; nothing is stored unless the whole start succeeds.
    pub async fn start(&self, command: StartInterview) -> Result<Started, InterviewError> {
        if command.mode == InterviewMode::LegacyVoice {
            self.speech()?;
        }
        let now = self.clock.now();
        let model = self.interviewer.model_name();
        let mut interview = Interview {
            id: InterviewId::new(),
            candidate_id: command.candidate_id,
            resume_id: command.resume_id,
            role_type: command.role,
            mode: command.mode,
            status: InterviewStatus::Scheduled,
            started_at: None,
            completed_at: None,
            duration_seconds: None,
            completion_reason: None,
            ai_model_used: Some(model.clone()),
            total_tokens_used: 0,
            cost_usd: Decimal::ZERO,
            speech_tokens_used: 0,
            speech_cost_usd: Decimal::ZERO,
            realtime_cost_usd: Decimal::ZERO,
            tech_check_metadata: None,
            video_recording_url: None,
            video_recording_consent: false,
            video_recording_status: None,
            created_at: now,
        };
        if !self.affordable(&interview, &model, 0) {
            return Err(InterviewError::BudgetExhausted);
        }
        let request = QuestionRequest {
            role: command.role,
            level: DifficultyLevel::Warmup,
            focus: QuestionFocus::Explore(None),
            skills_explored: Vec::new(),
            asked_questions: Vec::new(),
            memory: Vec::new(),
            question_number: 1,
        };
        let generated = self.interviewer.first_question(&request).await?;
        let cost = self.charge(&mut interview, &generated.usage);
        interview.status = interview
            .status
            .transition(InterviewStatus::InProgress)
            .map_err(|error| InterviewError::Internal(error.to_string()))?;
        interview.started_at = Some(now);

        let session_id = SessionId::new();
        let question = generated.value;
        let mut memory = ConversationMemory::default();
        memory.push(self.settings.memory, Speaker::Interviewer, &question.text);
        let mut first_question = InterviewMessage {
            id: MessageId::new(),
            interview_id: interview.id,
            session_id,
            sequence_number: 1,
            message_type: MessageType::AiQuestion,
            content_text: question.text.clone(),
            audio_url: None,
            audio_duration_seconds: None,
            audio_metadata: None,
            response_time_seconds: None,
            metadata: json!({
                "kind": "question",
                "skill": question.skill,
                "level": question.level,
                "usage": generated.usage,
                "cost_usd": cost,
            }),
            created_at: now,
        };
        let session = InterviewSession {
            id: session_id,
            interview_id: interview.id,
            current_difficulty: DifficultyLevel::Warmup,
            questions_asked_count: 1,
            skill_boundaries: std::collections::BTreeMap::new(),
            progression: ProgressionState {
                asked_questions: vec![question.text.clone()],
                ..ProgressionState::default()
            },
            memory,
            pending_question: Some(PendingQuestion {
                sequence_number: 1,
                skill: question.skill,
                level: DifficultyLevel::Warmup,
                asked_at: now,
            }),
            last_activity_at: now,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        if interview.mode == InterviewMode::LegacyVoice {
            self.voice_reply(&mut interview, &mut first_question).await;
        }
        if let Err(error) = self
            .interviews
            .create(&interview, &session, &first_question)
            .await
        {
            self.discard_audio(std::slice::from_ref(&first_question))
                .await;
            return Err(error.into());
        }
        Ok(Started {
            session: SessionSnapshot::from(&session),
            interview,
            first_question,
        })
    }

    /// Records an answer, evaluates it, moves the ladder and asks the next question (or ends the
    /// interview). Exactly once: a retry with the same client key returns the stored outcome.
    ///
    /// # Errors
    /// [`InterviewError::Conflict`] when the question was already answered (or is being answered
    /// concurrently); provider and storage failures leave stored state untouched.
    pub async fn answer(&self, command: SubmitAnswer) -> Result<AnswerOutcome, InterviewError> {
        self.answer_turn(command, false).await
    }

    /// Takes a recorded answer: checks it can be answered, transcribes it, stores the audio
    /// and answers the transcript like text. A failed transcription stores nothing.
    ///
    /// # Errors
    /// [`InterviewError::SpeechUnavailable`] without a speech provider;
    /// [`InterviewError::TranscriptionUnavailable`] when transcription failed for now;
    /// [`InterviewError::AudioRejected`] when the recording holds no usable speech; and every
    /// error of [`Self::answer`].
    pub async fn answer_voice(
        &self,
        command: SubmitVoiceAnswer,
    ) -> Result<AnswerOutcome, InterviewError> {
        let speech = self.speech()?;
        if command.clip.bytes.is_empty() {
            return Err(InterviewError::AudioRejected(
                "the recording is empty".into(),
            ));
        }
        let record = self
            .load_owned(command.interview_id, command.candidate_id)
            .await?;
        if let Some(key) = &command.client_key
            && let Some(stored) = self
                .interviews
                .stored_answer(command.interview_id, key)
                .await?
        {
            // the same key is the same recording: answer as the first time, without paying
            // for its transcription again
            return Ok(stored);
        }
        open_question(&record, command.in_reply_to)?;

        let message_id = MessageId::new();
        let estimate = self
            .settings
            .pricing
            .transcription_cost(estimated_audio_seconds(command.clip.bytes.len()));
        let mut metadata = AudioMetadata {
            format: Some(command.clip.format),
            size_bytes: Some(command.clip.bytes.len() as u64),
            ..command.recording.clone()
        };
        let (text, transcription_cost, budget_exhausted) = if self
            .settings
            .budget
            .allows(&record.interview.costs(), estimate)
        {
            let started = std::time::Instant::now();
            let transcription = speech
                .transcriber
                .transcribe(&command.clip, &speech.language)
                .await
                .map_err(transcription_error)?;
            let elapsed = started.elapsed();
            if transcription.text.trim().is_empty() {
                return Err(InterviewError::AudioRejected(
                    "no speech was recognised in the recording".into(),
                ));
            }
            metadata.duration_seconds = Some(transcription.duration_seconds);
            metadata.transcription_ms =
                Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX));
            metadata.confidence = transcription.confidence;
            let cost = self
                .settings
                .pricing
                .transcription_cost(transcription.duration_seconds);
            (transcription.text, cost, false)
        } else {
            (
                "[recorded answer not transcribed: the interview budget is exhausted]".to_owned(),
                Decimal::ZERO,
                true,
            )
        };
        let blob = BlobRef::MessageAudio {
            interview: command.interview_id,
            message: message_id,
            format: command.clip.format,
        };
        speech.blobs.put(&blob, command.clip.bytes).await?;
        let audio = AnswerAudio {
            message_id,
            audio_url: message_audio_path(command.interview_id, message_id),
            speech_units: metadata
                .duration_seconds
                .map_or(0, |seconds| seconds.ceil() as i64),
            metadata,
            transcription_cost_usd: transcription_cost,
        };
        let outcome = self
            .answer_turn(
                SubmitAnswer {
                    interview_id: command.interview_id,
                    candidate_id: command.candidate_id,
                    text,
                    in_reply_to: command.in_reply_to,
                    client_key: command.client_key,
                    audio: Some(audio),
                },
                budget_exhausted,
            )
            .await;
        if outcome.is_err() {
            let _ = speech.blobs.delete(&blob).await;
        }
        outcome
    }

    /// The stored audio of a message of the candidate's interview: its format and size.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] for someone else's interview, an unknown message or a
    /// message without audio.
    pub async fn message_audio(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
        message_id: MessageId,
    ) -> Result<StoredAudio, InterviewError> {
        self.load_owned(interview_id, candidate_id).await?;
        let page = self.interviews.messages(interview_id, 0, None).await?;
        let blob = page
            .messages
            .iter()
            .find(|message| message.id == message_id)
            .and_then(blob_of)
            .ok_or(InterviewError::NotFound)?;
        let BlobRef::MessageAudio { format, .. } = blob;
        let speech = self.speech.as_ref().ok_or(InterviewError::NotFound)?;
        let size = speech.blobs.size(&blob).await?;
        Ok(StoredAudio { format, size, blob })
    }

    /// Bytes `range` (end exclusive) of audio found by [`Self::message_audio`]; only what is
    /// asked is read from the store.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] when the audio is gone; storage failures.
    pub async fn read_audio(
        &self,
        audio: &StoredAudio,
        range: std::ops::Range<u64>,
    ) -> Result<Vec<u8>, InterviewError> {
        let speech = self.speech.as_ref().ok_or(InterviewError::NotFound)?;
        Ok(speech.blobs.get_range(&audio.blob, range).await?)
    }

    async fn answer_turn(
        &self,
        command: SubmitAnswer,
        budget_exhausted: bool,
    ) -> Result<AnswerOutcome, InterviewError> {
        let text = command.text.trim().to_owned();
        if text.is_empty() {
            return Err(InterviewError::Validation {
                field: "message_text",
                message: "the answer must not be empty".into(),
            });
        }
        if text.chars().count() > self.settings.max_answer_characters {
            return Err(InterviewError::Validation {
                field: "message_text",
                message: format!(
                    "the answer must be at most {} characters",
                    self.settings.max_answer_characters
                ),
            });
        }
        let record = self
            .load_owned(command.interview_id, command.candidate_id)
            .await?;
        // A request that names the open question of a running interview cannot be a retry of
        // a turn already stored, so the key lookup is only needed otherwise (and on a conflict).
        let answers_open_question = record.interview.status == InterviewStatus::InProgress
            && command.in_reply_to.is_some()
            && command.in_reply_to
                == record
                    .session
                    .pending_question
                    .as_ref()
                    .map(|pending| pending.sequence_number);
        if let Some(key) = &command.client_key
            && !answers_open_question
            && let Some(stored) = self
                .interviews
                .stored_answer(command.interview_id, key)
                .await?
        {
            return replay(stored, &text);
        }
        let pending = open_question(&record, command.in_reply_to)?;
        let InterviewRecord {
            mut interview,
            mut session,
        } = record;
        let now = self.clock.now();
        let base = TurnBase {
            expected_version: session.version,
            interview: interview.clone(),
        };
        if self
            .settings
            .completion
            .is_inactive(session.last_activity_at, now)
        {
            self.abandon(&mut interview, &mut session, now).await?;
            return Err(InterviewError::InvalidState {
                status: InterviewStatus::Abandoned,
            });
        }

        let model = self.interviewer.model_name();
        let question_text = session
            .memory
            .messages()
            .iter()
            .rev()
            .find(|message| message.speaker == Speaker::Interviewer)
            .map(|message| message.text.clone())
            .unwrap_or_default();
        let answered = u32::try_from(session.questions_asked_count).unwrap_or(0);
        let mut answer_message = InterviewMessage {
            id: command
                .audio
                .as_ref()
                .map_or_else(MessageId::new, |audio| audio.message_id),
            interview_id: interview.id,
            session_id: session.id,
            sequence_number: pending.sequence_number + 1,
            message_type: MessageType::CandidateResponse,
            content_text: text.clone(),
            audio_url: None,
            audio_duration_seconds: None,
            audio_metadata: None,
            response_time_seconds: Some(seconds_between(pending.asked_at, now)),
            metadata: json!({ "skill": pending.skill, "level": pending.level }),
            created_at: now,
        };
        if let Some(audio) = &command.audio {
            answer_message.audio_url = Some(audio.audio_url.clone());
            answer_message.audio_duration_seconds = audio.metadata.duration_seconds;
            answer_message.audio_metadata = Some(audio.metadata.clone());
            interview.speech_cost_usd += audio.transcription_cost_usd;
            interview.speech_tokens_used += audio.speech_units;
        }
        let prompt_characters = question_text.len()
            + text.len()
            + session
                .memory
                .messages()
                .iter()
                .map(|message| message.text.len())
                .sum::<usize>();

        let completion =
            if !budget_exhausted && self.affordable(&interview, &model, prompt_characters) {
                let evaluation_request = EvaluationRequest {
                    role: interview.role_type,
                    level: pending.level,
                    skill: pending.skill.clone(),
                    question: question_text,
                    answer: text.clone(),
                    memory: session.memory.messages().to_vec(),
                };
                let evaluated = self.interviewer.evaluate(&evaluation_request).await?;
                let cost = self.charge(&mut interview, &evaluated.usage);
                let step = session.progression.apply(
                    &self.settings.ladder,
                    pending.level,
                    &pending.skill,
                    &evaluated.value,
                    answered,
                    now,
                );
                for boundary in &step.boundaries {
                    session
                        .skill_boundaries
                        .insert(boundary.skill.clone(), boundary.clone());
                }
                session.current_difficulty = step.to;
                answer_message.metadata = json!({
                    "skill": pending.skill,
                    "level": pending.level,
                    "evaluation": evaluated.value,
                    "composite": step.composite,
                    "movement": step.movement,
                    "next_level": step.to,
                    "boundaries": step.boundaries,
                    "usage": evaluated.usage,
                    "cost_usd": cost,
                });
                if let (Some(audio), Some(metadata)) =
                    (&command.audio, answer_message.metadata.as_object_mut())
                {
                    metadata.insert(
                        "transcription".into(),
                        json!({
                            "audio_seconds": audio.metadata.duration_seconds,
                            "cost_usd": audio.transcription_cost_usd,
                        }),
                    );
                }
                let finished = self.settings.completion.completion_reason(
                    interview.role_type,
                    answered,
                    session.skill_boundaries.values(),
                    interview.started_at.unwrap_or(interview.created_at),
                    now,
                );
                session
                    .memory
                    .push(self.settings.memory, Speaker::Candidate, &text);
                if finished.is_some() {
                    finished
                } else if !self.affordable(&interview, &model, prompt_characters) {
                    Some(CompletionReason::BudgetExhausted)
                } else {
                    let focus = if step.probe_same_skill {
                        QuestionFocus::Probe(pending.skill.clone())
                    } else {
                        QuestionFocus::Explore(Some(pending.skill.clone()))
                    };
                    let request = QuestionRequest {
                        role: interview.role_type,
                        level: step.to,
                        focus,
                        skills_explored: session.progression.skills_explored.clone(),
                        asked_questions: session.progression.asked_questions.clone(),
                        memory: session.memory.messages().to_vec(),
                        question_number: answered + 1,
                    };
                    let generated = self.interviewer.next_question(&request).await?;
                    let question_cost = self.charge(&mut interview, &generated.usage);
                    return self
                        .commit_question(
                            command.client_key,
                            interview,
                            session,
                            &base,
                            answer_message,
                            generated.value,
                            json!({ "usage": generated.usage, "cost_usd": question_cost }),
                            now,
                        )
                        .await;
                }
            } else {
                Some(CompletionReason::BudgetExhausted)
            };
        let reason = completion.unwrap_or(CompletionReason::MaxQuestions);
        self.commit_closing(
            command.client_key,
            interview,
            session,
            &base,
            answer_message,
            reason,
            now,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn commit_question(
        &self,
        client_key: Option<ClientKey>,
        interview: Interview,
        mut session: InterviewSession,
        base: &TurnBase,
        answer_message: InterviewMessage,
        question: crate::ports::Question,
        usage_metadata: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome, InterviewError> {
        let sequence_number = answer_message.sequence_number + 1;
        let mut metadata = json!({
            "kind": "question",
            "skill": question.skill,
            "level": question.level,
        });
        if let (Some(target), Some(extra)) = (metadata.as_object_mut(), usage_metadata.as_object())
        {
            target.extend(extra.clone());
        }
        let question_message = InterviewMessage {
            id: MessageId::new(),
            interview_id: interview.id,
            session_id: session.id,
            sequence_number,
            message_type: MessageType::AiQuestion,
            content_text: question.text.clone(),
            audio_url: None,
            audio_duration_seconds: None,
            audio_metadata: None,
            response_time_seconds: None,
            metadata,
            created_at: now,
        };
        session
            .memory
            .push(self.settings.memory, Speaker::Interviewer, &question.text);
        session
            .progression
            .asked_questions
            .push(question.text.clone());
        session.questions_asked_count += 1;
        session.pending_question = Some(PendingQuestion {
            sequence_number,
            skill: question.skill,
            level: question.level,
            asked_at: now,
        });
        let outcome = AnswerOutcome {
            message_id: answer_message.id,
            transcript: answer_message.content_text.clone(),
            ai_message_id: question_message.id,
            ai_response: question_message.content_text.clone(),
            ai_sequence_number: question_message.sequence_number,
            ai_audio_url: None,
            question_number: session.questions_asked_count,
            total_questions: self.total_questions(),
            interview_complete: false,
            completion_reason: None,
            session_state: SessionSnapshot::from(&session),
        };
        self.commit(
            client_key,
            interview,
            session,
            base,
            vec![answer_message, question_message],
            outcome,
            now,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn commit_closing(
        &self,
        client_key: Option<ClientKey>,
        mut interview: Interview,
        mut session: InterviewSession,
        base: &TurnBase,
        answer_message: InterviewMessage,
        reason: CompletionReason,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome, InterviewError> {
        finish(&mut interview, reason, now)?;
        session.pending_question = None;
        let closing = InterviewMessage {
            id: MessageId::new(),
            interview_id: interview.id,
            session_id: session.id,
            sequence_number: answer_message.sequence_number + 1,
            message_type: MessageType::AiQuestion,
            content_text: closing_remark(reason).to_owned(),
            audio_url: None,
            audio_duration_seconds: None,
            audio_metadata: None,
            response_time_seconds: None,
            metadata: json!({ "kind": "closing", "completion_reason": reason }),
            created_at: now,
        };
        let outcome = AnswerOutcome {
            message_id: answer_message.id,
            transcript: answer_message.content_text.clone(),
            ai_message_id: closing.id,
            ai_response: closing.content_text.clone(),
            ai_sequence_number: closing.sequence_number,
            ai_audio_url: None,
            question_number: session.questions_asked_count,
            total_questions: self.total_questions(),
            interview_complete: true,
            completion_reason: Some(reason),
            session_state: SessionSnapshot::from(&session),
        };
        self.commit(
            client_key,
            interview,
            session,
            base,
            vec![answer_message, closing],
            outcome,
            now,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn commit(
        &self,
        client_key: Option<ClientKey>,
        mut interview: Interview,
        mut session: InterviewSession,
        base: &TurnBase,
        mut messages: Vec<InterviewMessage>,
        mut outcome: AnswerOutcome,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome, InterviewError> {
        let spoken = interview.mode == InterviewMode::LegacyVoice
            || messages.iter().any(|message| message.audio_url.is_some());
        if spoken && let Some(reply) = messages.last_mut() {
            self.voice_reply(&mut interview, reply).await;
            outcome.ai_audio_url.clone_from(&reply.audio_url);
        }
        session.last_activity_at = now;
        session.updated_at = now;
        session.version = base.expected_version + 1;
        let interview_id = interview.id;
        let turn = TurnWrite {
            interview_changed: interview != base.interview,
            interview,
            session,
            expected_version: base.expected_version,
            messages,
            idempotency: client_key.clone().map(|key| StoredAnswer {
                key,
                outcome: outcome.clone(),
            }),
        };
        let result = self.interviews.save_turn(&turn).await;
        if result.is_err()
            && let Some(reply) = turn.messages.last()
            && reply.message_type == MessageType::AiQuestion
        {
            // the candidate's audio is the caller's to discard; the reply's is ours
            self.discard_audio(std::slice::from_ref(reply)).await;
        }
        match result {
            Ok(()) => Ok(outcome),
            Err(RepositoryError::Conflict(message)) => {
                // a concurrent retry with the same key may have won the race: answer as it did
                if let Some(key) = &client_key
                    && let Some(stored) = self.interviews.stored_answer(interview_id, key).await?
                {
                    return replay(stored, &outcome.transcript);
                }
                Err(InterviewError::Conflict(format!(
                    "the question was answered concurrently ({message})"
                )))
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn abandon(
        &self,
        interview: &mut Interview,
        session: &mut InterviewSession,
        now: DateTime<Utc>,
    ) -> Result<(), InterviewError> {
        let expected_version = session.version;
        interview.status = interview
            .status
            .transition(InterviewStatus::Abandoned)
            .map_err(|_| InterviewError::InvalidState {
                status: interview.status,
            })?;
        interview.completion_reason = Some(CompletionReason::Inactivity);
        session.pending_question = None;
        session.updated_at = now;
        session.version = expected_version + 1;
        let turn = TurnWrite {
            interview: interview.clone(),
            interview_changed: true,
            session: session.clone(),
            expected_version,
            messages: Vec::new(),
            idempotency: None,
        };
        self.interviews.save_turn(&turn).await?;
        Ok(())
    }

    /// Ends an interview at the candidate's request. Completing a completed interview returns
    /// its summary again.
    ///
    /// # Errors
    /// [`InterviewError::InvalidState`] for an abandoned or scheduled interview.
    pub async fn complete(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
    ) -> Result<CompletionSummary, InterviewError> {
        let InterviewRecord {
            mut interview,
            mut session,
        } = self.load_owned(interview_id, candidate_id).await?;
        if interview.status != InterviewStatus::Completed {
            let now = self.clock.now();
            let expected_version = session.version;
            finish(&mut interview, CompletionReason::CandidateRequested, now)?;
            session.pending_question = None;
            session.last_activity_at = now;
            session.updated_at = now;
            session.version = expected_version + 1;
            let turn = TurnWrite {
                interview: interview.clone(),
                interview_changed: true,
                session: session.clone(),
                expected_version,
                messages: Vec::new(),
                idempotency: None,
            };
            match self.interviews.save_turn(&turn).await {
                Ok(()) => {}
                // a concurrent answer or completion got there first: report what is stored now
                Err(RepositoryError::Conflict(_)) => {
                    return Box::pin(self.complete(interview_id, candidate_id)).await;
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(CompletionSummary {
            questions_answered: u32::try_from(session.progression.response_quality_history.len())
                .unwrap_or(u32::MAX),
            skill_boundaries_identified: session.skill_boundaries.len(),
            interview,
        })
    }

    /// One interview of the candidate.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] for someone else's interview.
    pub async fn get(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
    ) -> Result<InterviewRecord, InterviewError> {
        self.load_owned(interview_id, candidate_id).await
    }

    /// The candidate's interviews, newest first.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn list(&self, candidate_id: CandidateId) -> Result<Vec<Interview>, InterviewError> {
        Ok(self.interviews.list_for_candidate(candidate_id).await?)
    }

    /// What a client needs to resume after a reload or a crash.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] for someone else's interview.
    pub async fn status(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
    ) -> Result<RecoveryView, InterviewError> {
        let InterviewRecord { interview, session } =
            self.load_owned(interview_id, candidate_id).await?;
        Ok(match interview.status {
            InterviewStatus::Scheduled => RecoveryView::Scheduled { interview },
            InterviewStatus::InProgress => RecoveryView::InProgress {
                last_question: self.interviews.last_question(interview.id).await?,
                session: SessionSnapshot::from(&session),
                interview,
            },
            InterviewStatus::Completed => RecoveryView::Completed { interview },
            InterviewStatus::Abandoned => RecoveryView::Abandoned { interview },
        })
    }

    /// A page of the transcript.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] for someone else's interview.
    pub async fn messages(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
        skip: u64,
        limit: u64,
    ) -> Result<MessagePage, InterviewError> {
        self.load_owned(interview_id, candidate_id).await?;
        Ok(self
            .interviews
            .messages(interview_id, skip, Some(limit))
            .await?)
    }

    /// The question currently (or last) asked.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] for someone else's interview or one with no question.
    pub async fn latest_question(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
    ) -> Result<InterviewMessage, InterviewError> {
        self.load_owned(interview_id, candidate_id).await?;
        self.interviews
            .last_question(interview_id)
            .await?
            .ok_or(InterviewError::NotFound)
    }

    /// The whole transcript.
    ///
    /// # Errors
    /// [`InterviewError::NotFound`] for someone else's interview.
    pub async fn transcript(
        &self,
        interview_id: InterviewId,
        candidate_id: CandidateId,
    ) -> Result<Transcript, InterviewError> {
        let record = self.load_owned(interview_id, candidate_id).await?;
        let page = self.interviews.messages(interview_id, 0, None).await?;
        Ok(Transcript {
            interview: record.interview,
            messages: page.messages,
        })
    }

    /// Marks interviews idle for longer than the inactivity timeout as abandoned.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn abandon_inactive(&self) -> Result<u64, InterviewError> {
        let now = self.clock.now();
        let cutoff =
            now - chrono::Duration::seconds(self.settings.completion.inactivity_timeout_seconds);
        Ok(self.interviews.abandon_inactive(cutoff, now).await?)
    }
}

/// The open question of a running interview, checked against the one the client answers.
fn open_question(
    record: &InterviewRecord,
    in_reply_to: Option<i32>,
) -> Result<PendingQuestion, InterviewError> {
    if record.interview.status != InterviewStatus::InProgress {
        return Err(InterviewError::InvalidState {
            status: record.interview.status,
        });
    }
    let pending = record
        .session
        .pending_question
        .clone()
        .ok_or(InterviewError::InvalidState {
            status: record.interview.status,
        })?;
    if let Some(in_reply_to) = in_reply_to
        && in_reply_to != pending.sequence_number
    {
        return Err(InterviewError::Conflict(format!(
            "question {in_reply_to} is not the open question; the open question is {}",
            pending.sequence_number
        )));
    }
    Ok(pending)
}

/// The blob holding a message's audio, if it has any.
fn blob_of(message: &InterviewMessage) -> Option<BlobRef> {
    message.audio_url.as_ref()?;
    let format = message
        .audio_metadata
        .as_ref()
        .and_then(|metadata| metadata.format)
        .or((message.message_type == MessageType::AiQuestion).then_some(AudioFormat::Mp3))?;
    Some(BlobRef::MessageAudio {
        interview: message.interview_id,
        message: message.id,
        format,
    })
}

fn transcription_error(error: ProviderError) -> InterviewError {
    match error {
        ProviderError::NotSupported(_) => {
            InterviewError::SpeechUnavailable(SPEECH_UNAVAILABLE.into())
        }
        ProviderError::Rejected(message) => InterviewError::AudioRejected(format!(
            "the recording could not be transcribed: {message}"
        )),
        ProviderError::RateLimited { retry_after } => InterviewError::TranscriptionUnavailable {
            message: "the transcription service is rate limiting requests".into(),
            retry_after,
        },
        ProviderError::Unavailable {
            message,
            retry_after,
        } => InterviewError::TranscriptionUnavailable {
            message,
            retry_after,
        },
        ProviderError::InvalidResponse(message) => InterviewError::TranscriptionUnavailable {
            message,
            retry_after: None,
        },
    }
}

fn finish(
    interview: &mut Interview,
    reason: CompletionReason,
    now: DateTime<Utc>,
) -> Result<(), InterviewError> {
    interview.status = interview
        .status
        .transition(InterviewStatus::Completed)
        .map_err(|_| InterviewError::InvalidState {
            status: interview.status,
        })?;
    interview.completed_at = Some(now);
    interview.duration_seconds = interview
        .started_at
        .map(|started| (now - started).num_seconds().max(0));
    interview.completion_reason = Some(reason);
    Ok(())
}

fn replay(stored: AnswerOutcome, text: &str) -> Result<AnswerOutcome, InterviewError> {
    if stored.transcript == text {
        Ok(stored)
    } else {
        Err(InterviewError::Conflict(
            "this idempotency key was already used for a different answer".into(),
        ))
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
