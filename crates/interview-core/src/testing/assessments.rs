//! In-memory job queue and assessment storage, and a scripted assessment writer.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::locked;
use crate::assessment::{Assessment, Claim, Judgement, Recommendation};
use crate::cost::ChatUsage;
use crate::ids::{InterviewId, LeaseToken};
use crate::jobs::{ClaimedJob, JobCount, JobKind, JobRecord, JobState, NewJob, WATCHED_STATES};
use crate::ports::{
    AssessmentCharge, AssessmentRepository, AssessmentRequest, AssessmentWriter, Generated,
    JobQueue, ProviderError, RepositoryError,
};
use crate::rules::integrity::ClientEvent;

struct StoredJob {
    record: JobRecord,
    payload: Option<serde_json::Value>,
    lease: Option<(LeaseToken, DateTime<Utc>)>,
}

/// A job queue in memory, with the database queue's rules (one active job per kind and
/// subject, leases, attempts).
#[derive(Default)]
pub struct InMemoryJobs {
    jobs: Mutex<Vec<StoredJob>>,
}

impl InMemoryJobs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Enqueues without the duplicate check's answer (used by the in-memory interviews).
    pub fn push(&self, job: &NewJob) {
        let mut jobs = locked(&self.jobs);
        if jobs.iter().any(|stored| active_twin(&stored.record, job)) {
            return;
        }
        jobs.push(StoredJob {
            record: JobRecord {
                id: job.id,
                kind: job.kind,
                subject: job.subject,
                state: JobState::Queued,
                attempts: 0,
                last_error: None,
                run_at: job.run_at,
                created_at: job.run_at,
                updated_at: job.run_at,
            },
            payload: job.payload.clone(),
            lease: None,
        });
    }

    /// Every job, in the order enqueued.
    pub fn all(&self) -> Vec<JobRecord> {
        locked(&self.jobs)
            .iter()
            .map(|stored| stored.record.clone())
            .collect()
    }

    fn finish(
        &self,
        job: &ClaimedJob,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut JobRecord),
    ) -> Result<(), RepositoryError> {
        let mut jobs = locked(&self.jobs);
        let stored = jobs
            .iter_mut()
            .find(|stored| stored.record.id == job.id)
            .ok_or(RepositoryError::NotFound)?;
        if stored.record.state != JobState::Running
            || stored.lease.map(|(token, _)| token) != Some(job.lease)
        {
            return Err(RepositoryError::Conflict("the job's lease was lost".into()));
        }
        stored.lease = None;
        stored.record.updated_at = now;
        change(&mut stored.record);
        Ok(())
    }
}

fn active_twin(record: &JobRecord, job: &NewJob) -> bool {
    record.kind == job.kind
        && record.subject == job.subject
        && matches!(record.state, JobState::Queued | JobState::Running)
}

#[async_trait]
impl JobQueue for InMemoryJobs {
    async fn purge_succeeded(
        &self,
        finished_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, RepositoryError> {
        let mut jobs = locked(&self.jobs);
        let mut purged = 0;
        jobs.retain(|stored| {
            let old = stored.record.state == JobState::Succeeded
                && stored.record.updated_at < finished_before;
            let purge = old && purged < limit;
            purged += u64::from(purge);
            !purge
        });
        Ok(purged)
    }

    async fn enqueue(&self, job: &NewJob) -> Result<bool, RepositoryError> {
        let before = locked(&self.jobs).len();
        self.push(job);
        Ok(locked(&self.jobs).len() > before)
    }

    async fn claim(
        &self,
        kinds: &[JobKind],
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, RepositoryError> {
        let mut jobs = locked(&self.jobs);
        let due = jobs
            .iter_mut()
            .filter(|stored| {
                kinds.contains(&stored.record.kind)
                    && match stored.record.state {
                        JobState::Queued => stored.record.run_at <= now,
                        JobState::Running => stored.lease.is_some_and(|(_, until)| until <= now),
                        JobState::Succeeded | JobState::Failed => false,
                    }
            })
            .min_by_key(|stored| stored.record.run_at);
        let Some(stored) = due else {
            return Ok(None);
        };
        let token = LeaseToken::new();
        let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::zero());
        stored.lease = Some((token, until));
        stored.record.state = JobState::Running;
        stored.record.attempts += 1;
        stored.record.updated_at = now;
        Ok(Some(ClaimedJob {
            id: stored.record.id,
            kind: stored.record.kind,
            subject: stored.record.subject,
            attempts: stored.record.attempts,
            lease: token,
            payload: stored.payload.clone(),
        }))
    }

    async fn succeed(&self, job: &ClaimedJob, now: DateTime<Utc>) -> Result<(), RepositoryError> {
        self.finish(job, now, |record| record.state = JobState::Succeeded)
    }

    async fn retry(
        &self,
        job: &ClaimedJob,
        run_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        self.finish(job, now, |record| {
            record.state = JobState::Queued;
            record.run_at = run_at;
            record.last_error = Some(error.to_owned());
        })
    }

    async fn fail(
        &self,
        job: &ClaimedJob,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        self.finish(job, now, |record| {
            record.state = JobState::Failed;
            record.last_error = Some(error.to_owned());
        })
    }

    async fn release(&self, job: &ClaimedJob, now: DateTime<Utc>) -> Result<(), RepositoryError> {
        self.finish(job, now, |record| {
            record.state = JobState::Queued;
            record.attempts = record.attempts.saturating_sub(1);
        })
    }

    async fn latest(
        &self,
        kind: JobKind,
        subject: Uuid,
    ) -> Result<Option<JobRecord>, RepositoryError> {
        Ok(locked(&self.jobs)
            .iter()
            .rev()
            .find(|stored| stored.record.kind == kind && stored.record.subject == subject)
            .map(|stored| stored.record.clone()))
    }

    async fn counts(&self) -> Result<Vec<JobCount>, RepositoryError> {
        let mut counts: Vec<JobCount> = Vec::new();
        for stored in locked(&self.jobs).iter() {
            let (kind, state) = (stored.record.kind, stored.record.state);
            if !WATCHED_STATES.contains(&state) {
                continue;
            }
            match counts
                .iter_mut()
                .find(|count| count.kind == kind && count.state == state)
            {
                Some(count) => count.count += 1,
                None => counts.push(JobCount {
                    kind,
                    state,
                    count: 1,
                }),
            }
        }
        Ok(counts)
    }
}

/// Assessments and browser events in memory; saving completes the job on `queue`.
pub struct InMemoryAssessments {
    queue: Arc<InMemoryJobs>,
    assessments: Mutex<Vec<(Assessment, AssessmentCharge)>>,
    events: Mutex<HashMap<InterviewId, Vec<ClientEvent>>>,
}

impl InMemoryAssessments {
    pub fn new(queue: Arc<InMemoryJobs>) -> Self {
        Self {
            queue,
            assessments: Mutex::default(),
            events: Mutex::default(),
        }
    }

