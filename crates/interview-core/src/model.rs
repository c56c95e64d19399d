//! The entities of the platform. Fields follow the seed schema; behaviour lives in the rule
//! modules and the services.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{
    AssessmentId, CandidateId, InterviewId, JobPostingId, MessageId, OrganizationId, RecruiterId,
    ResumeFeedbackId, ResumeId, SessionId,
};
use crate::metadata::MessageMetadata;
use crate::ports::BlobRef;
use crate::rules::ladder::{DifficultyLevel, ProgressionState, SkillArea, SkillBoundary};
use crate::rules::lifecycle::{CompletionReason, InterviewStatus};
use crate::rules::memory::ConversationMemory;
use crate::validation::{Email, FullName};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {kind} '{value}'")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

/// Implements `as_str`, `Display` and `FromStr` for a snake_case enum.
macro_rules! named_enum {
    ($name:ident, $kind:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::model::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err($crate::model::UnknownVariant { kind: $kind, value: other.to_owned() }),
                }
            }
        }
    };
}
pub(crate) use named_enum;

/// The role a candidate interviews for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleType {
    React,
    Python,
    Javascript,
    Fullstack,
}

named_enum!(RoleType, "role type", {
    React => "react",
    Python => "python",
    Javascript => "javascript",
    Fullstack => "fullstack",
});

impl RoleType {
    /// How the role reads in a sentence ("a {title} developer role").
    pub const fn title(self) -> &'static str {
        match self {
            Self::React => "React",
            Self::Python => "Python",
            Self::Javascript => "JavaScript",
            Self::Fullstack => "full-stack",
        }
    }

    /// The skill areas an interview for this role must explore; finding a boundary in each of
    /// them (after the minimum number of questions) ends the interview early.
    pub const fn default_key_skills(self) -> &'static [&'static str] {
        match self {
            Self::React => &[
                "components",
                "hooks",
                "state-management",
                "performance",
                "testing",
            ],
            Self::Python => &[
                "data-structures",
                "functions",
                "object-oriented",
                "concurrency",
                "testing",
            ],
            Self::Javascript => &[
                "language-basics",
                "scope-closures",
                "async",
                "dom-events",
                "tooling",
            ],
            Self::Fullstack => &[
                "http-apis",
                "databases",
                "frontend",
                "security",
                "system-design",
            ],
        }
    }
}

/// How the candidate's words reach the interviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InterviewMode {
    #[default]
    Text,
    LegacyVoice,
    Realtime,
}

