//! What callers send the engine and what it answers.

use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::ids::{
    ApplicationId, CandidateId, InterviewId, JobPostingId, MessageId, OrganizationId, ResumeId,
};
use crate::model::{
    AudioMetadata, Interview, InterviewMessage, InterviewMode, InterviewSession, RoleType,
};
use crate::ports::{AudioClip, AudioFormat, BlobRef, ClientKey};
use crate::rules::cost::RealtimeUsage;
use crate::rules::ladder::{DifficultyLevel, Evaluation, SkillArea, SkillBoundary};
use crate::rules::lifecycle::CompletionReason;

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
    /// Whose recruiters see it: the job's organization, or the platform's default.
    pub organization_id: Option<OrganizationId>,
    /// The job it screens for (started through an application).
    pub job_posting_id: Option<JobPostingId>,
    /// The application it screens for: linked to the interview in the write that creates it.
    pub application_id: Option<ApplicationId>,
    /// The skill areas to explore instead of the role's configured ones (a job's required
    /// skills); empty for the role's.
    pub key_skills: Vec<SkillArea>,
}

impl StartInterview {
    /// An interview for `role` with no job and no organization.
    pub fn for_role(candidate_id: CandidateId, role: RoleType, mode: InterviewMode) -> Self {
        Self {
            candidate_id,
            role,
            mode,
            resume_id: None,
            organization_id: None,
            job_posting_id: None,
            application_id: None,
            key_skills: Vec::new(),
        }
    }
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
    pub blob: BlobRef,
    pub metadata: AudioMetadata,
    /// False when the budget did not allow transcribing it: the turn then closes the interview.
    pub transcribed: bool,
}

/// How the candidate's words reached the engine. Every mode builds one of these and the rest of
/// the turn is the same.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerSource {
    /// Typed text.
    Typed,
    /// A recording, transcribed (legacy voice).
    Recorded(AnswerAudio),
    /// A realtime conversation: the transcript comes with the evaluation the realtime model
    /// produced (when it produced one) and the session's usage for this turn.
    Realtime {
        evaluation: Option<Evaluation>,
        usage: RealtimeUsage,
        /// The upstream's id of the turn, kept with the message.
        item_id: Option<String>,
        /// How long the candidate spoke.
        audio_seconds: Option<f64>,
        /// The candidate's audio, already stored, when the deployment keeps it.
        recording: Option<AnswerAudio>,
    },
}

/// One answer, by any mode.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnInput {
    pub interview_id: InterviewId,
    pub actor: Actor,
    pub text: String,
    /// Sequence number of the question answered; defaults to the pending one.
    pub in_reply_to: Option<i32>,
    pub client_key: Option<ClientKey>,
    pub source: AnswerSource,
}

impl TurnInput {
    /// A typed answer.
    pub fn typed(
        interview_id: InterviewId,
        actor: Actor,
        text: impl Into<String>,
        in_reply_to: Option<i32>,
        client_key: Option<ClientKey>,
    ) -> Self {
        Self {
            interview_id,
            actor,
            text: text.into(),
            in_reply_to,
            client_key,
            source: AnswerSource::Typed,
        }
    }
}

/// A recorded answer (the legacy voice pipeline): transcribed, then answered like text.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitVoiceAnswer {
    pub interview_id: InterviewId,
    pub actor: Actor,
    pub clip: AudioClip,
    /// What the caller learned of the recording (format, codec, sample rate, size).
    pub recording: AudioMetadata,
    pub in_reply_to: Option<i32>,
    pub client_key: Option<ClientKey>,
}

/// Stored audio of one message, found and sized; read it with `InterviewService::read_audio`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudio {
    pub format: AudioFormat,
    pub size: u64,
    pub(crate) blob: BlobRef,
}

/// The result of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOutcome {
    pub message_id: MessageId,
    pub transcript: String,
    pub ai_message_id: MessageId,
    pub ai_response: String,
    /// Sequence number of the AI message: the `in_reply_to` of the next answer.
    pub ai_sequence_number: i32,
    /// The reply's stored audio; the server renders it into a URL.
    pub ai_audio: Option<BlobRef>,
    pub question_number: i32,
    pub total_questions: i32,
    pub interview_complete: bool,
    pub completion_reason: Option<CompletionReason>,
    pub session_state: SessionSnapshot,
    /// The stored outcome of an earlier request with the same idempotency key, returned again:
    /// nothing was answered, asked or charged this time.
    pub replayed: bool,
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
