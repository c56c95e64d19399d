//! The candidate's profile: read it, and change the basic info, the skills or the preferences,
//! each checked field by field (every problem is reported at once).

use crate::accounts::FieldError;
use crate::actor::Actor;
use crate::ids::CandidateId;
use crate::portal::{CandidateProfile, PortalError, PortalService, Preferences, SkillsSource};
use crate::validation::FullName;

/// The most skills a profile lists, and the longest one.
pub const MAX_SKILLS: usize = 50;
const MAX_SKILL_CHARS: usize = 50;
const MAX_LOCATIONS: usize = 10;
const MAX_LOCATION_CHARS: usize = 100;
/// A salary bound beyond any real one.
const MAX_SALARY: u64 = 100_000_000;

pub(crate) fn candidate_of(actor: &Actor) -> Result<CandidateId, PortalError> {
    actor
        .candidate()
        .ok_or(PortalError::WrongAudience("candidates"))
}

fn problem(fields: &mut Vec<FieldError>, field: &'static str, message: impl Into<String>) {
    fields.push(FieldError {
        field,
        message: message.into(),
    });
}

/// Trimmed, non-empty, bounded, deduplicated case-insensitively (first spelling kept).
pub(crate) fn clean_list(
    values: &[String],
    field: &'static str,
    max_items: usize,
    max_chars: usize,
    fields: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for value in values {
        let value = value.trim();
        if value.is_empty()
            || value.chars().count() > max_chars
            || value.chars().any(char::is_control)
        {
            problem(
                fields,
                field,
                format!("each entry must be 1 to {max_chars} characters, no control characters"),
            );
            return kept;
        }
        if !kept.iter().any(|seen| seen.eq_ignore_ascii_case(value)) {
            kept.push(value.to_owned());
        }
    }
    if kept.len() > max_items {
        problem(fields, field, format!("at most {max_items} entries"));
    }
    kept
}

fn check_phone(phone: Option<&str>, fields: &mut Vec<FieldError>) -> Option<String> {
    let phone = phone.map(str::trim).filter(|phone| !phone.is_empty())?;
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(4..=20).contains(&digits) || phone.len() > 32 {
        problem(
            fields,
            "phone",
            "4 to 20 digits, with + - ( ) . and spaces allowed",
        );
        return None;
    }
    Some(phone.to_owned())
}

impl PortalService {
    /// The caller's profile.
    ///
    /// # Errors
    /// [`PortalError::WrongAudience`] for a recruiter.
    pub async fn profile(&self, actor: Actor) -> Result<CandidateProfile, PortalError> {
        let candidate = candidate_of(&actor)?;
        self.stores
            .profiles
            .profile(candidate)
            .await?
            .ok_or(PortalError::NotFound("candidate"))
    }

    async fn store(&self, mut profile: CandidateProfile) -> Result<CandidateProfile, PortalError> {
        profile.updated_at = self.clock.now();
        self.stores.profiles.save(&profile).await?;
        Ok(profile)
    }

    /// Changes the name and phone.
    ///
    /// # Errors
    /// [`PortalError::Validation`] naming each bad field.
    pub async fn update_basic_info(
        &self,
        actor: Actor,
        full_name: &str,
        phone: Option<&str>,
    ) -> Result<CandidateProfile, PortalError> {
        let mut profile = self.profile(actor).await?;
        let mut fields = Vec::new();
        let name = FullName::parse(full_name)
            .map_err(|error| problem(&mut fields, "full_name", error.to_string()))
            .ok();
        let phone = check_phone(phone, &mut fields);
        if !fields.is_empty() {
            return Err(PortalError::Validation(fields));
        }
        if let Some(name) = name {
            name.as_str().clone_into(&mut profile.full_name);
        }
        profile.phone = phone;
        self.store(profile).await
    }

    /// Replaces the skills (from now on, parsed resumes no longer fill them).
    ///
    /// # Errors
    /// [`PortalError::Validation`].
    pub async fn update_skills(
        &self,
        actor: Actor,
        skills: &[String],
    ) -> Result<CandidateProfile, PortalError> {
        let mut profile = self.profile(actor).await?;
        let mut fields = Vec::new();
        let skills = clean_list(skills, "skills", MAX_SKILLS, MAX_SKILL_CHARS, &mut fields);
        if !fields.is_empty() {
            return Err(PortalError::Validation(fields));
        }
        profile.skills = skills;
        profile.skills_source = SkillsSource::Candidate;
        self.store(profile).await
    }

    /// Replaces the job preferences.
    ///
    /// # Errors
    /// [`PortalError::Validation`] naming each bad field (`salary_min` above `salary_max`
    /// included).
    pub async fn update_preferences(
        &self,
        actor: Actor,
        preferences: Preferences,
    ) -> Result<CandidateProfile, PortalError> {
        let mut profile = self.profile(actor).await?;
        let mut fields = Vec::new();
        let mut job_types = preferences.preferred_job_types;
        job_types.dedup();
        let locations = clean_list(
            &preferences.preferred_locations,
            "preferred_locations",
            MAX_LOCATIONS,
            MAX_LOCATION_CHARS,
            &mut fields,
        );
        for (field, value) in [
            ("salary_min", preferences.salary_min),
            ("salary_max", preferences.salary_max),
        ] {
            if value.is_some_and(|value| value > MAX_SALARY) {
                problem(&mut fields, field, format!("at most {MAX_SALARY}"));
            }
        }
        if let (Some(min), Some(max)) = (preferences.salary_min, preferences.salary_max)
            && min > max
        {
            problem(&mut fields, "salary_min", "must not be above salary_max");
        }
        let currency = preferences
            .salary_currency
            .map(|c| c.trim().to_ascii_uppercase());
        if currency
            .as_deref()
            .is_some_and(|c| c.len() != 3 || !c.chars().all(|c| c.is_ascii_uppercase()))
        {
            problem(
                &mut fields,
                "salary_currency",
                "a three-letter ISO 4217 code, e.g. EUR",
            );
        }
        if preferences.experience_years.is_some_and(|years| years > 60) {
            problem(&mut fields, "experience_years", "at most 60");
        }
        if !fields.is_empty() {
            return Err(PortalError::Validation(fields));
        }
        profile.preferred_job_types = job_types;
        profile.preferred_locations = locations;
        profile.preferred_work_setup = preferences.preferred_work_setup;
        profile.salary_min = preferences.salary_min;
        profile.salary_max = preferences.salary_max;
        profile.salary_currency = currency;
        if preferences.experience_years.is_some() {
            profile.experience_years = preferences.experience_years;
        }
        self.store(profile).await
    }
}
