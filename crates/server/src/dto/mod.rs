//! Request and response bodies of the JSON API. Requests are plain data converted into domain
//! types by the handlers; responses are built from domain types here.

mod assessment;
pub mod portal;
pub mod postings;
pub mod recruiter_interviews;
pub mod recruiting;
pub mod video;
mod voice;
pub mod webhooks;

pub use assessment::*;
pub use portal::*;
pub use postings::*;
pub use recruiter_interviews::*;
pub use recruiting::*;
pub use video::*;
pub use voice::*;
pub use webhooks::*;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use interview_core::interview::{AnswerOutcome, SessionSnapshot};
use interview_core::ladder::SkillBoundary;
use interview_core::model::{Interview, InterviewMessage, MessageType};
use serde::{Deserialize, Serialize};

use crate::routes::audio::audio_url;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;

/// A body that must be a JSON object. Serde's derived structs also accept an array of their
/// fields in order, so a body of only optional fields would take `[null, null]` as "change
/// nothing"; this refuses anything but an object (422 `invalid_body`).
#[derive(Debug)]
pub struct JsonObject<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = serde_json::Map::deserialize(deserializer)?;
        T::deserialize(serde_json::Value::Object(object))
            .map(JsonObject)
            .map_err(serde::de::Error::custom)
    }
}

