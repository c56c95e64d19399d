//! Candidate profiles on sea-orm: the name and phone on `candidates`, the rest in
//! `candidate_profiles` (defaults until a candidate first saves it).

use async_trait::async_trait;
use interview_core::ids::CandidateId;
use interview_core::portal::{CandidateProfile, SkillsSource, WorkPreference};
use interview_core::ports::{ProfileRepository, RepositoryError};
use interview_core::recruiting::EmploymentType;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::connection::Database;
use crate::entities::{candidate_profiles, candidates};
use crate::error::{corrupt, translate};
use crate::mapping::{from_json, json, parse};

/// Profiles.
#[derive(Clone)]
pub struct SeaOrmProfiles {
    database: Database,
}

impl SeaOrmProfiles {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn profile(
    account: candidates::Model,
    row: Option<candidate_profiles::Model>,
) -> Result<CandidateProfile, RepositoryError> {
    let mut profile = CandidateProfile {
        candidate_id: CandidateId::from_uuid(account.id),
        email: account.email,
        full_name: account.full_name,
        phone: account.phone,
        skills: Vec::new(),
        skills_source: SkillsSource::None,
        experience_years: None,
        preferred_job_types: Vec::new(),
        preferred_locations: Vec::new(),
        preferred_work_setup: None,
        salary_min: None,
        salary_max: None,
        salary_currency: None,
        created_at: account.created_at,
        updated_at: account.updated_at,
    };
    let Some(row) = row else {
        return Ok(profile);
    };
    let unsigned = |value: Option<i64>, what: &str| {
        value
            .map(|value| u64::try_from(value).map_err(|error| corrupt(what, error)))
            .transpose()
    };
    let job_types: Vec<String> = from_json(row.preferred_job_types, "preferred job types")?;
    profile.skills = from_json(row.skills, "profile skills")?;
    profile.skills_source = parse::<SkillsSource>(&row.skills_source, "skills source")?;
    profile.experience_years = row
        .experience_years
        .map(|years| u32::try_from(years).map_err(|error| corrupt("experience years", error)))
        .transpose()?;
    profile.preferred_job_types = job_types
        .iter()
        .map(|kind| parse::<EmploymentType>(kind, "preferred job type"))
        .collect::<Result<_, _>>()?;
    profile.preferred_locations = from_json(row.preferred_locations, "preferred locations")?;
    profile.preferred_work_setup = row
        .preferred_work_setup
        .as_deref()
        .map(|setup| parse::<WorkPreference>(setup, "preferred work setup"))
        .transpose()?;
    profile.salary_min = unsigned(row.salary_min, "salary minimum")?;
    profile.salary_max = unsigned(row.salary_max, "salary maximum")?;
    profile.salary_currency = row.salary_currency;
    profile.updated_at = profile.updated_at.max(row.updated_at);
    Ok(profile)
}

fn signed(value: Option<u64>, what: &str) -> Result<Option<i64>, RepositoryError> {
    value
        .map(|value| i64::try_from(value).map_err(|error| corrupt(what, error)))
        .transpose()
}

/// The profile row of `profile` (without the account's fields).
pub(crate) fn profile_row(
    profile: &CandidateProfile,
) -> Result<candidate_profiles::ActiveModel, RepositoryError> {
    let job_types: Vec<&str> = profile
        .preferred_job_types
        .iter()
        .map(|kind| kind.as_str())
        .collect();
    Ok(candidate_profiles::ActiveModel {
        candidate_id: Set(profile.candidate_id.as_uuid()),
        skills: Set(json(&profile.skills, "profile skills")?),
        skills_source: Set(profile.skills_source.as_str().to_owned()),
        experience_years: Set(profile
            .experience_years
            .map(|years| i32::try_from(years).unwrap_or(i32::MAX))),
        preferred_job_types: Set(json(&job_types, "preferred job types")?),
        preferred_locations: Set(json(&profile.preferred_locations, "preferred locations")?),
        preferred_work_setup: Set(profile.preferred_work_setup.map(|s| s.as_str().to_owned())),
        salary_min: Set(signed(profile.salary_min, "salary minimum")?),
        salary_max: Set(signed(profile.salary_max, "salary maximum")?),
        salary_currency: Set(profile.salary_currency.clone()),
        updated_at: Set(profile.updated_at),
    })
}

/// Inserts or replaces a profile row inside the caller's transaction.
pub(crate) async fn upsert(
    connection: &impl ConnectionTrait,
    row: candidate_profiles::ActiveModel,
) -> Result<(), RepositoryError> {
    use candidate_profiles::Column;
    candidate_profiles::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::CandidateId)
                .update_columns([
                    Column::Skills,
                    Column::SkillsSource,
                    Column::ExperienceYears,
                    Column::PreferredJobTypes,
                    Column::PreferredLocations,
                    Column::PreferredWorkSetup,
                    Column::SalaryMin,
                    Column::SalaryMax,
                    Column::SalaryCurrency,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(connection)
        .await
        .map_err(translate)?;
    Ok(())
}

#[async_trait]
impl ProfileRepository for SeaOrmProfiles {
    async fn profile(
        &self,
        candidate: CandidateId,
    ) -> Result<Option<CandidateProfile>, RepositoryError> {
        let connection = self.database.connection();
        let Some(account) = candidates::Entity::find_by_id(candidate.as_uuid())
            .one(connection)
            .await
            .map_err(translate)?
        else {
            return Ok(None);
        };
        let row = candidate_profiles::Entity::find_by_id(candidate.as_uuid())
            .one(connection)
            .await
            .map_err(translate)?;
        profile(account, row).map(Some)
    }

    async fn save(&self, saved: &CandidateProfile) -> Result<(), RepositoryError> {
        let row = profile_row(saved)?;
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        let account = candidates::Entity::update_many()
            .col_expr(
                candidates::Column::FullName,
                Expr::value(saved.full_name.clone()),
            )
            .col_expr(candidates::Column::Phone, Expr::value(saved.phone.clone()))
            .col_expr(candidates::Column::UpdatedAt, Expr::value(saved.updated_at))
            .filter(candidates::Column::Id.eq(saved.candidate_id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if account.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        upsert(&transaction, row).await?;
        transaction.commit().await.map_err(translate)
    }
}
