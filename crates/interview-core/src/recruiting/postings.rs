//! Job postings: what a valid posting is, recruiters' management of their organization's, and
//! the public listing of open ones.

use crate::accounts::FieldError;
use crate::actor::Actor;
use crate::ids::JobPostingId;
use crate::recruiting::{
    JobPosting, PostingDraft, PostingFilter, PostingPage, PostingStatus, RecruiterAction,
    RecruitingError, RecruitingService,
};
use crate::rules::evaluation::SkillArea;

const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 20_000;
const MAX_LIST: usize = 30;
const MAX_ITEM: usize = 60;
/// The most postings one page may hold.
pub const MAX_PAGE: u64 = 100;

fn check_text(errors: &mut Vec<FieldError>, field: &'static str, text: &str, max: usize) {
    let length = text.trim().chars().count();
    if length == 0 || length > max {
        errors.push(FieldError {
            field,
            message: format!("1 to {max} characters"),
        });
    }
}

fn check_list(errors: &mut Vec<FieldError>, field: &'static str, items: &[String]) {
    if items.len() > MAX_LIST
        || items
            .iter()
            .any(|item| item.trim().is_empty() || item.chars().count() > MAX_ITEM)
    {
        errors.push(FieldError {
            field,
            message: format!("at most {MAX_LIST} entries of 1 to {MAX_ITEM} characters"),
        });
    }
}

/// The posting a draft describes, or every field that is wrong.
///
/// # Errors
/// [`RecruitingError::Validation`] listing each invalid field.
pub fn validate_draft(
    draft: &PostingDraft,
) -> Result<(crate::model::RoleType, Vec<SkillArea>), RecruitingError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "title", &draft.title, MAX_TITLE);
    check_text(&mut errors, "company", &draft.company, MAX_TITLE);
    check_text(
        &mut errors,
        "description",
        &draft.description,
        MAX_DESCRIPTION,
    );
    check_list(&mut errors, "tech_stack", &draft.tech_stack);
    check_list(&mut errors, "required_skills", &draft.required_skills);
    for (field, missing) in [
        ("role_category", draft.role_category.is_none()),
        ("employment_type", draft.employment_type.is_none()),
        ("work_setup", draft.work_setup.is_none()),
        ("experience_level", draft.experience_level.is_none()),
    ] {
        if missing {
            errors.push(FieldError {
                field,
                message: "required".to_owned(),
            });
        }
    }
    if let Some(location) = &draft.location {
        check_text(&mut errors, "location", location, MAX_TITLE);
    }
    match (draft.salary_min, draft.salary_max) {
        (Some(min), _) | (_, Some(min)) if min < 0 => errors.push(FieldError {
            field: "salary_min",
            message: "salaries are not negative".to_owned(),
        }),
        (Some(min), Some(max)) if min > max => errors.push(FieldError {
            field: "salary_min",
            message: "salary_min must not exceed salary_max".to_owned(),
        }),
        _ => {}
    }
    if let Some(currency) = &draft.salary_currency
        && !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()))
    {
        errors.push(FieldError {
            field: "salary_currency",
            message: "a three-letter ISO 4217 code such as USD".to_owned(),
        });
    }
    match draft.role_category {
        Some(role) if errors.is_empty() => {
            let skills = draft
                .required_skills
                .iter()
                .map(|skill| SkillArea::new(skill))
                .collect();
            Ok((role, skills))
        }
        _ => Err(RecruitingError::Validation(errors)),
    }
}

fn apply_draft(posting: &mut JobPosting, draft: PostingDraft, skills: Vec<SkillArea>) {
    draft.title.trim().clone_into(&mut posting.title);
    draft.company.trim().clone_into(&mut posting.company);
    draft
        .description
        .trim()
        .clone_into(&mut posting.description);
    posting.tech_stack = draft
        .tech_stack
        .iter()
        .map(|t| t.trim().to_owned())
        .collect();
    posting.required_skills = skills;
    posting.location = draft.location.map(|l| l.trim().to_owned());
    posting.salary_min = draft.salary_min;
    posting.salary_max = draft.salary_max;
    posting.salary_currency = draft.salary_currency;
    if let Some(role) = draft.role_category {
        posting.role_category = role;
    }
    if let Some(value) = draft.employment_type {
        posting.employment_type = value;
    }
    if let Some(value) = draft.work_setup {
        posting.work_setup = value;
    }
    if let Some(value) = draft.experience_level {
        posting.experience_level = value;
    }
}

