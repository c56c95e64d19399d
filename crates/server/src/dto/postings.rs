//! Bodies of the job postings: what recruiters write (a full posting, a partial change), what
//! anyone reads, and the listing's filters.

use chrono::{DateTime, Utc};
use interview_core::model::RoleType;
use interview_core::recruiting::{
    EmploymentType, ExperienceLevel, JobPosting, PostingDraft, PostingFilter, PostingStatus,
    WorkSetup,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::recruiting::{invalid_query, names, parse_field, query_value};
use crate::error::ApiError;

/// A job posting as a recruiter writes it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostingRequest {
    #[schema(example = "Senior React Engineer")]
    pub title: String,
    #[schema(example = "Acme")]
    pub company: String,
    pub description: String,
    /// The interview role: `react`, `python`, `javascript` or `fullstack`.
    #[schema(example = "react")]
    pub role_category: Option<String>,
    #[serde(default)]
    #[schema(example = json!(["React", "TypeScript"]))]
    pub tech_stack: Vec<String>,
    /// Become the key skills of interviews for this job.
    #[serde(default)]
    #[schema(example = json!(["hooks", "state management"]))]
    pub required_skills: Vec<String>,
    /// `permanent`, `part_time` or `contract`.
    pub employment_type: Option<String>,
    /// `remote`, `hybrid` or `onsite`.
    pub work_setup: Option<String>,
    /// `entry`, `junior`, `mid`, `senior`, `lead` or `principal`.
    pub experience_level: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub salary_min: Option<i64>,
    #[serde(default)]
    pub salary_max: Option<i64>,
    /// ISO 4217, such as `USD`.
    #[serde(default)]
    pub salary_currency: Option<String>,
    /// `draft` (default), `open` or `closed`.
    #[serde(default)]
    pub status: Option<String>,
}

/// Absent stays absent (`None`), `null` becomes `Some(None)`.
#[allow(clippy::option_option)] // absent, null and a value differ in a PATCH
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A change to a posting: absent fields stay as they are, `null` clears an optional one.
#[allow(clippy::option_option)] // absent, null and a value differ in a PATCH
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PostingPatch {
    pub title: Option<String>,
    pub company: Option<String>,
    pub description: Option<String>,
    pub role_category: Option<String>,
    pub tech_stack: Option<Vec<String>>,
    pub required_skills: Option<Vec<String>>,
    pub employment_type: Option<String>,
    pub work_setup: Option<String>,
    pub experience_level: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub salary_min: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub salary_max: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub salary_currency: Option<Option<String>>,
    /// `draft`, `open` (publish) or `closed`.
    pub status: Option<String>,
}

/// The enum fields of a posting, parsed.
struct PostingEnums {
    role_category: Option<RoleType>,
    employment_type: Option<EmploymentType>,
    work_setup: Option<WorkSetup>,
    experience_level: Option<ExperienceLevel>,
    status: Option<PostingStatus>,
}

fn posting_enums(
    role_category: Option<&str>,
    employment_type: Option<&str>,
    work_setup: Option<&str>,
    experience_level: Option<&str>,
    status: Option<&str>,
) -> Result<PostingEnums, ApiError> {
    let mut errors = Vec::new();
    let enums = PostingEnums {
        role_category: parse_field(
            "role_category",
            role_category,
            &names(RoleType::ALL, RoleType::as_str),
            &mut errors,
        ),
        employment_type: parse_field(
            "employment_type",
            employment_type,
            &names(EmploymentType::ALL, EmploymentType::as_str),
            &mut errors,
        ),
        work_setup: parse_field(
            "work_setup",
            work_setup,
            &names(WorkSetup::ALL, WorkSetup::as_str),
            &mut errors,
        ),
        experience_level: parse_field(
            "experience_level",
            experience_level,
            &names(ExperienceLevel::ALL, ExperienceLevel::as_str),
            &mut errors,
        ),
        status: parse_field(
            "status",
            status,
            &names(PostingStatus::ALL, PostingStatus::as_str),
            &mut errors,
        ),
    };
    if errors.is_empty() {
        Ok(enums)
    } else {
        Err(ApiError::validation("some fields are invalid", &errors))
    }
}

