//! Assessments (every version) and the browser's integrity events on sea-orm.
//!
//! An assessment's structured parts (scores per skill, the boundary map, claims, flags) are
//! stored as JSON in the domain's own serde form; its cost as integer nano-dollars, like every
//! other amount of money.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::assessment::{Assessment, Recommendation};
use interview_core::ids::{AssessmentId, InterviewId};
use interview_core::jobs::{ClaimedJob, JobState, NewJob};
use interview_core::ports::{AssessmentCharge, AssessmentRepository, RepositoryError};
use interview_core::rules::integrity::{ClientEvent, ClientEventKind};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use uuid::Uuid;

use crate::connection::Database;
use crate::entities::{assessment_results, interview_events, interview_sessions, interviews};
use crate::error::{corrupt, translate};
use crate::mapping::{from_json, from_nanos, json, parse, to_nanos};

/// Assessments and integrity events.
#[derive(Clone)]
pub struct SeaOrmAssessments {
    database: Database,
}

impl SeaOrmAssessments {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn assessment_row(
    assessment: &Assessment,
) -> Result<assessment_results::ActiveModel, RepositoryError> {
    Ok(assessment_results::ActiveModel {
        id: Set(assessment.id.as_uuid()),
        interview_id: Set(assessment.interview_id.as_uuid()),
        version: Set(assessment.version),
        overall_score: Set(i32::from(assessment.overall_score)),
        skill_scores: Set(json(&assessment.skill_scores, "skill scores")?),
        skill_boundary_map: Set(json(&assessment.skill_boundary_map, "skill boundary map")?),
        strengths: Set(json(&assessment.strengths, "strengths")?),
        growth_areas: Set(json(&assessment.growth_areas, "growth areas")?),
        highlights: Set(json(&assessment.highlights, "highlights")?),
        integrity_score: Set(i32::from(assessment.integrity_score)),
        integrity_flags: Set(json(&assessment.integrity_flags, "integrity flags")?),
        ai_reasoning: Set(assessment.ai_reasoning.clone()),
        recommendation: Set(assessment.recommendation.as_str().to_owned()),
        recommended_actions: Set(json(
            &assessment.recommended_actions,
            "recommended actions",
        )?),
        generated_at: Set(assessment.generated_at),
        generator: Set(assessment.generator.clone()),
        prompt_version: Set(assessment.prompt_version.clone()),
        cost_usd_nanos: Set(to_nanos(assessment.cost_usd)),
        tokens_used: Set(assessment.tokens_used),
        is_fallback: Set(assessment.fallback),
    })
}

fn score(value: i32, what: &str) -> Result<u8, RepositoryError> {
    u8::try_from(value)
        .ok()
        .filter(|score| *score <= 100)
        .ok_or_else(|| corrupt(what, format!("{value} is not within 0..=100")))
}

fn assessment(row: assessment_results::Model) -> Result<Assessment, RepositoryError> {
    Ok(Assessment {
        id: AssessmentId::from_uuid(row.id),
        interview_id: InterviewId::from_uuid(row.interview_id),
        version: row.version,
        overall_score: score(row.overall_score, "overall score")?,
        skill_scores: from_json(row.skill_scores, "skill scores")?,
        skill_boundary_map: from_json(row.skill_boundary_map, "skill boundary map")?,
        strengths: from_json(row.strengths, "strengths")?,
        growth_areas: from_json(row.growth_areas, "growth areas")?,
        highlights: from_json(row.highlights, "highlights")?,
        integrity_score: score(row.integrity_score, "integrity score")?,
        integrity_flags: from_json(row.integrity_flags, "integrity flags")?,
        ai_reasoning: row.ai_reasoning,
        recommendation: parse::<Recommendation>(&row.recommendation, "recommendation")?,
        recommended_actions: from_json(row.recommended_actions, "recommended actions")?,
        generated_at: row.generated_at,
        generator: row.generator,
        prompt_version: row.prompt_version,
        cost_usd: from_nanos(row.cost_usd_nanos),
        tokens_used: row.tokens_used,
        fallback: row.is_fallback,
    })
}

fn event(row: &interview_events::Model) -> Result<ClientEvent, RepositoryError> {
    Ok(ClientEvent {
        kind: parse::<ClientEventKind>(&row.kind, "client event kind")?,
        occurred_at: row.occurred_at,
        count: u32::try_from(row.count).map_err(|error| corrupt("client event count", error))?,
    })
}

#[async_trait]
impl AssessmentRepository for SeaOrmAssessments {
    async fn save(
        &self,
        assessment: &Assessment,
        charge: &AssessmentCharge,
        job: &ClaimedJob,
        events: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let row = assessment_row(assessment)?;
        let _permit = self.database.write_permit().await;
        // every early return below drops the transaction, which rolls it back
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        // the lease first: a worker that lost it writes nothing
        crate::jobs::finish(&transaction, job, JobState::Succeeded, now, []).await?;
        assessment_results::Entity::insert(row)
            .exec_without_returning(&transaction)
            .await
            .map_err(translate)?;
        let charged = interviews::Entity::update_many()
            .col_expr(
                interviews::Column::TotalTokensUsed,
                Expr::col(interviews::Column::TotalTokensUsed).add(charge.tokens),
            )
            .col_expr(
                interviews::Column::CostUsdNanos,
                Expr::col(interviews::Column::CostUsdNanos).add(to_nanos(charge.cost_usd)),
            )
            .filter(interviews::Column::Id.eq(assessment.interview_id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        if charged.rows_affected != 1 {
            return Err(RepositoryError::MissingReference(format!(
                "interview {}",
                assessment.interview_id
            )));
        }
        // a turn computed from the interview as it was before this charge must not overwrite it
        interview_sessions::Entity::update_many()
            .col_expr(
                interview_sessions::Column::Version,
                Expr::col(interview_sessions::Column::Version).add(1),
            )
            .filter(interview_sessions::Column::InterviewId.eq(assessment.interview_id.as_uuid()))
            .exec(&transaction)
            .await
            .map_err(translate)?;
        crate::jobs::insert(&transaction, events).await?;
        transaction.commit().await.map_err(translate)
    }

    async fn latest(&self, interview: InterviewId) -> Result<Option<Assessment>, RepositoryError> {
        assessment_results::Entity::find()
            .filter(assessment_results::Column::InterviewId.eq(interview.as_uuid()))
            .order_by_desc(assessment_results::Column::Version)
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(assessment)
            .transpose()
    }

    async fn versions(&self, interview: InterviewId) -> Result<Vec<Assessment>, RepositoryError> {
        assessment_results::Entity::find()
            .filter(assessment_results::Column::InterviewId.eq(interview.as_uuid()))
            .order_by_asc(assessment_results::Column::Version)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(assessment)
            .collect()
    }

    async fn record_events(
        &self,
        interview: InterviewId,
        events: &[ClientEvent],
        received_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        if events.is_empty() {
            return Ok(());
        }
        // time-ordered ids, made in order: they keep the order of a batch received at once
        let rows = events.iter().map(|event| interview_events::ActiveModel {
            id: Set(Uuid::now_v7()),
            interview_id: Set(interview.as_uuid()),
            kind: Set(event.kind.as_str().to_owned()),
            occurred_at: Set(event.occurred_at),
            count: Set(i32::try_from(event.count).unwrap_or(i32::MAX)),
            received_at: Set(received_at),
        });
        let _permit = self.database.write_permit().await;
        interview_events::Entity::insert_many(rows)
            .exec_without_returning(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(())
    }

    async fn events(&self, interview: InterviewId) -> Result<Vec<ClientEvent>, RepositoryError> {
        interview_events::Entity::find()
            .filter(interview_events::Column::InterviewId.eq(interview.as_uuid()))
            .order_by_asc(interview_events::Column::ReceivedAt)
            .order_by_asc(interview_events::Column::Id)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .iter()
            .map(event)
            .collect()
    }
}
