//! Job postings on sea-orm, with the public listing's search.
//!
//! Text filters compare lower-cased text with `LIKE` on both backends: the tech stack as the
//! lower-cased text of its JSON array, looking for the JSON string of the wanted entry, and the
//! location, title, company and description as substrings. PostgreSQL lower-cases every
//! letter; SQLite's `lower()` only ASCII ones, so on SQLite a non-ASCII letter matches only in
//! the case it was written in.

use async_trait::async_trait;
use interview_core::ids::{JobPostingId, OrganizationId, RecruiterId};
use interview_core::model::RoleType;
use interview_core::ports::{JobPostingRepository, RepositoryError};
use interview_core::recruiting::{
    EmploymentType, ExperienceLevel, JobPosting, PostingFilter, PostingPage, PostingStatus,
    WorkSetup,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, LikeExpr};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::connection::Database;
use crate::entities::job_postings;
use crate::error::translate;
use crate::mapping::{from_json, json, parse, skill_list};

/// Job postings.
#[derive(Clone)]
pub struct SeaOrmJobPostings {
    database: Database,
}

impl SeaOrmJobPostings {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn posting_row(posting: &JobPosting) -> Result<job_postings::ActiveModel, RepositoryError> {
    Ok(job_postings::ActiveModel {
        id: Set(posting.id.as_uuid()),
        organization_id: Set(posting.organization_id.as_uuid()),
        title: Set(posting.title.clone()),
        company: Set(posting.company.clone()),
        description: Set(posting.description.clone()),
        role_category: Set(posting.role_category.as_str().to_owned()),
        tech_stack: Set(json(&posting.tech_stack, "tech stack")?),
        required_skills: Set(skill_list(&posting.required_skills)),
        employment_type: Set(posting.employment_type.as_str().to_owned()),
        work_setup: Set(posting.work_setup.as_str().to_owned()),
        experience_level: Set(posting.experience_level.as_str().to_owned()),
        location: Set(posting.location.clone()),
        salary_min: Set(posting.salary_min),
        salary_max: Set(posting.salary_max),
        salary_currency: Set(posting.salary_currency.clone()),
        status: Set(posting.status.as_str().to_owned()),
        created_by: Set(posting.created_by.as_uuid()),
        created_at: Set(posting.created_at),
        updated_at: Set(posting.updated_at),
    })
}

fn posting(row: job_postings::Model) -> Result<JobPosting, RepositoryError> {
    Ok(JobPosting {
        id: JobPostingId::from_uuid(row.id),
        organization_id: OrganizationId::from_uuid(row.organization_id),
        title: row.title,
        company: row.company,
        description: row.description,
        role_category: parse::<RoleType>(&row.role_category, "role category")?,
        tech_stack: from_json(row.tech_stack, "tech stack")?,
        required_skills: from_json(row.required_skills, "required skills")?,
        employment_type: parse::<EmploymentType>(&row.employment_type, "employment type")?,
        work_setup: parse::<WorkSetup>(&row.work_setup, "work setup")?,
        experience_level: parse::<ExperienceLevel>(&row.experience_level, "experience level")?,
        location: row.location,
        salary_min: row.salary_min,
        salary_max: row.salary_max,
        salary_currency: row.salary_currency,
        status: parse::<PostingStatus>(&row.status, "posting status")?,
        created_by: RecruiterId::from_uuid(row.created_by),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A `LIKE` pattern (escape character `!`) for text containing `needle`.
fn containing(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `lower(column)` contains the lower-cased `needle`.
fn contains(column: &str, needle: &str) -> Expr {
    Expr::cust(format!("lower({column})"))
        .like(LikeExpr::new(containing(&needle.to_lowercase())).escape('!'))
}

/// What a trimmed filter text asks for, if anything.
fn wanted(text: Option<&String>) -> Option<&str> {
    text.map(|text| text.trim()).filter(|text| !text.is_empty())
}

fn condition(filter: &PostingFilter) -> Result<Condition, RepositoryError> {
    use job_postings::Column;
    let mut condition = Condition::all();
    if filter.open_only {
        condition = condition.add(Column::Status.eq(PostingStatus::Open.as_str()));
    }
    if let Some(organization) = filter.organization {
        condition = condition.add(Column::OrganizationId.eq(organization.as_uuid()));
    }
    if let Some(role) = filter.role_category {
        condition = condition.add(Column::RoleCategory.eq(role.as_str()));
    }
    if let Some(value) = filter.employment_type {
        condition = condition.add(Column::EmploymentType.eq(value.as_str()));
    }
    if let Some(value) = filter.work_setup {
        condition = condition.add(Column::WorkSetup.eq(value.as_str()));
    }
    if let Some(value) = filter.experience_level {
        condition = condition.add(Column::ExperienceLevel.eq(value.as_str()));
    }
    if let Some(technology) = wanted(filter.tech_stack.as_ref()) {
        // an entry of the array is the JSON string `"<entry>"`, whichever backend printed it
        let entry = serde_json::to_string(technology)
            .map_err(|error| crate::error::corrupt("tech stack filter", error))?;
        condition = condition.add(contains("CAST(tech_stack AS text)", &entry));
    }
    if let Some(location) = wanted(filter.location.as_ref()) {
        condition = condition.add(contains("location", location));
    }
    if let Some(search) = wanted(filter.search.as_ref()) {
        condition = condition.add(
            Condition::any()
                .add(contains("title", search))
                .add(contains("company", search))
                .add(contains("description", search)),
        );
    }
    Ok(condition)
}

#[async_trait]
impl JobPostingRepository for SeaOrmJobPostings {
    async fn insert(&self, posting: &JobPosting) -> Result<(), RepositoryError> {
        let row = posting_row(posting)?;
        let _permit = self.database.write_permit().await;
        job_postings::Entity::insert(row)
            .exec_without_returning(self.database.connection())
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(message) => RepositoryError::Duplicate(message),
                other => other,
            })?;
        Ok(())
    }

    async fn update(&self, posting: &JobPosting) -> Result<(), RepositoryError> {
        let mut row = posting_row(posting)?;
        // the identity, owner, author and creation time never change
        row.id = NotSet;
        row.organization_id = NotSet;
        row.created_by = NotSet;
        row.created_at = NotSet;
        let _permit = self.database.write_permit().await;
        let result = job_postings::Entity::update_many()
            .set(row)
            .filter(job_postings::Column::Id.eq(posting.id.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        Ok(())
    }

    async fn by_id(&self, id: JobPostingId) -> Result<Option<JobPosting>, RepositoryError> {
        job_postings::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(posting)
            .transpose()
    }

    async fn search(
        &self,
        filter: &PostingFilter,
        skip: u64,
        limit: u64,
    ) -> Result<PostingPage, RepositoryError> {
        let query = job_postings::Entity::find().filter(condition(filter)?);
        let connection = self.database.connection();
        let total = query.clone().count(connection).await.map_err(translate)?;
        let postings = if limit == 0 || skip >= total {
            Vec::new()
        } else {
            query
                .order_by_desc(job_postings::Column::CreatedAt)
                .order_by_desc(job_postings::Column::Id)
                .offset(skip)
                .limit(limit)
                .all(connection)
                .await
                .map_err(translate)?
                .into_iter()
                .map(posting)
                .collect::<Result<_, _>>()?
        };
        Ok(PostingPage { total, postings })
    }
}
