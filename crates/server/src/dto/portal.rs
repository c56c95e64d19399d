//! The candidate portal: profile, resumes, feedback and matching.

use chrono::{DateTime, Utc};
use interview_core::portal::{CandidateProfile, Feedback, FeedbackView, StoredResume};
use interview_core::ports::{ImprovementArea, LearningResource, ResumeFacts};
use interview_core::rules::job_matching::{JobMatch, Term};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::PostingDto;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResponse {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub skills: Vec<String>,
    pub experience_years: Option<u32>,
    /// `permanent`, `part_time`, `contract`.
    pub preferred_job_types: Vec<String>,
    pub preferred_locations: Vec<String>,
    /// `remote`, `hybrid`, `onsite` or `any`.
    pub preferred_work_setup: Option<String>,
    pub salary_min: Option<u64>,
    pub salary_max: Option<u64>,
    pub salary_currency: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&CandidateProfile> for ProfileResponse {
    fn from(profile: &CandidateProfile) -> Self {
        Self {
            id: profile.candidate_id.as_uuid(),
            email: profile.email.clone(),
            full_name: profile.full_name.clone(),
            phone: profile.phone.clone(),
            skills: profile.skills.clone(),
            experience_years: profile.experience_years,
            preferred_job_types: profile
                .preferred_job_types
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
            preferred_locations: profile.preferred_locations.clone(),
            preferred_work_setup: profile.preferred_work_setup.map(|s| s.as_str().to_owned()),
            salary_min: profile.salary_min,
            salary_max: profile.salary_max,
            salary_currency: profile.salary_currency.clone(),
            created_at: profile.created_at,
            updated_at: profile.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BasicInfoRequest {
    #[schema(example = "Ada Lovelace")]
    pub full_name: String,
    #[schema(example = "+44 20 7946 0958")]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SkillsRequest {
    /// At most 50, each 1 to 50 characters; duplicates (ignoring case) are dropped.
    #[schema(example = json!(["Python", "PostgreSQL"]))]
    pub skills: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PreferencesRequest {
    #[serde(default)]
    #[schema(example = json!(["permanent", "contract"]))]
    pub preferred_job_types: Vec<String>,
    #[serde(default)]
    pub preferred_locations: Vec<String>,
    /// `remote`, `hybrid`, `onsite` or `any`.
    pub preferred_work_setup: Option<String>,
    pub salary_min: Option<u64>,
    pub salary_max: Option<u64>,
    #[schema(example = "EUR")]
    pub salary_currency: Option<String>,
    pub experience_years: Option<u32>,
}

/// `POST /api/v1/resumes/upload`, multipart.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form for the OpenAPI document
pub struct ResumeUploadForm {
    /// A PDF or DOCX document, at most 5 MB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResumeResponse {
    pub id: Uuid,
    pub file_name: String,
    pub file_size: u64,
    /// `pdf` or `docx`.
    pub format: String,
    /// `pending`, `processing`, `completed` or `failed`.
    pub parsing_status: String,
    pub parsing_error: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub parsed_at: Option<DateTime<Utc>>,
    pub is_active: bool,
}

impl From<&StoredResume> for ResumeResponse {
    fn from(resume: &StoredResume) -> Self {
        Self {
            id: resume.id.as_uuid(),
            file_name: resume.file_name.clone(),
            file_size: resume.file_size,
            format: resume.format.as_str().to_owned(),
            parsing_status: resume.parsing_status.as_str().to_owned(),
            parsing_error: resume.parsing_error.clone(),
            uploaded_at: resume.uploaded_at,
            parsed_at: resume.parsed_at,
            is_active: resume.is_active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParsingStatusResponse {
    pub resume_id: Uuid,
    pub parsing_status: String,
    pub parsing_error: Option<String>,
    pub parsed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DownloadResponse {
    /// A path on this server; it works until `expires_at`, without a token.
    pub signed_url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SignedFileQuery {
    pub expires: i64,
    pub signature: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisResponse {
    pub resume_id: Uuid,
    pub skills: Vec<String>,
    pub experience_years: Option<u32>,
    pub education: Vec<String>,
    pub previous_roles: Vec<String>,
    pub technical_domains: Vec<String>,
}

impl AnalysisResponse {
    pub fn new(resume: Uuid, facts: ResumeFacts) -> Self {
        Self {
            resume_id: resume,
            skills: facts.skills,
            experience_years: facts.experience_years,
            education: facts.education,
            previous_roles: facts.previous_roles,
            technical_domains: facts.technical_domains,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImprovementAreaDto {
    pub area: String,
    pub evidence: String,
    pub suggestion: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceDto {
    pub title: String,
    pub url: Option<String>,
    pub reason: String,
}

fn areas(areas: &[ImprovementArea]) -> Vec<ImprovementAreaDto> {
    areas
        .iter()
        .map(|area| ImprovementAreaDto {
            area: area.area.clone(),
            evidence: area.evidence.clone(),
            suggestion: area.suggestion.clone(),
        })
        .collect()
}

fn resources(resources: &[LearningResource]) -> Vec<ResourceDto> {
    resources
        .iter()
        .map(|resource| ResourceDto {
            title: resource.title.clone(),
            url: resource.url.clone(),
            reason: resource.reason.clone(),
        })
        .collect()
}

/// Feedback on a resume.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResponse {
    pub id: Uuid,
    pub resume_id: Uuid,
    pub candidate_id: Uuid,
    /// Set for recruiters.
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub feedback_content: String,
    pub improvement_areas: Vec<ImprovementAreaDto>,
    pub recommended_resources: Vec<ResourceDto>,
    /// `pending_approval`, `approved`, `rejected` or `sent`.
    pub status: String,
    pub generated_at: DateTime<Utc>,
    pub auto_send_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<&Feedback> for FeedbackResponse {
    fn from(feedback: &Feedback) -> Self {
        Self {
            id: feedback.id.as_uuid(),
            resume_id: feedback.resume_id.as_uuid(),
            candidate_id: feedback.candidate_id.as_uuid(),
            candidate_name: None,
            candidate_email: None,
            feedback_content: feedback.content.clone(),
            improvement_areas: areas(&feedback.improvement_areas),
            recommended_resources: resources(&feedback.recommended_resources),
            status: feedback.status.as_str().to_owned(),
            generated_at: feedback.generated_at,
            auto_send_at: feedback.auto_send_at,
            decided_by: feedback
                .decided_by
                .map(interview_core::ids::RecruiterId::as_uuid),
            decided_at: feedback.decided_at,
            sent_at: feedback.sent_at,
        }
    }
}

impl From<&FeedbackView> for FeedbackResponse {
    fn from(view: &FeedbackView) -> Self {
        Self {
            candidate_name: Some(view.candidate_name.clone()),
            candidate_email: Some(view.candidate_email.clone()),
            ..Self::from(&view.feedback)
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FeedbackQuery {
    /// `pending_approval`, `approved`, `rejected` or `sent`; every status when absent.
    pub status: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackEdit {
    pub feedback_content: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MatchingQuery {
    /// 1-based (default 1).
    pub page: Option<u64>,
    /// 1 to 100 (default 20).
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermDto {
    /// `skills`, `experience`, `work_setup`, `location`, `job_type` or `salary`.
    pub name: String,
    pub points: f64,
    pub max_points: f64,
    pub reason: String,
}

impl From<&Term> for TermDto {
    fn from(term: &Term) -> Self {
        Self {
            name: term.name.to_owned(),
            points: term.points,
            max_points: term.max_points,
            reason: term.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobMatchDto {
    pub job_posting: PostingDto,
    /// 0 to 100.
    pub score: f64,
    pub matched_skills: Vec<String>,
    pub missing_skills: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchingResponse {
    pub matches: Vec<JobMatchDto>,
    pub total_count: u64,
    pub page: u64,
    pub page_size: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationResponse {
    pub job_posting_id: Uuid,
    pub score: f64,
    pub matched_skills: Vec<String>,
    pub missing_skills: Vec<String>,
    /// The score is the sum of these.
    pub terms: Vec<TermDto>,
}

impl ExplanationResponse {
    pub fn new(job: Uuid, fit: &JobMatch) -> Self {
        Self {
            job_posting_id: job,
            score: fit.score,
            matched_skills: fit.matched_skills.clone(),
            missing_skills: fit.missing_skills.clone(),
            terms: fit.terms.iter().map(Into::into).collect(),
        }
    }
}