impl PostingRequest {
    /// The draft and the status asked for (draft when absent).
    ///
    /// # Errors
    /// 422 naming each enum field whose value is unknown.
    pub fn into_draft(self) -> Result<(PostingDraft, PostingStatus), ApiError> {
        let enums = posting_enums(
            self.role_category.as_deref(),
            self.employment_type.as_deref(),
            self.work_setup.as_deref(),
            self.experience_level.as_deref(),
            self.status.as_deref(),
        )?;
        let draft = PostingDraft {
            title: self.title,
            company: self.company,
            description: self.description,
            role_category: enums.role_category,
            tech_stack: self.tech_stack,
            required_skills: self.required_skills,
            employment_type: enums.employment_type,
            work_setup: enums.work_setup,
            experience_level: enums.experience_level,
            location: self.location,
            salary_min: self.salary_min,
            salary_max: self.salary_max,
            salary_currency: self.salary_currency,
        };
        Ok((draft, enums.status.unwrap_or(PostingStatus::Draft)))
    }
}

impl PostingPatch {
    fn changes_content(&self) -> bool {
        self.title.is_some()
            || self.company.is_some()
            || self.description.is_some()
            || self.role_category.is_some()
            || self.tech_stack.is_some()
            || self.required_skills.is_some()
            || self.employment_type.is_some()
            || self.work_setup.is_some()
            || self.experience_level.is_some()
            || self.location.is_some()
            || self.salary_min.is_some()
            || self.salary_max.is_some()
            || self.salary_currency.is_some()
    }

    /// The posting's new content (`None` when only the status changes) and the new status.
    ///
    /// # Errors
    /// 422 naming each enum field whose value is unknown.
    pub fn apply_to(
        self,
        current: &JobPosting,
    ) -> Result<(Option<PostingDraft>, Option<PostingStatus>), ApiError> {
        let enums = posting_enums(
            self.role_category.as_deref(),
            self.employment_type.as_deref(),
            self.work_setup.as_deref(),
            self.experience_level.as_deref(),
            self.status.as_deref(),
        )?;
        if !self.changes_content() {
            return Ok((None, enums.status));
        }
        let draft = PostingDraft {
            title: self.title.unwrap_or_else(|| current.title.clone()),
            company: self.company.unwrap_or_else(|| current.company.clone()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
            role_category: Some(enums.role_category.unwrap_or(current.role_category)),
            tech_stack: self
                .tech_stack
                .unwrap_or_else(|| current.tech_stack.clone()),
            required_skills: self.required_skills.unwrap_or_else(|| {
                current
                    .required_skills
                    .iter()
                    .map(|skill| skill.as_str().to_owned())
                    .collect()
            }),
            employment_type: Some(enums.employment_type.unwrap_or(current.employment_type)),
            work_setup: Some(enums.work_setup.unwrap_or(current.work_setup)),
            experience_level: Some(enums.experience_level.unwrap_or(current.experience_level)),
            location: self.location.unwrap_or_else(|| current.location.clone()),
            salary_min: self.salary_min.unwrap_or(current.salary_min),
            salary_max: self.salary_max.unwrap_or(current.salary_max),
            salary_currency: self
                .salary_currency
                .unwrap_or_else(|| current.salary_currency.clone()),
        };
        Ok((Some(draft), enums.status))
    }
}

/// A job posting.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostingDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub company: String,
    pub description: String,
    #[schema(example = "react")]
    pub role_category: String,
    pub tech_stack: Vec<String>,
    pub required_skills: Vec<String>,
    #[schema(example = "permanent")]
    pub employment_type: String,
    #[schema(example = "remote")]
    pub work_setup: String,
    #[schema(example = "senior")]
    pub experience_level: String,
    pub location: Option<String>,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
    /// `draft`, `open` or `closed` (the public listing shows open ones only).
    #[schema(example = "open")]
    pub status: String,
    /// The recruiter who posted it (recruiter endpoints only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PostingDto {
    /// As recruiters of its organization see it.
    pub fn internal(posting: &JobPosting) -> Self {
        let mut dto = Self::public(posting);
        dto.created_by = Some(posting.created_by.as_uuid());
        dto
    }

