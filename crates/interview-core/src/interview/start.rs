//! Opening an interview: its record, its session and the first question, stored together.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::ids::{InterviewId, MessageId, SessionId};
use crate::interview::InterviewService;
use crate::interview::commands::{SessionSnapshot, StartInterview, Started};
use crate::interview::errors::StartError;
use crate::interview::settings::InterviewSettings;
use crate::metadata::{MessageMetadata, QuestionNote};
use crate::model::{
    Interview, InterviewMessage, InterviewMode, InterviewSession, MessageType, PendingQuestion,
};
use crate::ports::{Generated, Question, QuestionRequest, RepositoryError};
use crate::rules::budget::PaidCall;
use crate::rules::ladder::{DifficultyLevel, ProgressionState};
use crate::rules::lifecycle::{InterviewStatus, begin};
use crate::rules::memory::{ConversationMemory, Speaker};
use crate::rules::skills::{QuestionIntent, next_skill};

fn scheduled(command: &StartInterview, model: &str, now: DateTime<Utc>) -> Interview {
    Interview {
        id: InterviewId::new(),
        candidate_id: command.candidate_id,
        resume_id: command.resume_id,
        role_type: command.role,
        mode: command.mode,
        status: InterviewStatus::Scheduled,
        started_at: None,
        completed_at: None,
        duration_seconds: None,
        completion_reason: None,
        ai_model_used: Some(model.to_owned()),
        total_tokens_used: 0,
        cost_usd: Decimal::ZERO,
        speech_tokens_used: 0,
        speech_cost_usd: Decimal::ZERO,
        realtime_cost_usd: Decimal::ZERO,
        tech_check_metadata: None,
        video_recording_url: None,
        video_recording_consent: false,
        video_recording_status: None,
        created_at: now,
    }
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
            settings.completion.key_skills(interview.role_type),
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
    let cost = interview.charge_chat(&settings.pricing, &generated.usage);
    begin(&mut interview, now)?;
    let session_id = SessionId::new();
    let question = generated.value;
    let mut memory = ConversationMemory::default();
    memory.push(settings.memory, Speaker::Interviewer, &question.text);
    let first_question = InterviewMessage {
        id: MessageId::new(),
        interview_id: interview.id,
        session_id,
        sequence_number: 1,
        message_type: MessageType::AiQuestion,
        content_text: question.text.clone(),
        audio: None,
        audio_duration_seconds: None,
        audio_metadata: None,
        response_time_seconds: None,
        metadata: MessageMetadata::Question(QuestionNote {
            skill: question.skill.clone(),
            level: question.level,
            usage: Some(generated.usage),
            cost_usd: Some(cost),
            speech: None,
        }),
        created_at: now,
    };
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
            .create(&interview, &session, &first_question)
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
