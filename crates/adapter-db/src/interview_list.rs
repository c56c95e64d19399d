//! The recruiter's list of their organization's interviews: one query joining each interview
//! with its candidate, its job posting and its latest assessment (the highest version), newest
//! first, continuing after a `(created_at, id)` cursor.
//!
//! - `questions_answered` counts the interview's `candidate_response` messages (what was
//!   answered, whatever the session's counters say).
//! - The date range applies to when the interview started, or was created if it never did.
//! - `integrity_flagged` keeps interviews whose latest assessment has (or has no) integrity
//!   flag; either way an interview without an assessment is left out. The flags are a JSON
//!   array, stored as `[]` when empty (PostgreSQL compares `jsonb`, SQLite the text the adapter
//!   wrote), so the filter is in SQL and the page limit counts only matching rows.

use async_trait::async_trait;
use interview_core::assessment::Recommendation;
use interview_core::ids::{CandidateId, InterviewId, JobPostingId, OrganizationId};
use interview_core::lifecycle::InterviewStatus;
use interview_core::model::RoleType;
use interview_core::ports::{
    CandidateRow, InterviewCursor, InterviewFilter, InterviewRow, RecruiterInterviews,
    RepositoryError,
};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{DbBackend, FromQueryResult, prelude::DateTimeUtc};
use uuid::Uuid;

use crate::connection::Database;
use crate::error::{corrupt, translate};
use crate::mapping::parse;

/// The recruiter's read model over interviews.
#[derive(Clone)]
pub struct SeaOrmRecruiterInterviews {
    database: Database,
}

impl SeaOrmRecruiterInterviews {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[derive(Debug, FromQueryResult)]
struct Listed {
    interview_id: Uuid,
    candidate_id: Uuid,
    candidate_name: String,
    candidate_email: String,
    role_type: String,
    job_posting_id: Option<Uuid>,
    job_title: Option<String>,
    status: String,
    created_at: DateTimeUtc,
    started_at: Option<DateTimeUtc>,
    completed_at: Option<DateTimeUtc>,
    questions_answered: i64,
    overall_score: Option<i32>,
    recommendation: Option<String>,
    integrity_flags: Option<String>,
}

/// When an interview started, or was created if it never did.
const STARTED: &str = "COALESCE(i.started_at, i.created_at)";

fn cust(sql: &'static str) -> Expr {
    Expr::cust(sql)
}

fn statement(
    organization: OrganizationId,
    filter: &InterviewFilter,
    cursor: Option<InterviewCursor>,
    limit: u64,
) -> SelectStatement {
    let mut query = Query::select();
    query
        .expr_as(cust("i.id"), "interview_id")
        .expr_as(cust("i.candidate_id"), "candidate_id")
        .expr_as(cust("c.full_name"), "candidate_name")
        .expr_as(cust("c.email"), "candidate_email")
        .expr_as(cust("i.role_type"), "role_type")
        .expr_as(cust("i.job_posting_id"), "job_posting_id")
        .expr_as(cust("p.title"), "job_title")
        .expr_as(cust("i.status"), "status")
        .expr_as(cust("i.created_at"), "created_at")
        .expr_as(cust("i.started_at"), "started_at")
        .expr_as(cust("i.completed_at"), "completed_at")
        .expr_as(
            cust(
                "(SELECT COUNT(*) FROM interview_messages m WHERE m.interview_id = i.id \
                 AND m.message_type = 'candidate_response')",
            ),
            "questions_answered",
        )
        .expr_as(cust("a.overall_score"), "overall_score")
        .expr_as(cust("a.recommendation"), "recommendation")
        .expr_as(cust("CAST(a.integrity_flags AS text)"), "integrity_flags")
        .from_as("interviews", "i")
        .join_as(
            JoinType::InnerJoin,
            "candidates",
            "c",
            cust("c.id = i.candidate_id"),
        )
        .join_as(
            JoinType::LeftJoin,
            "job_postings",
            "p",
            cust("p.id = i.job_posting_id"),
        )
        .join_as(
            JoinType::LeftJoin,
            "assessment_results",
            "a",
            cust(
                "a.interview_id = i.id AND a.version = (SELECT MAX(v.version) \
                 FROM assessment_results v WHERE v.interview_id = i.id)",
            ),
        )
        .and_where(cust("i.organization_id").eq(organization.as_uuid()));
    if !filter.candidates.is_empty() {
        query
            .and_where(cust("i.candidate_id").is_in(filter.candidates.iter().map(|c| c.as_uuid())));
    }
    if let Some(status) = filter.status {
        query.and_where(cust("i.status").eq(status.as_str()));
    }
    if let Some(role) = filter.role {
        query.and_where(cust("i.role_type").eq(role.as_str()));
    }
    if let Some(posting) = filter.job_posting {
        query.and_where(cust("i.job_posting_id").eq(posting.as_uuid()));
    }
    if let Some(from) = filter.from {
        query.and_where(cust(STARTED).gte(from));
    }
    if let Some(to) = filter.to {
        query.and_where(cust(STARTED).lt(to));
    }
    if let Some(recommendation) = filter.recommendation {
        query.and_where(cust("a.recommendation").eq(recommendation.as_str()));
    }
    if let Some(min) = filter.min_score {
        query.and_where(cust("a.overall_score").gte(i32::from(min)));
    }
    if let Some(max) = filter.max_score {
        query.and_where(cust("a.overall_score").lte(i32::from(max)));
    }
    match filter.integrity_flagged {
        Some(true) => {
            query.and_where(cust("a.id IS NOT NULL AND a.integrity_flags <> '[]'"));
        }
        Some(false) => {
            query.and_where(cust("a.id IS NOT NULL AND a.integrity_flags = '[]'"));
        }
        None => {}
    }
    if let Some(cursor) = cursor {
        query.and_where(
            cust("i.created_at")
                .lt(cursor.created_at)
                .or(cust("i.created_at")
                    .eq(cursor.created_at)
                    .and(cust("i.id").lt(cursor.id.as_uuid()))),
        );
    }
    query
        .order_by_expr(cust("i.created_at"), Order::Desc)
        .order_by_expr(cust("i.id"), Order::Desc)
        .limit(limit);
    query
}

fn row(listed: Listed) -> Result<InterviewRow, RepositoryError> {
    let overall_score = listed
        .overall_score
        .map(|score| {
            u8::try_from(score)
                .ok()
                .filter(|score| *score <= 100)
                .ok_or_else(|| corrupt("overall score", score))
        })
        .transpose()?;
    let integrity_flags = listed
        .integrity_flags
        .map(|text| {
            serde_json::from_str::<Vec<serde_json::Value>>(&text)
                .map(|flags| flags.len())
                .map_err(|error| corrupt("integrity flags", error))
        })
        .transpose()?;
    Ok(InterviewRow {
        interview_id: InterviewId::from_uuid(listed.interview_id),
        candidate_id: CandidateId::from_uuid(listed.candidate_id),
        candidate_name: listed.candidate_name,
        candidate_email: listed.candidate_email,
        role: parse::<RoleType>(&listed.role_type, "interview role")?,
        job_posting_id: listed.job_posting_id.map(JobPostingId::from_uuid),
        job_title: listed.job_title,
        status: parse::<InterviewStatus>(&listed.status, "interview status")?,
        created_at: listed.created_at,
        started_at: listed.started_at,
        completed_at: listed.completed_at,
        questions_answered: i32::try_from(listed.questions_answered)
            .map_err(|error| corrupt("questions answered", error))?,
        overall_score,
        recommendation: listed
            .recommendation
            .as_deref()
            .map(|text| parse::<Recommendation>(text, "recommendation"))
            .transpose()?,
        integrity_flags,
    })
}

#[async_trait]
impl RecruiterInterviews for SeaOrmRecruiterInterviews {
    async fn list(
        &self,
        organization: OrganizationId,
        filter: &InterviewFilter,
        cursor: Option<InterviewCursor>,
        limit: u64,
    ) -> Result<Vec<InterviewRow>, RepositoryError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let connection = self.database.connection();
        let backend: DbBackend = sea_orm::ConnectionTrait::get_database_backend(connection);
        let query = backend.build(&statement(organization, filter, cursor, limit));
        Listed::find_by_statement(query)
            .all(connection)
            .await
            .map_err(translate)?
            .into_iter()
            .map(row)
            .collect()
    }

