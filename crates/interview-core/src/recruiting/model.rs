//! Organizations, job postings, applications and hiring decisions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    ApplicationId, CandidateId, InterviewId, JobPostingId, OrganizationId, RecruiterId,
};
use crate::model::{RoleType, named_enum};
use crate::rules::evaluation::SkillArea;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    Permanent,
    PartTime,
    Contract,
}

named_enum!(EmploymentType, "employment type", {
    Permanent => "permanent",
    PartTime => "part_time",
    Contract => "contract",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkSetup {
    Remote,
    Hybrid,
    Onsite,
}

named_enum!(WorkSetup, "work setup", {
    Remote => "remote",
    Hybrid => "hybrid",
    Onsite => "onsite",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperienceLevel {
    Entry,
    Junior,
    Mid,
    Senior,
    Lead,
    Principal,
}

named_enum!(ExperienceLevel, "experience level", {
    Entry => "entry",
    Junior => "junior",
    Mid => "mid",
    Senior => "senior",
    Lead => "lead",
    Principal => "principal",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostingStatus {
    Draft,
    Open,
    Closed,
}

named_enum!(PostingStatus, "posting status", {
    Draft => "draft",
    Open => "open",
    Closed => "closed",
});

/// What a recruiter writes about a job; validated by [`crate::recruiting::postings`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostingDraft {
    pub title: String,
    pub company: String,
    pub description: String,
    /// The interview role the job maps to.
    pub role_category: Option<RoleType>,
    pub tech_stack: Vec<String>,
    pub required_skills: Vec<String>,
    pub employment_type: Option<EmploymentType>,
    pub work_setup: Option<WorkSetup>,
    pub experience_level: Option<ExperienceLevel>,
    pub location: Option<String>,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPosting {
    pub id: JobPostingId,
    pub organization_id: OrganizationId,
    pub title: String,
    pub company: String,
    pub description: String,
    pub role_category: RoleType,
    pub tech_stack: Vec<String>,
    /// Become the key skills of interviews for this job.
    pub required_skills: Vec<SkillArea>,
    pub employment_type: EmploymentType,
    pub work_setup: WorkSetup,
    pub experience_level: ExperienceLevel,
    pub location: Option<String>,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
    pub status: PostingStatus,
    pub created_by: RecruiterId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the public job listing; every one optional.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostingFilter {
    pub role_category: Option<RoleType>,
    /// Postings whose tech stack names this (case-insensitive).
    pub tech_stack: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub work_setup: Option<WorkSetup>,
    pub experience_level: Option<ExperienceLevel>,
    /// Case-insensitive substring of the location.
    pub location: Option<String>,
    /// Case-insensitive substring of the title, company or description.
    pub search: Option<String>,
    /// Only this organization's (recruiters' own listing); `None` with `open_only` for the public.
    pub organization: Option<OrganizationId>,
    pub open_only: bool,
}

/// One page of postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingPage {
    pub total: u64,
    pub postings: Vec<JobPosting>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Applied,
    Interviewing,
    Advanced,
    Rejected,
    OnHold,
}

named_enum!(ApplicationStatus, "application status", {
    Applied => "applied",
    Interviewing => "interviewing",
    Advanced => "advanced",
    Rejected => "rejected",
    OnHold => "on_hold",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub job_posting_id: JobPostingId,
    pub candidate_id: CandidateId,
    pub organization_id: OrganizationId,
    pub status: ApplicationStatus,
    pub interview_id: Option<InterviewId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Advance,
    Reject,
    Hold,
}

named_enum!(DecisionKind, "decision", {
    Advance => "advance",
    Reject => "reject",
    Hold => "hold",
});

impl DecisionKind {
    /// Where the interview's application moves with the decision.
    pub const fn application_status(self) -> ApplicationStatus {
        match self {
            Self::Advance => ApplicationStatus::Advanced,
            Self::Reject => ApplicationStatus::Rejected,
            Self::Hold => ApplicationStatus::OnHold,
        }
    }
}

/// A recruiter's decision about an interview, with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub interview_id: InterviewId,
    pub decision: DecisionKind,
    pub note: Option<String>,
    pub decided_by: RecruiterId,
    pub decided_at: DateTime<Utc>,
}
