//! Resumes and the feedback on them, on sea-orm. A resume and its parsing job are stored
//! together; parsing's outcome (with the profile's skills and the feedback) is stored with the
//! job's completion under its lease; a feedback decision is a compare-and-set on its status.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::ids::{CandidateId, OrganizationId, RecruiterId, ResumeFeedbackId, ResumeId};
use interview_core::jobs::{ClaimedJob, JobState, NewJob};
use interview_core::portal::{
    CandidateProfile, Feedback, FeedbackState, ParseStatus, SkillsSource, StoredResume,
};
use interview_core::ports::{
    DocumentFormat, FeedbackRepository, FeedbackRow, ParseOutcome, RepositoryError,
    ResumeRepository,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use crate::connection::Database;
use crate::entities::{applications, candidate_profiles, candidates, resume_feedback, resumes};
use crate::error::{corrupt, translate};
use crate::mapping::{from_json, json, parse};

/// Resumes and their feedback.
#[derive(Clone)]
pub struct SeaOrmResumes {
    database: Database,
}

impl SeaOrmResumes {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn resume(row: resumes::Model) -> Result<StoredResume, RepositoryError> {
    Ok(StoredResume {
        id: ResumeId::from_uuid(row.id),
        candidate_id: CandidateId::from_uuid(row.candidate_id),
        file_name: row.file_name,
        file_size: u64::try_from(row.file_size).map_err(|error| corrupt("file size", error))?,
        format: parse::<DocumentFormat>(&row.format, "resume format")?,
        is_active: row.is_active,
        uploaded_at: row.uploaded_at,
        parsing_status: parse::<ParseStatus>(&row.parsing_status, "parsing status")?,
        parsing_error: row.parsing_error,
        parsed_at: row.parsed_at,
        facts: row
            .parsed_data
            .map(|value| from_json(value, "resume facts"))
            .transpose()?,
    })
}

fn feedback_row(feedback: &Feedback) -> Result<resume_feedback::ActiveModel, RepositoryError> {
    Ok(resume_feedback::ActiveModel {
        id: Set(feedback.id.as_uuid()),
        resume_id: Set(feedback.resume_id.as_uuid()),
        candidate_id: Set(feedback.candidate_id.as_uuid()),
        feedback_content: Set(feedback.content.clone()),
        improvement_areas: Set(json(&feedback.improvement_areas, "improvement areas")?),
        recommended_resources: Set(json(&feedback.recommended_resources, "resources")?),
        status: Set(feedback.status.as_str().to_owned()),
        generated_at: Set(feedback.generated_at),
        auto_send_at: Set(feedback.auto_send_at),
        edited_by: Set(feedback.edited_by.map(RecruiterId::as_uuid)),
        decided_by: Set(feedback.decided_by.map(RecruiterId::as_uuid)),
        decided_at: Set(feedback.decided_at),
        sent_at: Set(feedback.sent_at),
    })
}

fn feedback(row: resume_feedback::Model) -> Result<Feedback, RepositoryError> {
    Ok(Feedback {
        id: ResumeFeedbackId::from_uuid(row.id),
        resume_id: ResumeId::from_uuid(row.resume_id),
        candidate_id: CandidateId::from_uuid(row.candidate_id),
        content: row.feedback_content,
        improvement_areas: from_json(row.improvement_areas, "improvement areas")?,
        recommended_resources: from_json(row.recommended_resources, "resources")?,
        status: parse::<FeedbackState>(&row.status, "feedback status")?,
        generated_at: row.generated_at,
        auto_send_at: row.auto_send_at,
        edited_by: row.edited_by.map(RecruiterId::from_uuid),
        decided_by: row.decided_by.map(RecruiterId::from_uuid),
        decided_at: row.decided_at,
        sent_at: row.sent_at,
    })
}

impl SeaOrmResumes {
    /// Feedback rows with their candidates' names and emails.
    async fn with_candidates(
        &self,
        rows: Vec<resume_feedback::Model>,
    ) -> Result<Vec<FeedbackRow>, RepositoryError> {
        let ids: Vec<_> = rows.iter().map(|row| row.candidate_id).collect();
        let people = candidates::Entity::find()
            .filter(candidates::Column::Id.is_in(ids))
            .all(self.database.connection())
            .await
            .map_err(translate)?;
        rows.into_iter()
            .map(|row| {
                let person = people
                    .iter()
                    .find(|person| person.id == row.candidate_id)
                    .ok_or_else(|| corrupt("feedback candidate", "missing"))?;
                Ok(FeedbackRow {
                    candidate_name: person.full_name.clone(),
                    candidate_email: person.email.clone(),
                    feedback: feedback(row)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl ResumeRepository for SeaOrmResumes {
    async fn insert(
        &self,
        stored: &StoredResume,
        parse_job: &NewJob,
        limit: u32,
    ) -> Result<(), RepositoryError> {
        let row = resumes::ActiveModel {
            id: Set(stored.id.as_uuid()),
            candidate_id: Set(stored.candidate_id.as_uuid()),
            file_url: Set(format!(
                "candidates/{}/resumes/{}.{}",
                stored.candidate_id, stored.id, stored.format
            )),
            file_name: Set(stored.file_name.clone()),
            file_size: Set(i64::try_from(stored.file_size).unwrap_or(i64::MAX)),
            uploaded_at: Set(stored.uploaded_at),
            parsed_at: Set(None),
            parsing_status: Set(stored.parsing_status.as_str().to_owned()),
            parsed_data: Set(None),
            format: Set(stored.format.as_str().to_owned()),
            is_active: Set(false),
            parsing_error: Set(None),
        };
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        // the candidate's row serialises concurrent uploads on PostgreSQL (SQLite has one writer)
        candidates::Entity::find_by_id(stored.candidate_id.as_uuid())
            .lock_exclusive()
            .one(&transaction)
            .await
            .map_err(translate)?
            .ok_or_else(|| RepositoryError::MissingReference("candidate".into()))?;
        let held = resumes::Entity::find()
            .filter(resumes::Column::CandidateId.eq(stored.candidate_id.as_uuid()))
            .count(&transaction)
            .await
            .map_err(translate)?;
        if held >= u64::from(limit) {
            return Err(RepositoryError::Conflict("resume limit".into()));
        }
        resumes::Entity::insert(row)
            .exec_without_returning(&transaction)
            .await
            .map_err(translate)?;
        crate::jobs::insert(&transaction, std::slice::from_ref(parse_job)).await?;
        transaction.commit().await.map_err(translate)
    }

    async fn by_id(&self, id: ResumeId) -> Result<Option<StoredResume>, RepositoryError> {
        resumes::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(resume)
            .transpose()
    }

    async fn list(&self, candidate: CandidateId) -> Result<Vec<StoredResume>, RepositoryError> {
        resumes::Entity::find()
            .filter(resumes::Column::CandidateId.eq(candidate.as_uuid()))
            .order_by_desc(resumes::Column::UploadedAt)
            .order_by_desc(resumes::Column::Id)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(resume)
            .collect()
    }

    async fn delete(&self, id: ResumeId) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        resume_feedback::Entity::delete_many()
            .filter(resume_feedback::Column::ResumeId.eq(id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        let deleted = resumes::Entity::delete_by_id(id.as_uuid())
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if deleted.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        transaction.commit().await.map_err(translate)
    }

    async fn activate(&self, candidate: CandidateId, id: ResumeId) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        resumes::Entity::update_many()
            .col_expr(resumes::Column::IsActive, Expr::value(false))
            .filter(resumes::Column::CandidateId.eq(candidate.as_uuid()))
            .filter(resumes::Column::Id.ne(id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        let activated = resumes::Entity::update_many()
            .col_expr(resumes::Column::IsActive, Expr::value(true))
            .filter(resumes::Column::CandidateId.eq(candidate.as_uuid()))
            .filter(resumes::Column::Id.eq(id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if activated.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        transaction.commit().await.map_err(translate)
    }

    async fn start_parsing(&self, id: ResumeId) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        resumes::Entity::update_many()
            .col_expr(
                resumes::Column::ParsingStatus,
                Expr::value(ParseStatus::Processing.as_str()),
            )
            .filter(resumes::Column::Id.eq(id.as_uuid()))
            .filter(resumes::Column::ParsingStatus.eq(ParseStatus::Pending.as_str()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(())
    }

    async fn finish_parsing(
        &self,
        job: &ClaimedJob,
        id: ResumeId,
        outcome: &ParseOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        crate::jobs::finish(&transaction, job, JobState::Succeeded, at, []).await?;
        let update = resumes::Entity::update_many()
            .col_expr(resumes::Column::ParsedAt, Expr::value(Some(at)));
        let update = match outcome {
            ParseOutcome::Failed { reason } => update
                .col_expr(
                    resumes::Column::ParsingStatus,
                    Expr::value(ParseStatus::Failed.as_str()),
                )
                .col_expr(
                    resumes::Column::ParsingError,
                    Expr::value(Some(reason.clone())),
                ),
            ParseOutcome::Completed { facts, .. } => update
                .col_expr(
                    resumes::Column::ParsingStatus,
                    Expr::value(ParseStatus::Completed.as_str()),
                )
                .col_expr(
                    resumes::Column::ParsingError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    resumes::Column::ParsedData,
                    Expr::value(Some(json(facts, "resume facts")?)),
                ),
        };
        update
            .filter(resumes::Column::Id.eq(id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if let ParseOutcome::Completed {
            profile_skills,
            feedback: drafted,
            ..
        } = outcome
        {
            if let Some(skills) = profile_skills {
                let row = resumes::Entity::find_by_id(id.as_uuid())
                    .one(&transaction)
                    .await
                    .map_err(translate)?
                    .ok_or(RepositoryError::NotFound)?;
                let existing = candidate_profiles::Entity::find_by_id(row.candidate_id)
                    .one(&transaction)
                    .await
                    .map_err(translate)?;
                match existing {
                    // the candidate set their own skills meanwhile: theirs stay
                    Some(profile) if profile.skills_source == SkillsSource::Candidate.as_str() => {}
                    Some(_) => {
                        candidate_profiles::Entity::update_many()
                            .col_expr(
                                candidate_profiles::Column::Skills,
                                Expr::value(json(skills, "profile skills")?),
                            )
                            .col_expr(
                                candidate_profiles::Column::SkillsSource,
                                Expr::value(SkillsSource::Resume.as_str()),
                            )
                            .col_expr(candidate_profiles::Column::UpdatedAt, Expr::value(at))
                            .filter(candidate_profiles::Column::CandidateId.eq(row.candidate_id))
                            .exec(&transaction)
                            .await
                            .map_err(translate)?;
                    }
                    None => {
                        let fresh = CandidateProfile {
                            candidate_id: CandidateId::from_uuid(row.candidate_id),
                            email: String::new(),
                            full_name: String::new(),
                            phone: None,
                            skills: skills.clone(),
                            skills_source: SkillsSource::Resume,
                            experience_years: None,
                            preferred_job_types: Vec::new(),
                            preferred_locations: Vec::new(),
                            preferred_work_setup: None,
                            salary_min: None,
                            salary_max: None,
                            salary_currency: None,
                            created_at: at,
                            updated_at: at,
                        };
                        crate::profiles::upsert(
                            &transaction,
                            crate::profiles::profile_row(&fresh)?,
                        )
                        .await?;
                    }
                }
            }
            if let Some(drafted) = drafted {
                resume_feedback::Entity::insert(feedback_row(drafted)?)
                    .exec_without_returning(&transaction)
                    .await
                    .map_err(translate)?;
            }
        }
        transaction.commit().await.map_err(translate)
    }
}

#[async_trait]
impl FeedbackRepository for SeaOrmResumes {
    async fn by_id(&self, id: ResumeFeedbackId) -> Result<Option<FeedbackRow>, RepositoryError> {
        let Some(row) = resume_feedback::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
        else {
            return Ok(None);
        };
        Ok(self.with_candidates(vec![row]).await?.pop())
    }

    async fn for_resume(&self, id: ResumeId) -> Result<Option<Feedback>, RepositoryError> {
        resume_feedback::Entity::find()
            .filter(resume_feedback::Column::ResumeId.eq(id.as_uuid()))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(feedback)
            .transpose()
    }

    async fn visible(
        &self,
        organization: OrganizationId,
        default_organization: bool,
        status: Option<FeedbackState>,
        limit: u64,
    ) -> Result<Vec<FeedbackRow>, RepositoryError> {
        let mut query = resume_feedback::Entity::find();
        if let Some(status) = status {
            query = query.filter(resume_feedback::Column::Status.eq(status.as_str()));
        }
        if !default_organization {
            let applicants = Query::select()
                .column(applications::Column::CandidateId)
                .from(applications::Entity)
                .and_where(
                    Expr::col(applications::Column::OrganizationId).eq(organization.as_uuid()),
                )
                .to_owned();
            query = query.filter(resume_feedback::Column::CandidateId.in_subquery(applicants));
        }
        let rows = query
            .order_by_asc(resume_feedback::Column::GeneratedAt)
            .order_by_asc(resume_feedback::Column::Id)
            .limit(limit)
            .all(self.database.connection())
            .await
            .map_err(translate)?;
        self.with_candidates(rows).await
    }

    async fn applied_to(
        &self,
        candidate: CandidateId,
        organization: OrganizationId,
    ) -> Result<bool, RepositoryError> {
        Ok(applications::Entity::find()
            .filter(applications::Column::CandidateId.eq(candidate.as_uuid()))
            .filter(applications::Column::OrganizationId.eq(organization.as_uuid()))
            .count(self.database.connection())
            .await
            .map_err(translate)?
            > 0)
    }

    async fn update(
        &self,
        changed: &Feedback,
        expected: FeedbackState,
        job: Option<NewJob>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        let result = resume_feedback::Entity::update_many()
            .col_expr(
                resume_feedback::Column::FeedbackContent,
                Expr::value(changed.content.clone()),
            )
            .col_expr(
                resume_feedback::Column::Status,
                Expr::value(changed.status.as_str()),
            )
            .col_expr(
                resume_feedback::Column::EditedBy,
                Expr::value(changed.edited_by.map(RecruiterId::as_uuid)),
            )
            .col_expr(
                resume_feedback::Column::DecidedBy,
                Expr::value(changed.decided_by.map(RecruiterId::as_uuid)),
            )
            .col_expr(
                resume_feedback::Column::DecidedAt,
                Expr::value(changed.decided_at),
            )
            .filter(resume_feedback::Column::Id.eq(changed.id.as_uuid()))
            .filter(resume_feedback::Column::Status.eq(expected.as_str()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::Conflict(
                "the feedback's status moved".into(),
            ));
        }
        if let Some(job) = job {
            crate::jobs::insert(&transaction, std::slice::from_ref(&job)).await?;
        }
        transaction.commit().await.map_err(translate)
    }

    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ResumeFeedbackId>, RepositoryError> {
        Ok(resume_feedback::Entity::find()
            .select_only()
            .column(resume_feedback::Column::Id)
            .filter(resume_feedback::Column::Status.eq(FeedbackState::PendingApproval.as_str()))
            .filter(resume_feedback::Column::AutoSendAt.lte(now))
            .order_by_asc(resume_feedback::Column::AutoSendAt)
            .limit(limit)
            .into_tuple::<uuid::Uuid>()
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(ResumeFeedbackId::from_uuid)
            .collect())
    }

    async fn mark_sent(
        &self,
        job: &ClaimedJob,
        id: ResumeFeedbackId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        crate::jobs::finish(&transaction, job, JobState::Succeeded, at, []).await?;
        resume_feedback::Entity::update_many()
            .col_expr(
                resume_feedback::Column::Status,
                Expr::value(FeedbackState::Sent.as_str()),
            )
            .col_expr(resume_feedback::Column::SentAt, Expr::value(Some(at)))
            .filter(resume_feedback::Column::Id.eq(id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        transaction.commit().await.map_err(translate)
    }
}
