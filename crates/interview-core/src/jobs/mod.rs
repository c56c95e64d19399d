//! Durable background work: jobs stored in the database, claimed by one worker at a time under
//! a lease, retried with backoff by [`RetryPolicy`], and `failed` with their last error after
//! the last attempt. [`JobRunner`] runs one claimed job through the handler of its kind.

mod runner;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{JobId, LeaseToken};
use crate::model::named_enum;
pub use crate::rules::retry::RetryPolicy;
pub use runner::{JobFailure, JobHandler, JobOutcome, JobRunner, RunnerSettings};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Produce an interview's assessment (the subject is the interview).
    Assessment,
    /// Hand an event to the organization's webhooks: one delivery job per subscribed endpoint
    /// (the subject is the event; the payload the event itself).
    WebhookEvent,
    /// Deliver an event to one webhook endpoint (the subject is the delivery).
    WebhookDelivery,
    /// Read a resume into facts and feedback (the subject is the resume).
    ResumeParse,
    /// Email a resume's feedback to its candidate (the subject is the feedback).
    FeedbackEmail,
}

named_enum!(JobKind, "job kind", {
    Assessment => "assessment",
    WebhookEvent => "webhook_event",
    WebhookDelivery => "webhook_delivery",
    ResumeParse => "resume_parse",
    FeedbackEmail => "feedback_email",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

named_enum!(JobState, "job state", {
    Queued => "queued",
    Running => "running",
    Succeeded => "succeeded",
    Failed => "failed",
});

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: JobId,
    pub kind: JobKind,
    /// What the job is about: an interview for an assessment.
    pub subject: Uuid,
    pub run_at: DateTime<Utc>,
    /// What the job needs beyond its subject, fixed when it is enqueued (an event as it was
    /// when it happened).
    pub payload: Option<serde_json::Value>,
}

impl NewJob {
    pub fn new(kind: JobKind, subject: Uuid, run_at: DateTime<Utc>) -> Self {
        Self {
            id: JobId::new(),
            kind,
            subject,
            run_at,
            payload: None,
        }
    }

    #[must_use]
    pub fn with_payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = Some(payload);
        self
    }
}

/// A job claimed by this worker: only the holder of `lease` may finish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: JobKind,
    pub subject: Uuid,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub lease: LeaseToken,
    pub payload: Option<serde_json::Value>,
}

/// How many jobs of one kind are in one state, for the operators' gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobCount {
    pub kind: JobKind,
    pub state: JobState,
    pub count: u64,
}

/// The states worth watching: what waits, what runs, and what gave up. Succeeded jobs are
/// history and grow without bound, so they are never counted.
pub const WATCHED_STATES: [JobState; 3] = [JobState::Queued, JobState::Running, JobState::Failed];

/// A stored job, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: JobId,
    pub kind: JobKind,
    pub subject: Uuid,
    pub state: JobState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
