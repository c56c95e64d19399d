//! The candidate's profile, resumes and the feedback on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CandidateId, RecruiterId, ResumeFeedbackId, ResumeId};
use crate::model::named_enum;
use crate::ports::{DocumentFormat, ImprovementArea, LearningResource, ResumeFacts};
use crate::recruiting::EmploymentType;

/// Where a candidate wants to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkPreference {
    Remote,
    Hybrid,
    Onsite,
    Any,
}

named_enum!(WorkPreference, "work setup preference", {
    Remote => "remote",
    Hybrid => "hybrid",
    Onsite => "onsite",
    Any => "any",
});

/// Who set the profile's skills last: parsed skills fill them only until the candidate does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillsSource {
    None,
    Resume,
    Candidate,
}

named_enum!(SkillsSource, "skills source", {
    None => "none",
    Resume => "resume",
    Candidate => "candidate",
});

/// The candidate's profile (the account's name and phone, and what they look for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateProfile {
    pub candidate_id: CandidateId,
    pub email: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub skills: Vec<String>,
    pub skills_source: SkillsSource,
    pub experience_years: Option<u32>,
    pub preferred_job_types: Vec<EmploymentType>,
    pub preferred_locations: Vec<String>,
    pub preferred_work_setup: Option<WorkPreference>,
    pub salary_min: Option<u64>,
    pub salary_max: Option<u64>,
    pub salary_currency: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Job preferences, as the candidate sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub preferred_job_types: Vec<EmploymentType>,
    pub preferred_locations: Vec<String>,
    pub preferred_work_setup: Option<WorkPreference>,
    pub salary_min: Option<u64>,
    pub salary_max: Option<u64>,
    pub salary_currency: Option<String>,
    pub experience_years: Option<u32>,
}

/// Where a resume's parsing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseStatus {
    Pending,
    Processing,
    Completed,
    Failed,
}

named_enum!(ParseStatus, "parsing status", {
    Pending => "pending",
    Processing => "processing",
    Completed => "completed",
    Failed => "failed",
});

/// An uploaded resume.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResume {
    pub id: ResumeId,
    pub candidate_id: CandidateId,
    pub file_name: String,
    pub file_size: u64,
    pub format: DocumentFormat,
    pub is_active: bool,
    pub uploaded_at: DateTime<Utc>,
    pub parsing_status: ParseStatus,
    /// Why parsing failed.
    pub parsing_error: Option<String>,
    pub parsed_at: Option<DateTime<Utc>>,
    pub facts: Option<ResumeFacts>,
}

/// Where feedback stands: recruiters approve (or edit, or reject) it before it is sent; unless
/// rejected it is sent at `auto_send_at` anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackState {
    PendingApproval,
    Approved,
    Rejected,
    Sent,
}

named_enum!(FeedbackState, "feedback status", {
    PendingApproval => "pending_approval",
    Approved => "approved",
    Rejected => "rejected",
    Sent => "sent",
});

/// Feedback on a resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub id: ResumeFeedbackId,
    pub resume_id: ResumeId,
    pub candidate_id: CandidateId,
    pub content: String,
    pub improvement_areas: Vec<ImprovementArea>,
    pub recommended_resources: Vec<LearningResource>,
    pub status: FeedbackState,
    pub generated_at: DateTime<Utc>,
    pub auto_send_at: DateTime<Utc>,
    pub edited_by: Option<RecruiterId>,
    pub decided_by: Option<RecruiterId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
}