    async fn candidates(
        &self,
        organization: OrganizationId,
        after: Option<CandidateId>,
        limit: u64,
    ) -> Result<Vec<CandidateRow>, RepositoryError> {
        let org = organization.as_uuid();
        let related = |table: &'static str| {
            Query::select()
                .expr(Expr::val(1))
                .from_as(table, "x")
                .and_where(cust("x.candidate_id = c.id"))
                .and_where(cust("x.organization_id").eq(org))
                .to_owned()
        };
        let mut query = Query::select();
        query
            .expr_as(cust("c.id"), "candidate_id")
            .expr_as(cust("c.full_name"), "full_name")
            .expr_as(cust("c.email"), "email")
            .from_as("candidates", "c")
            .and_where(
                Expr::exists(related("applications")).or(Expr::exists(related("interviews"))),
            );
        if let Some(after) = after {
            query.and_where(cust("c.id").gt(after.as_uuid()));
        }
        query.order_by_expr(cust("c.id"), Order::Asc).limit(limit);
        let connection = self.database.connection();
        let backend: DbBackend = sea_orm::ConnectionTrait::get_database_backend(connection);
        Ok(ListedCandidate::find_by_statement(backend.build(&query))
            .all(connection)
            .await
            .map_err(translate)?
            .into_iter()
            .map(|found| CandidateRow {
                candidate_id: CandidateId::from_uuid(found.candidate_id),
                full_name: found.full_name,
                email: found.email,
            })
            .collect())
    }
}

#[derive(Debug, FromQueryResult)]
struct ListedCandidate {
    candidate_id: Uuid,
    full_name: String,
    email: String,
}
