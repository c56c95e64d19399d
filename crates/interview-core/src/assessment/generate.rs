//! Producing an assessment: the job handler. Reads the finished interview, scores it, asks the
//! writer for the judgement, and stores the result, its cost and the job's completion in one
//! write.

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::assessment::model::Assessment;
use crate::assessment::{AssessmentService, within_bounds};
use crate::ids::{AssessmentId, InterviewId};
use crate::jobs::{ClaimedJob, JobFailure, JobHandler, JobKind, NewJob};
use crate::metadata::MessageMetadata;
use crate::model::{InterviewMessage, MessageType};
use crate::ports::{
    AssessmentCharge, AssessmentRequest, InterviewRecord, JudgedAnswer, ProviderError,
    RepositoryError, Speaker, TranscriptLine,
};
use crate::rules::integrity::{AnsweredQuestion, integrity_flags, integrity_score};
use crate::rules::lifecycle::InterviewStatus;
use crate::rules::scoring::{Scores, score};
use crate::webhooks::events::assessment_ready;

/// Whether an answer was typed (not transcribed from a recording or a live conversation).
fn typed(answer: &InterviewMessage) -> bool {
    match &answer.metadata {
        MessageMetadata::Answer(note) => {
            answer.audio.is_none() && note.transcription.is_none() && note.realtime.is_none()
        }
        _ => answer.audio.is_none(),
    }
}

/// Each answer with the question before it.
fn answered_questions(messages: &[InterviewMessage]) -> Vec<AnsweredQuestion> {
    let mut turns = Vec::new();
    let mut question: Option<&InterviewMessage> = None;
    for message in messages {
        match message.message_type {
            MessageType::AiQuestion => question = Some(message),
            MessageType::CandidateResponse => {
                if let Some(asked) = question.take() {
                    turns.push(AnsweredQuestion {
                        question_sequence: asked.sequence_number,
                        question: asked.content_text.clone(),
                        asked_at: asked.created_at,
                        answer_sequence: message.sequence_number,
                        answer: message.content_text.clone(),
                        answered_at: message.created_at,
                        typed: typed(message),
                    });
                }
            }
            MessageType::AiClosing => question = None,
        }
    }
    turns
}

fn transcript(messages: &[InterviewMessage]) -> Vec<TranscriptLine> {
    messages
        .iter()
        .map(|message| TranscriptLine {
            sequence_number: message.sequence_number,
            speaker: match message.message_type {
                MessageType::CandidateResponse => Speaker::Candidate,
                MessageType::AiQuestion | MessageType::AiClosing => Speaker::Interviewer,
            },
            text: message.content_text.clone(),
            judged: match &message.metadata {
                MessageMetadata::Answer(note) => {
                    note.judgement.as_ref().map(|judgement| JudgedAnswer {
                        skill: note.skill.clone(),
                        level: note.level,
                        composite: judgement.composite,
                    })
                }
                _ => None,
            },
        })
        .collect()
}

fn retryable(error: &RepositoryError) -> JobFailure {
    JobFailure::Retryable(format!("storage: {error}"))
}

impl AssessmentService {
    /// The deterministic scores of an interview, from its stored record.
    pub fn scores(&self, record: &InterviewRecord) -> Scores {
        score(
            &record.session.progression.response_quality_history,
            &record.session.skill_boundaries,
            self.settings.key_skills_of(&record.interview),
        )
    }

    async fn assess(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        let interview_id = InterviewId::from_uuid(job.subject);
        let record = self
            .interviews
            .load(interview_id)
            .await
            .map_err(|error| retryable(&error))?
            .ok_or_else(|| JobFailure::Permanent("the interview no longer exists".to_owned()))?;
        if !matches!(
            record.interview.status,
            InterviewStatus::Completed | InterviewStatus::Abandoned
        ) {
            return Err(JobFailure::Permanent(format!(
                "the interview is {}, not finished",
                record.interview.status
            )));
        }
        let messages = self
            .interviews
            .messages(interview_id, 0, None)
            .await
            .map_err(|error| retryable(&error))?
            .messages;
        let events = self
            .assessments
            .events(interview_id)
            .await
            .map_err(|error| retryable(&error))?;
        let scores = self.scores(&record);
        let flags = integrity_flags(&answered_questions(&messages), &events);
        let request = AssessmentRequest {
            role: record.interview.role_type,
            transcript: transcript(&messages),
            scores,
            integrity_flags: flags,
            completion_reason: record.interview.completion_reason,
            duration_seconds: record.interview.duration_seconds,
        };
        let generated = self
            .writer
            .judge(&request)
            .await
            .map_err(|error| match error {
                ProviderError::NotSupported(what) => {
                    JobFailure::Permanent(format!("{what} is not available"))
                }
                // refused (a bad request, credentials): the same request would be refused again
                rejected @ ProviderError::Rejected(_) => {
                    JobFailure::Permanent(rejected.to_string())
                }
                other => JobFailure::Retryable(other.to_string()),
            })?;
        let sequence_numbers: BTreeSet<i32> = messages.iter().map(|m| m.sequence_number).collect();
        let judgement = within_bounds(generated.value, &sequence_numbers);
        let charge = AssessmentCharge {
            tokens: i64::try_from(generated.usage.total_tokens()).unwrap_or(i64::MAX),
            cost_usd: self.settings.pricing.chat_cost(&generated.usage),
        };
        let previous = self
            .assessments
            .latest(interview_id)
            .await
            .map_err(|error| retryable(&error))?;
        let now = self.clock.now();
        let AssessmentRequest {
            scores,
            integrity_flags: flags,
            ..
        } = request;
        let assessment = Assessment {
            id: AssessmentId::new(),
            interview_id,
            version: previous.map_or(1, |previous| previous.version + 1),
            overall_score: scores.overall,
            skill_scores: scores.skills,
            skill_boundary_map: scores.boundary_map,
            strengths: judgement.strengths,
            growth_areas: judgement.growth_areas,
            highlights: judgement.highlights,
            integrity_score: integrity_score(&flags),
            integrity_flags: flags,
            ai_reasoning: judgement.reasoning,
            recommendation: judgement.recommendation,
            recommended_actions: judgement.recommended_actions,
            generated_at: now,
            generator: self.writer.generator(),
            prompt_version: self.writer.prompt_version(),
            cost_usd: charge.cost_usd,
            tokens_used: charge.tokens,
            fallback: judgement.fallback,
        };
        let events: Vec<NewJob> = assessment_ready(&record.interview, &assessment)
            .into_iter()
            .collect();
        match self
            .assessments
            .save(&assessment, &charge, job, &events, now)
            .await
        {
            Ok(()) => Ok(()),
            Err(RepositoryError::Conflict(_)) => Err(JobFailure::LeaseLost),
            Err(other) => Err(retryable(&other)),
        }
    }
}

#[async_trait]
impl JobHandler for AssessmentService {
    fn kind(&self) -> JobKind {
        JobKind::Assessment
    }

    #[tracing::instrument(name = "assessment.generate", skip_all, fields(interview_id = %job.subject, attempt = job.attempts))]
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        self.assess(job).await
    }
}
