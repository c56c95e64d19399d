//! Applications and hiring decisions on sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::ids::{
    ApplicationId, CandidateId, InterviewId, JobPostingId, OrganizationId, RecruiterId,
};
use interview_core::jobs::NewJob;
use interview_core::ports::{ApplicationRepository, RepositoryError};
use interview_core::recruiting::{Application, ApplicationStatus, Decision, DecisionKind};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use uuid::Uuid;

use crate::connection::Database;
use crate::entities::{applications, interview_decisions};
use crate::error::translate;
use crate::mapping::parse;

/// Applications and decisions.
#[derive(Clone)]
pub struct SeaOrmApplications {
    database: Database,
}

impl SeaOrmApplications {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn application_row(application: &Application) -> applications::ActiveModel {
    applications::ActiveModel {
        id: Set(application.id.as_uuid()),
        job_posting_id: Set(application.job_posting_id.as_uuid()),
        candidate_id: Set(application.candidate_id.as_uuid()),
        organization_id: Set(application.organization_id.as_uuid()),
        status: Set(application.status.as_str().to_owned()),
        interview_id: Set(application.interview_id.map(InterviewId::as_uuid)),
        created_at: Set(application.created_at),
        updated_at: Set(application.updated_at),
    }
}

fn application(row: &applications::Model) -> Result<Application, RepositoryError> {
    Ok(Application {
        id: ApplicationId::from_uuid(row.id),
        job_posting_id: JobPostingId::from_uuid(row.job_posting_id),
        candidate_id: CandidateId::from_uuid(row.candidate_id),
        organization_id: OrganizationId::from_uuid(row.organization_id),
        status: parse::<ApplicationStatus>(&row.status, "application status")?,
        interview_id: row.interview_id.map(InterviewId::from_uuid),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn decision(row: interview_decisions::Model) -> Result<Decision, RepositoryError> {
    Ok(Decision {
        interview_id: InterviewId::from_uuid(row.interview_id),
        decision: parse::<DecisionKind>(&row.decision, "decision")?,
        note: row.note,
        decided_by: RecruiterId::from_uuid(row.decided_by),
        decided_at: row.decided_at,
    })
}

#[async_trait]
impl ApplicationRepository for SeaOrmApplications {
    async fn insert(
        &self,
        application: &Application,
        events: &[NewJob],
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        applications::Entity::insert(application_row(application))
            .exec_without_returning(&transaction)
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(_) => RepositoryError::Duplicate("application".into()),
                other => other,
            })?;
        crate::jobs::insert(&transaction, events).await?;
        transaction.commit().await.map_err(translate)
    }

    async fn by_id(&self, id: ApplicationId) -> Result<Option<Application>, RepositoryError> {
        applications::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .as_ref()
            .map(application)
            .transpose()
    }

    async fn for_candidate(
        &self,
        candidate: CandidateId,
    ) -> Result<Vec<Application>, RepositoryError> {
        applications::Entity::find()
            .filter(applications::Column::CandidateId.eq(candidate.as_uuid()))
            .order_by_desc(applications::Column::CreatedAt)
            .order_by_desc(applications::Column::Id)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .iter()
            .map(application)
            .collect()
    }

    async fn for_interview(
        &self,
        interview: InterviewId,
    ) -> Result<Option<Application>, RepositoryError> {
        applications::Entity::find()
            .filter(applications::Column::InterviewId.eq(interview.as_uuid()))
            .order_by_desc(applications::Column::UpdatedAt)
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .as_ref()
            .map(application)
            .transpose()
    }

    async fn record_decision(
        &self,
        decision: &Decision,
        status: ApplicationStatus,
        events: &[NewJob],
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        interview_decisions::Entity::insert(interview_decisions::ActiveModel {
            id: Set(Uuid::now_v7()),
            interview_id: Set(decision.interview_id.as_uuid()),
            decision: Set(decision.decision.as_str().to_owned()),
            note: Set(decision.note.clone()),
            decided_by: Set(decision.decided_by.as_uuid()),
            decided_at: Set(decision.decided_at),
        })
        .exec_without_returning(&transaction)
        .await
        .map_err(translate)?;
        applications::Entity::update_many()
            .col_expr(applications::Column::Status, Expr::value(status.as_str()))
            .col_expr(
                applications::Column::UpdatedAt,
                Expr::value(decision.decided_at),
            )
            .filter(applications::Column::InterviewId.eq(decision.interview_id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        crate::jobs::insert(&transaction, events).await?;
        transaction.commit().await.map_err(translate)
    }

    async fn decision(&self, interview: InterviewId) -> Result<Option<Decision>, RepositoryError> {
        interview_decisions::Entity::find()
            .filter(interview_decisions::Column::InterviewId.eq(interview.as_uuid()))
            .order_by_desc(interview_decisions::Column::DecidedAt)
            .order_by_desc(interview_decisions::Column::Id)
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(decision)
            .transpose()
    }
}

/// Links an application to the interview started for it and moves it to `interviewing`, unless
/// it already has one; part of the interview's creation.
///
/// # Errors
/// [`RepositoryError::Conflict`] when the application is unknown or already has an interview.
pub(crate) async fn link_application(
    connection: &impl sea_orm::ConnectionTrait,
    application: ApplicationId,
    interview: InterviewId,
    at: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    let result = applications::Entity::update_many()
        .col_expr(
            applications::Column::InterviewId,
            Expr::value(Some(interview.as_uuid())),
        )
        .col_expr(
            applications::Column::Status,
            Expr::value(ApplicationStatus::Interviewing.as_str()),
        )
        .col_expr(applications::Column::UpdatedAt, Expr::value(at))
        .filter(applications::Column::Id.eq(application.as_uuid()))
        .filter(applications::Column::InterviewId.is_null())
        .exec(connection)
        .await
        .map_err(translate)?;
    if result.rows_affected == 0 {
        return Err(RepositoryError::Conflict(format!(
            "application {application} is unknown or already has an interview"
        )));
    }
    Ok(())
}
