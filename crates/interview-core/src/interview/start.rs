//! Opening an interview: its record, its session and the first question, stored together.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::ids::SessionId;
use crate::interview::InterviewService;
use crate::interview::commands::{SessionSnapshot, StartInterview, Started};
use crate::interview::errors::StartError;
use crate::interview::settings::InterviewSettings;
use crate::interview::turn::question_message;
use crate::model::{Interview, InterviewMessage, InterviewMode, InterviewSession, PendingQuestion};
use crate::ports::{Generated, Question, QuestionRequest, RepositoryError};
use crate::rules::budget::PaidCall;
use crate::rules::ladder::{DifficultyLevel, ProgressionState};
use crate::rules::lifecycle::begin;
use crate::rules::memory::{ConversationMemory, Speaker};
use crate::rules::skills::{QuestionIntent, next_skill};

fn scheduled(command: &StartInterview, model: &str, now: DateTime<Utc>) -> Interview {
    let mut interview = Interview::scheduled(
        command.candidate_id,
        command.role,
        command.mode,
        command.resume_id,
        now,
    );
    interview.ai_model_used = Some(model.to_owned());
    interview.organization_id = command.organization_id;
    interview.job_posting_id = command.job_posting_id;
    interview.key_skills.clone_from(&command.key_skills);
    interview
}

/// The opening (warmup) question's request: the first key skill of the role.
pub(crate) fn opening_request(
    interview: &Interview,
    settings: &InterviewSettings,
) -> QuestionRequest {
    QuestionRequest {
        role: interview.role_type,
        level: DifficultyLevel::Warmup,
        skill: next_skill(
            settings.key_skills_of(interview),
            QuestionIntent::Explore,
            None,
            &[],
        ),
        intent: QuestionIntent::Explore,
        skills_explored: Vec::new(),
        asked_questions: Vec::new(),
        memory: ConversationMemory::default().prompt(settings.memory),
        question_number: 1,
    }
}

/// The interview started with `generated` as its first question, its session and that message.
fn opened(
    mut interview: Interview,
    generated: Generated<Question>,
    settings: &InterviewSettings,
    now: DateTime<Utc>,
) -> Result<(Interview, InterviewSession, InterviewMessage), StartError> {
    begin(&mut interview, now)?;
    let session_id = SessionId::new();
    let (first_question, question) =
        question_message(&mut interview, session_id, 1, generated, settings, now);
    let mut memory = ConversationMemory::default();
    memory.push(settings.memory, Speaker::Interviewer, &question.text);
    let session = InterviewSession {
        id: session_id,
        interview_id: interview.id,
        current_difficulty: DifficultyLevel::Warmup,
        questions_asked_count: 1,
        skill_boundaries: BTreeMap::new(),
        progression: ProgressionState {
            asked_questions: vec![question.text.clone()],
            ..ProgressionState::default()
        },
        memory,
        pending_question: Some(PendingQuestion {
            sequence_number: 1,
            skill: question.skill,
            level: DifficultyLevel::Warmup,
            asked_at: now,
        }),
        last_activity_at: now,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    Ok((interview, session, first_question))
}

impl InterviewService {
    /// Creates an interview and asks its opening question.
    ///
    /// # Errors
    /// [`StartError`]; nothing is stored unless the whole start succeeds.
    #[tracing::instrument(name = "interview.start", skip_all)]
    pub async fn start(&self, command: StartInterview) -> Result<Started, StartError> {
        if command.mode == InterviewMode::LegacyVoice && self.speech.is_none() {
            return Err(StartError::SpeechUnavailable);
        }
        let now = self.clock.now();
        let model = self.interviewer.model_name();
        let interview = scheduled(&command, &model, now);
        let opening = PaidCall::Chat {
            model: &model,
            prompt_characters: 0,
        };
        if !self
            .settings
            .budget_guard()
            .allows(&interview.costs(), opening)
        {
            return Err(StartError::BudgetExhausted);
        }
        let request = opening_request(&interview, &self.settings);
        let generated = self.interviewer.first_question(&request).await?;
        let (mut interview, session, mut first_question) =
            opened(interview, generated, &self.settings, now)?;
        if interview.mode == InterviewMode::LegacyVoice {
            self.speak_reply(&mut interview, &mut first_question).await;
        }
        if let Err(error) = self
            .interviews
            .create(
                &interview,
                &session,
                &first_question,
                command.application_id,
            )
            .await
        {
            self.discard_audio(&first_question).await;
            return Err(match error {
                RepositoryError::MissingReference(_) => StartError::UnknownCandidate,
                other => StartError::Storage(other),
            });
        }
        Ok(Started {
            session: SessionSnapshot::from(&session),
            interview,
            first_question,
        })
    }
}