impl<T> std::ops::Deref for JsonObject<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(example = "ada@example.com", max_length = 254)]
    pub email: String,
    /// 8 (`auth.password.min_length`) to 128 characters, any printable ones, spaces included;
    /// no character classes required. Refused: control characters, the most common passwords,
    /// and passwords containing the email's name part (when it has 3 or more characters).
    #[schema(example = "correct horse battery", min_length = 8, max_length = 128)]
    pub password: String,
    /// 2 to 255 visible characters; no control or text-reordering (bidi override) characters.
    #[schema(example = "Ada Lovelace", min_length = 2, max_length = 255)]
    pub full_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub candidate_id: Uuid,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StartInterviewRequest {
    /// One of `react`, `python`, `javascript`, `fullstack`; `null` (or absent) with
    /// `application_id`, whose job decides the role.
    #[serde(default)]
    #[schema(example = "python")]
    pub role_type: Option<String>,
    /// Interview for a job applied to (`POST /api/v1/applications`): the job's role, its
    /// required skills as the skills explored, and its organization's recruiters see it.
    #[serde(default)]
    pub application_id: Option<Uuid>,
    /// A resume to tailor the interview to; resume upload is not available yet, so only `null`.
    #[serde(default)]
    pub resume_id: Option<Uuid>,
    /// `text` (default) or `legacy_voice`: the first question (and every reply) is also spoken,
    /// and `audio_url` points at it. `legacy_voice` needs a provider with speech (OpenAI).
    #[serde(default)]
    pub mode: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewResponse {
    pub id: Uuid,
    pub candidate_id: Uuid,
    pub role_type: String,
    pub mode: String,
    /// `scheduled`, `in_progress`, `completed` or `abandoned`.
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    /// Why the interview ended, once it has.
    pub completion_reason: Option<String>,
    pub ai_model_used: Option<String>,
    pub total_tokens_used: i64,
    /// USD as a decimal string, exact.
    #[schema(example = "0.0042")]
    pub cost_usd: String,
    pub speech_cost_usd: String,
    pub realtime_cost_usd: String,
    pub created_at: DateTime<Utc>,
    /// Whether the candidate agreed to be filmed, and when they last decided.
    pub video_recording_consent: bool,
    pub video_consent_at: Option<DateTime<Utc>>,
    /// Where the finished recording streams from, once there is one.
    pub video_recording_url: Option<String>,
    /// `recording` while chunks arrive, `completed` once assembled.
    pub video_recording_status: Option<String>,
}

impl From<&Interview> for InterviewResponse {
    fn from(interview: &Interview) -> Self {
        Self {
            id: interview.id.as_uuid(),
            candidate_id: interview.candidate_id.as_uuid(),
            role_type: interview.role_type.as_str().to_owned(),
            mode: interview.mode.as_str().to_owned(),
            status: interview.status.as_str().to_owned(),
            started_at: interview.started_at,
            completed_at: interview.completed_at,
            duration_seconds: interview.duration_seconds,
            completion_reason: interview
                .completion_reason
                .map(|reason| reason.as_str().to_owned()),
            ai_model_used: interview.ai_model_used.clone(),
            total_tokens_used: interview.total_tokens_used,
            cost_usd: interview.cost_usd.normalize().to_string(),
            speech_cost_usd: interview.speech_cost_usd.normalize().to_string(),
            realtime_cost_usd: interview.realtime_cost_usd.normalize().to_string(),
            created_at: interview.created_at,
            video_recording_consent: interview.video_recording_consent,
            video_consent_at: interview.video_consent_at,
            video_recording_url: interview.video_recording_url.clone(),
            video_recording_status: interview
                .video_recording_status
                .map(|status| status.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoundaryDto {
    pub skill: String,
    /// The level the candidate could not get past.
    pub level: String,
    pub boundary_type: String,
    pub reason: String,
    pub detected_at: DateTime<Utc>,
}

impl From<&SkillBoundary> for BoundaryDto {
    fn from(boundary: &SkillBoundary) -> Self {
        Self {
            skill: boundary.skill.as_str().to_owned(),
            level: boundary.level.as_str().to_owned(),
            boundary_type: boundary.boundary_type.as_str().to_owned(),
            reason: boundary.reason.as_str().to_owned(),
            detected_at: boundary.detected_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionStateDto {
    /// `warmup`, `fundamental`, `intermediate`, `advanced` or `expert`.
    pub current_difficulty: String,
    pub questions_asked_count: i32,
    /// Each skill whose boundary was found, mapped to the level where it was recorded (the
    /// level the candidate could not get past), as the seed API describes it.
    #[schema(example = json!({"hooks": "advanced"}))]
    pub skill_boundaries: BTreeMap<String, String>,
    /// The same boundaries with why and when each was recorded.
    pub skill_boundary_details: Vec<BoundaryDto>,
    pub skills_explored: Vec<String>,
}

impl From<&SessionSnapshot> for SessionStateDto {
    fn from(session: &SessionSnapshot) -> Self {
        Self {
            current_difficulty: session.current_difficulty.as_str().to_owned(),
            questions_asked_count: session.questions_asked_count,
            skill_boundaries: session
                .skill_boundaries
                .iter()
                .map(|b| (b.skill.as_str().to_owned(), b.level.as_str().to_owned()))
                .collect(),
            skill_boundary_details: session.skill_boundaries.iter().map(Into::into).collect(),
            skills_explored: session
                .skills_explored
                .iter()
                .map(|skill| skill.as_str().to_owned())
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDto {
    pub sequence_number: i32,
    pub content_text: String,
    pub audio_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StartInterviewResponse {
    #[serde(flatten)]
    pub interview: InterviewResponse,
    pub first_question: QuestionDto,
    pub session_state: SessionStateDto,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// The answer: not blank, at most 10000 characters.
    #[schema(min_length = 1, max_length = 10_000)]
    pub message_text: String,
    /// Sequence number of the question answered; strongly recommended so a retry can never
    /// answer the next question by mistake.
    #[serde(default)]
    pub in_reply_to: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResponse {
    pub message_id: Uuid,
    pub transcript: String,
    pub ai_response: String,
    /// Where the spoken reply streams from, when speech is on.
    pub ai_audio_url: Option<String>,
    /// The same as `ai_audio_url`, for clients that read this name.
    pub audio_url: Option<String>,
    /// Sequence number of `ai_response`: send it back as `in_reply_to`.
    pub ai_sequence_number: i32,
    pub question_number: i32,
    pub total_questions: i32,
    pub interview_complete: bool,
    pub completion_reason: Option<String>,
    pub session_state: SessionStateDto,
}

impl From<&AnswerOutcome> for AnswerResponse {
    fn from(outcome: &AnswerOutcome) -> Self {
        Self {
            message_id: outcome.message_id.as_uuid(),
            transcript: outcome.transcript.clone(),
            ai_response: outcome.ai_response.clone(),
            ai_audio_url: outcome.ai_audio.as_ref().map(audio_url),
            audio_url: outcome.ai_audio.as_ref().map(audio_url),
            ai_sequence_number: outcome.ai_sequence_number,
            question_number: outcome.question_number,
            total_questions: outcome.total_questions,
            interview_complete: outcome.interview_complete,
            completion_reason: outcome
                .completion_reason
                .map(|reason| reason.as_str().to_owned()),
            session_state: (&outcome.session_state).into(),
        }
    }
}

/// The most messages one page returns.
pub const MAX_PAGE: u64 = 200;
/// The most messages a page may skip: far beyond any interview, and far inside every database
/// driver's integer range (a larger offset used to reach SQLite's binding and panic there).
pub const MAX_SKIP: u64 = 100_000;

/// Paging of a list. Values outside the declared range are refused with 400 `invalid_query`,
/// like any other query parameter that does not parse.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Messages to skip, 0 to 100000 (default 0).
    #[param(minimum = 0, maximum = 100_000)]
    pub skip: Option<u64>,
    /// Messages to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

impl PageQuery {
    /// `(skip, limit)` with the defaults applied, both within their declared range.
    ///
    /// # Errors
    /// 400 `invalid_query` naming the parameter that is out of range.
    pub fn bounds(&self) -> Result<(u64, u64), ApiError> {
        let skip = self.skip.unwrap_or(0);
        if skip > MAX_SKIP {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("skip must be between 0 and {MAX_SKIP}"),
            ));
        }
        let limit = self.limit.unwrap_or(50);
        if limit == 0 || limit > MAX_PAGE {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
        Ok((skip, limit))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    pub id: Uuid,
    pub sequence_number: i32,
    /// `ai_question` (the closing remark too) or `candidate_response`.
    pub message_type: String,
    /// True for the interviewer's closing remark, which ends the interview.
    pub is_closing: bool,
    pub content_text: String,
    pub created_at: DateTime<Utc>,
    /// Where the recorded answer or the spoken question can be fetched (owner only).
    pub audio_url: Option<String>,
    /// How long the spoken answer lasted (recorded or live voice).
    pub audio_duration_seconds: Option<f64>,
    pub audio_metadata: Option<AudioMetadataDto>,
}

/// Technical facts about a message's audio.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudioMetadataDto {
    /// Container: webm, ogg, mp3, mp4, mpeg, mpga, m4a or wav.
    pub format: Option<String>,
    pub codec: Option<String>,
    pub sample_rate_hz: Option<u32>,
    pub size_bytes: Option<u64>,
    pub duration_seconds: Option<f64>,
    /// How long transcription took.
    pub transcription_ms: Option<u64>,
    /// Mean segment probability reported by the transcriber, 0–1.
    pub confidence: Option<f64>,
}

impl From<&interview_core::model::AudioMetadata> for AudioMetadataDto {
    fn from(metadata: &interview_core::model::AudioMetadata) -> Self {
        Self {
            format: metadata.format.map(|format| format.extension().to_owned()),
            codec: metadata.codec.clone(),
            sample_rate_hz: metadata.sample_rate_hz,
            size_bytes: metadata.size_bytes,
            duration_seconds: metadata.duration_seconds,
            transcription_ms: metadata.transcription_ms,
            confidence: metadata.confidence,
        }
    }
}

/// The `message_type` clients see: the closing remark keeps the value they already know
/// (`is_closing` tells it apart).
pub fn wire_message_type(message_type: MessageType) -> &'static str {
    match message_type {
        MessageType::AiClosing => MessageType::AiQuestion.as_str(),
        other => other.as_str(),
    }
}

impl From<&InterviewMessage> for MessageDto {
    fn from(message: &InterviewMessage) -> Self {
        Self {
            id: message.id.as_uuid(),
            sequence_number: message.sequence_number,
            message_type: wire_message_type(message.message_type).to_owned(),
            is_closing: message.message_type == MessageType::AiClosing,
            content_text: message.content_text.clone(),
            created_at: message.created_at,
            audio_url: message.audio.as_ref().map(audio_url),
            audio_duration_seconds: message.audio_duration_seconds,
            audio_metadata: message.audio_metadata.as_ref().map(Into::into),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesResponse {
    pub interview_id: Uuid,
    pub total_count: u64,
    pub messages: Vec<MessageDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    pub interview_id: Uuid,
    pub status: String,
    pub completion_reason: Option<String>,
    /// The question to show again (in progress only).
    pub last_question: Option<MessageDto>,
    pub session_state: Option<SessionStateDto>,
    /// Where the client should go next (completed only).
    pub redirect_to: Option<String>,
    /// Whether the candidate may start a new interview (abandoned only).
    pub can_restart: bool,
    /// Whether the candidate agreed to be filmed.
    pub video_recording_consent: bool,
    #[serde(flatten)]
    pub assessment: AssessmentFields,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompleteResponse {
    pub interview_id: Uuid,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub questions_answered: u32,
    pub skill_boundaries_identified: usize,
    pub message: String,
    #[serde(flatten)]
    pub assessment: AssessmentFields,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptMessageDto {
    pub sequence_number: i32,
    pub message_type: String,
    pub content_text: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptResponse {
    pub interview_id: Uuid,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub messages: Vec<TranscriptMessageDto>,
}

/// Liveness: the process answers. Says nothing of the database (that is `/ready`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// Always `healthy`.
    #[schema(example = "healthy")]
    pub status: &'static str,
    /// The server's version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// When the server answered.
    pub timestamp: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyResponse {
    pub status: &'static str,
    pub database: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AiStatusResponse {
    /// `offline` or `openai`.
    pub provider: String,
    pub model: String,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The chat endpoint's circuit breaker: `closed`, `open`, `half_open`, or `none` for the
    /// offline interviewer.
    pub breaker_state: String,
    /// Whether voice answers and spoken replies are available.
    pub speech_available: bool,
    /// Each OpenAI endpoint with its model and breaker (empty for the offline interviewer).
    pub endpoints: Vec<AiEndpointStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AiEndpointStatus {
    /// `chat`, `transcription` or `speech`.
    pub endpoint: String,
    pub model: String,
    /// `closed`, `open` or `half_open`.
    pub breaker_state: String,
}