    /// Every saved assessment with its charge, in order.
    pub fn saved(&self) -> Vec<(Assessment, AssessmentCharge)> {
        locked(&self.assessments).clone()
    }
}

#[async_trait]
impl AssessmentRepository for InMemoryAssessments {
    async fn save(
        &self,
        assessment: &Assessment,
        charge: &AssessmentCharge,
        job: &ClaimedJob,
        events: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let mut assessments = locked(&self.assessments);
        if assessments.iter().any(|(stored, _)| {
            stored.interview_id == assessment.interview_id && stored.version == assessment.version
        }) {
            return Err(RepositoryError::Conflict("the version exists".into()));
        }
        self.queue
            .finish(job, now, |record| record.state = JobState::Succeeded)?;
        for event in events {
            self.queue.push(event);
        }
        assessments.push((assessment.clone(), charge.clone()));
        Ok(())
    }

    async fn latest(&self, interview: InterviewId) -> Result<Option<Assessment>, RepositoryError> {
        Ok(locked(&self.assessments)
            .iter()
            .filter(|(stored, _)| stored.interview_id == interview)
            .map(|(stored, _)| stored.clone())
            .max_by_key(|stored| stored.version))
    }

    async fn versions(&self, interview: InterviewId) -> Result<Vec<Assessment>, RepositoryError> {
        let mut versions: Vec<Assessment> = locked(&self.assessments)
            .iter()
            .filter(|(stored, _)| stored.interview_id == interview)
            .map(|(stored, _)| stored.clone())
            .collect();
        versions.sort_by_key(|stored| stored.version);
        Ok(versions)
    }

    async fn record_events(
        &self,
        interview: InterviewId,
        events: &[ClientEvent],
        _received_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        locked(&self.events)
            .entry(interview)
            .or_default()
            .extend(events.iter().cloned());
        Ok(())
    }

    async fn events(&self, interview: InterviewId) -> Result<Vec<ClientEvent>, RepositoryError> {
        Ok(locked(&self.events)
            .get(&interview)
            .cloned()
            .unwrap_or_default())
    }
}

/// An assessment writer that answers from a script: each call takes the next result, and the
/// last one repeats. Records every request.
pub struct FixedWriter {
    script: Mutex<VecDeque<Result<Judgement, ProviderError>>>,
    requests: Mutex<Vec<AssessmentRequest>>,
}

impl FixedWriter {
    pub fn new(script: Vec<Result<Judgement, ProviderError>>) -> Self {
        Self {
            script: Mutex::new(script.into()),
            requests: Mutex::default(),
        }
    }

    /// A writer that always praises the first answer (message 2).
    pub fn approving() -> Self {
        Self::new(vec![Ok(Judgement {
            strengths: vec![Claim {
                text: "Clear explanations".to_owned(),
                evidence: vec![2],
            }],
            growth_areas: Vec::new(),
            highlights: vec![Claim {
                text: "The first answer".to_owned(),
                evidence: vec![2],
            }],
            reasoning: "Solid throughout.".to_owned(),
            recommendation: Recommendation::Yes,
            recommended_actions: vec!["Invite to the next round".to_owned()],
            fallback: false,
        })])
    }

    pub fn requests(&self) -> Vec<AssessmentRequest> {
        locked(&self.requests).clone()
    }
}

#[async_trait]
impl AssessmentWriter for FixedWriter {
    fn generator(&self) -> String {
        "fixed".to_owned()
    }

    fn prompt_version(&self) -> String {
        "test-1".to_owned()
    }

    async fn judge(
        &self,
        request: &AssessmentRequest,
    ) -> Result<Generated<Judgement>, ProviderError> {
        locked(&self.requests).push(request.clone());
        let mut script = locked(&self.script);
        let next = if script.len() > 1 {
            script.pop_front()
        } else {
            script.front().cloned()
        };
        next.unwrap_or(Err(ProviderError::NotSupported("assessments")))
            .map(|value| Generated {
                value,
                usage: ChatUsage {
                    model: "gpt-4o-mini".to_owned(),
                    input_tokens: 1_000,
                    output_tokens: 200,
                },
            })
    }
}
