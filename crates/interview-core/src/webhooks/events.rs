//! The events the platform sends to webhooks. Each is enqueued as a job in the same
//! transaction as the change it reports, so an event is sent if and only if its change is
//! stored; the job fans it out to the subscribed endpoints when it runs.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::assessment::Assessment;
use crate::ids::{OrganizationId, WebhookEventId};
use crate::jobs::{JobKind, NewJob};
use crate::model::Interview;
use crate::recruiting::{Application, Decision};
use crate::rules::lifecycle::InterviewStatus;
use crate::webhooks::{Event, EventType};

/// The job that hands `event` to the organization's webhooks.
pub fn event_job(event: &Event) -> NewJob {
    let payload = serde_json::to_value(event).unwrap_or(serde_json::Value::Null);
    NewJob::new(JobKind::WebhookEvent, event.id.as_uuid(), event.created_at).with_payload(payload)
}

fn job(
    event_type: EventType,
    organization_id: OrganizationId,
    at: DateTime<Utc>,
    data: serde_json::Value,
) -> NewJob {
    event_job(&Event {
        id: WebhookEventId::new(),
        event_type,
        organization_id,
        created_at: at,
        data,
    })
}

/// `interview.completed`, for an interview a write has just completed (one without an
/// organization has no one to tell).
pub fn interview_completed(interview: &Interview, now: DateTime<Utc>) -> Option<NewJob> {
    if interview.status != InterviewStatus::Completed {
        return None;
    }
    let organization = interview.organization_id?;
    Some(job(
        EventType::InterviewCompleted,
        organization,
        now,
        json!({
            "interview_id": interview.id,
            "candidate_id": interview.candidate_id,
            "role_type": interview.role_type,
            "mode": interview.mode,
            "job_posting_id": interview.job_posting_id,
            "completion_reason": interview.completion_reason,
            "started_at": interview.started_at,
            "completed_at": interview.completed_at,
            "duration_seconds": interview.duration_seconds,
        }),
    ))
}

/// `assessment.ready`, for a version of an interview's assessment just stored.
pub fn assessment_ready(interview: &Interview, assessment: &Assessment) -> Option<NewJob> {
    let organization = interview.organization_id?;
    Some(job(
        EventType::AssessmentReady,
        organization,
        assessment.generated_at,
        json!({
            "interview_id": interview.id,
            "candidate_id": interview.candidate_id,
            "job_posting_id": interview.job_posting_id,
            "assessment_id": assessment.id,
            "version": assessment.version,
            "overall_score": assessment.overall_score,
            "recommendation": assessment.recommendation,
            "integrity_score": assessment.integrity_score,
            "integrity_flags": assessment.integrity_flags.len(),
            "generated_at": assessment.generated_at,
        }),
    ))
}

/// `application.created`.
pub fn application_created(application: &Application) -> NewJob {
    job(
        EventType::ApplicationCreated,
        application.organization_id,
        application.created_at,
        json!({
            "application_id": application.id,
            "job_posting_id": application.job_posting_id,
            "candidate_id": application.candidate_id,
            "status": application.status,
            "created_at": application.created_at,
        }),
    )
}

/// `decision.made`, about an interview of `organization`.
pub fn decision_made(decision: &Decision, interview: &Interview) -> Option<NewJob> {
    let organization = interview.organization_id?;
    Some(job(
        EventType::DecisionMade,
        organization,
        decision.decided_at,
        json!({
            "interview_id": decision.interview_id,
            "candidate_id": interview.candidate_id,
            "job_posting_id": interview.job_posting_id,
            "decision": decision.decision,
            "note": decision.note,
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at,
        }),
    ))
}