impl RecruitingService {
    /// A recruiter posts a job for their organization (a draft unless `status` says open).
    ///
    /// # Errors
    /// [`RecruitingError::Forbidden`] for a viewer; [`RecruitingError::Validation`].
    pub async fn create_posting(
        &self,
        actor: Actor,
        draft: PostingDraft,
        status: PostingStatus,
    ) -> Result<JobPosting, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::ManagePostings)?;
        let (role, skills) = validate_draft(&draft)?;
        let (Some(employment_type), Some(work_setup), Some(experience_level)) = (
            draft.employment_type,
            draft.work_setup,
            draft.experience_level,
        ) else {
            return Err(RecruitingError::field("employment_type", "required"));
        };
        let now = self.clock.now();
        let Actor::Recruiter { id: created_by, .. } = actor else {
            return Err(RecruitingError::WrongAudience("recruiters"));
        };
        let mut posting = JobPosting {
            id: JobPostingId::new(),
            organization_id: organization,
            title: String::new(),
            company: String::new(),
            description: String::new(),
            role_category: role,
            tech_stack: Vec::new(),
            required_skills: Vec::new(),
            employment_type,
            work_setup,
            experience_level,
            location: None,
            salary_min: None,
            salary_max: None,
            salary_currency: None,
            status,
            created_by,
            created_at: now,
            updated_at: now,
        };
        apply_draft(&mut posting, draft, skills);
        self.stores.postings.insert(&posting).await?;
        Ok(posting)
    }

    /// One of the organization's postings, in any status.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for another organization's.
    pub async fn posting(
        &self,
        actor: Actor,
        id: JobPostingId,
    ) -> Result<JobPosting, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::Read)?;
        match self.stores.postings.by_id(id).await? {
            Some(posting) if posting.organization_id == organization => Ok(posting),
            _ => Err(RecruitingError::NotFound("job posting")),
        }
    }

    /// Replaces a posting's content and, when given, its status (open, closed, back to draft).
    ///
    /// # Errors
    /// As [`Self::create_posting`], and [`RecruitingError::NotFound`] for another
    /// organization's.
    pub async fn update_posting(
        &self,
        actor: Actor,
        id: JobPostingId,
        draft: Option<PostingDraft>,
        status: Option<PostingStatus>,
    ) -> Result<JobPosting, RecruitingError> {
        Self::scope(&actor, RecruiterAction::ManagePostings)?;
        let mut posting = self.posting(actor, id).await?;
        if let Some(draft) = draft {
            let (_, skills) = validate_draft(&draft)?;
            apply_draft(&mut posting, draft, skills);
        }
        if let Some(status) = status {
            posting.status = status;
        }
        posting.updated_at = self.clock.now();
        self.stores.postings.update(&posting).await?;
        Ok(posting)
    }

    /// The organization's postings (every status) matching `filter`.
    ///
    /// # Errors
    /// [`RecruitingError::WrongAudience`] for a candidate.
    pub async fn organization_postings(
        &self,
        actor: Actor,
        mut filter: PostingFilter,
        skip: u64,
        limit: u64,
    ) -> Result<PostingPage, RecruitingError> {
        filter.organization = Some(Self::scope(&actor, RecruiterAction::Read)?);
        filter.open_only = false;
        Ok(self
            .stores
            .postings
            .search(&filter, skip, limit.min(MAX_PAGE))
            .await?)
    }

    /// The public listing: open postings of every organization.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn open_postings(
        &self,
        mut filter: PostingFilter,
        skip: u64,
        limit: u64,
    ) -> Result<PostingPage, RecruitingError> {
        filter.organization = None;
        filter.open_only = true;
        Ok(self
            .stores
            .postings
            .search(&filter, skip, limit.min(MAX_PAGE))
            .await?)
    }

    /// One open posting, for anyone.
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for an unknown, draft or closed posting.
    pub async fn open_posting(&self, id: JobPostingId) -> Result<JobPosting, RecruitingError> {
        match self.stores.postings.by_id(id).await? {
            Some(posting) if posting.status == PostingStatus::Open => Ok(posting),
            _ => Err(RecruitingError::NotFound("job posting")),
        }
    }
}