    /// As anyone sees it.
    pub fn public(posting: &JobPosting) -> Self {
        Self {
            id: posting.id.as_uuid(),
            organization_id: posting.organization_id.as_uuid(),
            title: posting.title.clone(),
            company: posting.company.clone(),
            description: posting.description.clone(),
            role_category: posting.role_category.as_str().to_owned(),
            tech_stack: posting.tech_stack.clone(),
            required_skills: posting
                .required_skills
                .iter()
                .map(|skill| skill.as_str().to_owned())
                .collect(),
            employment_type: posting.employment_type.as_str().to_owned(),
            work_setup: posting.work_setup.as_str().to_owned(),
            experience_level: posting.experience_level.as_str().to_owned(),
            location: posting.location.clone(),
            salary_min: posting.salary_min,
            salary_max: posting.salary_max,
            salary_currency: posting.salary_currency.clone(),
            status: posting.status.as_str().to_owned(),
            created_by: None,
            created_at: posting.created_at,
            updated_at: posting.updated_at,
        }
    }
}

/// One page of job postings, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostingPageResponse {
    pub items: Vec<PostingDto>,
    /// How many postings match the filters in all.
    pub total: u64,
    pub skip: u64,
    pub limit: u64,
}

/// The filters and paging of a job listing; every one optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostingQuery {
    /// `react`, `python`, `javascript` or `fullstack`.
    pub role_category: Option<String>,
    /// Postings whose tech stack names this (case-insensitive).
    pub tech_stack: Option<String>,
    /// `permanent`, `part_time` or `contract`.
    pub employment_type: Option<String>,
    /// `remote`, `hybrid` or `onsite`.
    pub work_setup: Option<String>,
    /// `entry`, `junior`, `mid`, `senior`, `lead` or `principal`.
    pub experience_level: Option<String>,
    /// Part of the location (case-insensitive).
    pub location: Option<String>,
    /// Part of the title, company or description (case-insensitive).
    pub search: Option<String>,
    /// Postings to skip, 0 to 100000 (default 0).
    #[param(minimum = 0, maximum = 100_000)]
    pub skip: Option<u64>,
    /// Postings to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// The most postings one page returns.
pub const MAX_POSTING_PAGE: u64 = 100;

fn text(value: Option<&String>) -> Option<String> {
    value
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

impl PostingQuery {
    /// The filter, skip and limit, each within range.
    ///
    /// # Errors
    /// 400 `invalid_query` naming the parameter that does not parse or is out of range.
    pub fn parse(&self) -> Result<(PostingFilter, u64, u64), ApiError> {
        let skip = self.skip.unwrap_or(0);
        if skip > crate::dto::MAX_SKIP {
            return Err(invalid_query(format!(
                "skip must be between 0 and {}",
                crate::dto::MAX_SKIP
            )));
        }
        let limit = self.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_POSTING_PAGE {
            return Err(invalid_query(format!(
                "limit must be between 1 and {MAX_POSTING_PAGE}"
            )));
        }
        let filter = PostingFilter {
            role_category: query_value("role_category", self.role_category.as_deref())?,
            tech_stack: text(self.tech_stack.as_ref()),
            employment_type: query_value("employment_type", self.employment_type.as_deref())?,
            work_setup: query_value("work_setup", self.work_setup.as_deref())?,
            experience_level: query_value("experience_level", self.experience_level.as_deref())?,
            location: text(self.location.as_ref()),
            search: text(self.search.as_ref()),
            organization: None,
            open_only: true,
        };
        Ok((filter, skip, limit))
    }
}
