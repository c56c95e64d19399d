//! Assessments of finished interviews. The scores and integrity signals are the core's own,
//! computed from the stored record (`rules::scoring`, `rules::integrity`); an
//! [`AssessmentWriter`] adds the judgement; `bounds` keeps it within limits. Assessments are
//! produced by a durable job enqueued with the write that ends the interview (`generate`), and
//! read through the permission matrix (`queries`).

mod bounds;
mod errors;
mod generate;
mod model;
mod queries;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use bounds::within_bounds;
pub use errors::{EventsError, RegenerateError};
pub use model::{
    Assessment, AssessmentState, AssessmentStatus, AssessmentSummary, CandidateAssessment, Claim,
    Judgement, Recommendation,
};

use crate::interview::InterviewSettings;
use crate::jobs::{JobKind, NewJob};
use crate::model::{Interview, InterviewSession};
use crate::ports::{AssessmentRepository, AssessmentWriter, Clock, InterviewRepository, JobQueue};
use crate::rules::lifecycle::InterviewStatus;

/// The most events one report may carry.
pub const MAX_EVENTS_PER_REPORT: usize = 100;
/// The largest `count` one event may carry.
pub const MAX_EVENT_COUNT: u32 = 10_000;

/// The assessment job an interview's state calls for: every finished interview is assessed,
/// except one abandoned before its first answer (there is nothing to assess).
pub fn assessment_job(
    interview: &Interview,
    session: &InterviewSession,
    now: DateTime<Utc>,
) -> Option<NewJob> {
    let due = match interview.status {
        InterviewStatus::Completed => true,
        InterviewStatus::Abandoned => !session.progression.response_quality_history.is_empty(),
        InterviewStatus::Scheduled | InterviewStatus::InProgress => false,
    };
    due.then(|| NewJob::new(JobKind::Assessment, interview.id.as_uuid(), now))
}

pub struct AssessmentService {
    interviews: Arc<dyn InterviewRepository>,
    assessments: Arc<dyn AssessmentRepository>,
    writer: Arc<dyn AssessmentWriter>,
    jobs: Arc<dyn JobQueue>,
    clock: Arc<dyn Clock>,
    settings: InterviewSettings,
}

impl AssessmentService {
    pub fn new(
        interviews: Arc<dyn InterviewRepository>,
        assessments: Arc<dyn AssessmentRepository>,
        writer: Arc<dyn AssessmentWriter>,
        jobs: Arc<dyn JobQueue>,
        clock: Arc<dyn Clock>,
        settings: InterviewSettings,
    ) -> Self {
        Self {
            interviews,
            assessments,
            writer,
            jobs,
            clock,
            settings,
        }
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod service_tests;