named_enum!(InterviewMode, "interview mode", {
    Text => "text",
    LegacyVoice => "legacy_voice",
    Realtime => "realtime",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    Active,
    Inactive,
    Deleted,
}

named_enum!(CandidateStatus, "candidate status", {
    Active => "active",
    Inactive => "inactive",
    Deleted => "deleted",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: CandidateId,
    pub email: Email,
    pub full_name: FullName,
    /// A PHC-format password hash; never the password itself.
    pub password_hash: String,
    pub phone: Option<String>,
    pub status: CandidateStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecruiterRole {
    Recruiter,
    Admin,
    Viewer,
}

named_enum!(RecruiterRole, "recruiter role", {
    Recruiter => "recruiter",
    Admin => "admin",
    Viewer => "viewer",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recruiter {
    pub id: RecruiterId,
    pub email: Email,
    pub full_name: FullName,
    pub password_hash: String,
    pub role: RecruiterRole,
    pub organization_id: Option<OrganizationId>,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub is_active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoRecordingStatus {
    Pending,
    Recording,
    Uploading,
    Completed,
    Failed,
}

named_enum!(VideoRecordingStatus, "video recording status", {
    Pending => "pending",
    Recording => "recording",
    Uploading => "uploading",
    Completed => "completed",
    Failed => "failed",
});

#[derive(Debug, Clone, PartialEq)]
pub struct Interview {
    pub id: InterviewId,
    pub candidate_id: CandidateId,
    pub resume_id: Option<ResumeId>,
    pub role_type: RoleType,
    pub mode: InterviewMode,
    pub status: InterviewStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub completion_reason: Option<CompletionReason>,
    pub ai_model_used: Option<String>,
    pub total_tokens_used: i64,
    pub cost_usd: Decimal,
    /// Speech units used: transcribed audio seconds plus synthesized characters.
    pub speech_tokens_used: i64,
    pub speech_cost_usd: Decimal,
    pub realtime_cost_usd: Decimal,
    pub tech_check_metadata: Option<serde_json::Value>,
    pub video_recording_url: Option<String>,
    pub video_recording_consent: bool,
    pub video_recording_status: Option<VideoRecordingStatus>,
    /// When the candidate last decided about being filmed.
    pub video_consent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The organization whose recruiters see it: the job's, or the platform's default one.
    pub organization_id: Option<OrganizationId>,
    /// The job it screens for, when started through an application.
    pub job_posting_id: Option<JobPostingId>,
    /// The skill areas it must explore (a job's required skills); empty for the role's
    /// configured ones.
    pub key_skills: Vec<SkillArea>,
}

impl Interview {
    /// A new interview, scheduled, with nothing spent.
    pub fn scheduled(
        candidate_id: CandidateId,
        role_type: RoleType,
        mode: InterviewMode,
        resume_id: Option<ResumeId>,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: InterviewId::new(),
            candidate_id,
            resume_id,
            role_type,
            mode,
            status: InterviewStatus::Scheduled,
            started_at: None,
            completed_at: None,
            duration_seconds: None,
            completion_reason: None,
            ai_model_used: None,
            total_tokens_used: 0,
            cost_usd: Decimal::ZERO,
            speech_tokens_used: 0,
            speech_cost_usd: Decimal::ZERO,
            realtime_cost_usd: Decimal::ZERO,
            tech_check_metadata: None,
            video_recording_url: None,
            video_recording_consent: false,
            video_recording_status: None,
            video_consent_at: None,
            created_at,
            organization_id: None,
            job_posting_id: None,
            key_skills: Vec::new(),
        }
    }
}

/// The question currently waiting for an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingQuestion {
    pub sequence_number: i32,
    pub skill: SkillArea,
    pub level: DifficultyLevel,
    pub asked_at: DateTime<Utc>,
}

/// The live state of an interview; every answer moves it forward and bumps `version`.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewSession {
    pub id: SessionId,
    pub interview_id: InterviewId,
    pub current_difficulty: DifficultyLevel,
    pub questions_asked_count: i32,
    pub skill_boundaries: BTreeMap<SkillArea, SkillBoundary>,
    pub progression: ProgressionState,
    pub memory: ConversationMemory,
    /// The last question asked, unanswered while the interview is in progress.
    pub pending_question: Option<PendingQuestion>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version: a write succeeds only against the version it read.
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    AiQuestion,
    CandidateResponse,
    /// The interviewer's closing remark, after the last answer.
    AiClosing,
}

named_enum!(MessageType, "message type", {
    AiQuestion => "ai_question",
    CandidateResponse => "candidate_response",
    AiClosing => "ai_closing",
});

impl MessageType {
    /// Whether the interviewer said it (a question or the closing remark).
    pub const fn is_interviewer(self) -> bool {
        matches!(self, Self::AiQuestion | Self::AiClosing)
    }
}

/// Technical facts about a stored audio clip.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioMetadata {
    /// The container, as sniffed from the bytes; also names the stored blob.
    pub format: Option<crate::ports::AudioFormat>,
    pub codec: Option<String>,
    pub sample_rate_hz: Option<u32>,
    pub size_bytes: Option<u64>,
    pub duration_seconds: Option<f64>,
    pub transcription_ms: Option<u64>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InterviewMessage {
    pub id: MessageId,
    pub interview_id: InterviewId,
    pub session_id: SessionId,
    pub sequence_number: i32,
    pub message_type: MessageType,
    pub content_text: String,
    /// The stored audio of the message, if any; the server renders it into a URL.
    pub audio: Option<BlobRef>,
    pub audio_duration_seconds: Option<f64>,
    pub audio_metadata: Option<AudioMetadata>,
    pub response_time_seconds: Option<f64>,
    pub metadata: MessageMetadata,
    pub created_at: DateTime<Utc>,
}

impl InterviewMessage {
    /// A new message, without audio or timing yet.
    pub fn new(
        session: (InterviewId, SessionId),
        sequence_number: i32,
        message_type: MessageType,
        content_text: impl Into<String>,
        metadata: MessageMetadata,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: MessageId::new(),
            interview_id: session.0,
            session_id: session.1,
            sequence_number,
            message_type,
            content_text: content_text.into(),
            audio: None,
            audio_duration_seconds: None,
            audio_metadata: None,
            response_time_seconds: None,
            metadata,
            created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentResult {
    pub id: AssessmentId,
    pub interview_id: InterviewId,
    /// 0 to 100.
    pub overall_score: Decimal,
    pub skill_scores: serde_json::Value,
    pub skill_boundary_map: serde_json::Value,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    /// 0 to 100.
    pub integrity_score: Option<Decimal>,
    pub integrity_flags: serde_json::Value,
    pub ai_reasoning: Option<String>,
    pub recommended_actions: Vec<String>,
    pub generated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParsingStatus {
    Pending,
    Processing,
    Completed,
    Failed,
}

named_enum!(ParsingStatus, "parsing status", {
    Pending => "pending",
    Processing => "processing",
    Completed => "completed",
    Failed => "failed",
});

#[derive(Debug, Clone, PartialEq)]
pub struct Resume {
    pub id: ResumeId,
    pub candidate_id: CandidateId,
    pub file_url: String,
    pub file_name: String,
    pub file_size: i64,
    pub uploaded_at: DateTime<Utc>,
    pub parsed_at: Option<DateTime<Utc>>,
    pub parsing_status: ParsingStatus,
    pub parsed_data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    Draft,
    PendingApproval,
    Approved,
    Sent,
}

named_enum!(FeedbackStatus, "feedback status", {
    Draft => "draft",
    PendingApproval => "pending_approval",
    Approved => "approved",
    Sent => "sent",
});

#[derive(Debug, Clone, PartialEq)]
pub struct ResumeFeedback {
    pub id: ResumeFeedbackId,
    pub resume_id: ResumeId,
    pub feedback_content: String,
    pub identified_gaps: Vec<String>,
    pub recommended_resources: serde_json::Value,
    pub status: FeedbackStatus,
    pub generated_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by: Option<RecruiterId>,
    pub sent_at: Option<DateTime<Utc>>,
    pub auto_send_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_names() {
        for role in RoleType::ALL {
            assert_eq!(role.as_str().parse::<RoleType>().unwrap(), *role);
        }
        for mode in InterviewMode::ALL {
            assert_eq!(mode.as_str().parse::<InterviewMode>().unwrap(), *mode);
        }
        assert_eq!(
            "golang".parse::<RoleType>(),
            Err(UnknownVariant {
                kind: "role type",
                value: "golang".into()
            })
        );
        assert_eq!(
            serde_json::to_string(&MessageType::CandidateResponse).unwrap(),
            "\"candidate_response\""
        );
    }

    #[test]
    fn every_role_has_five_key_skills() {
        for role in RoleType::ALL {
            assert_eq!(role.default_key_skills().len(), 5, "{role}");
        }
    }
}
