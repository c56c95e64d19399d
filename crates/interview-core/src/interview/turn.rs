//! One turn as pure functions: what an answer costs and changes, whether it can be judged, how
//! the ladder moves, whether the interview is over and what to ask next. No I/O: the service
//! calls the ports between these steps.
//!
//! `prepare_turn` (answer message, the source's charges, the evaluation to request) →
//! the evaluation → `plan_turn` (ladder, boundaries, completion, budget, next focus) →
//! the next question → `TurnPlan::ask` or `TurnPlan::close` (the messages and session to write).

use chrono::{DateTime, Utc};

use crate::ids::SessionId;
use crate::interview::commands::{AnswerSource, SessionSnapshot};
use crate::interview::settings::InterviewSettings;
use crate::metadata::{
    AnswerNote, ClosingNote, Judgement, MessageMetadata, QuestionNote, RealtimeNote,
    TranscriptionNote,
};
use crate::model::{Interview, InterviewMessage, InterviewSession, MessageType, PendingQuestion};
use crate::ports::{EvaluationRequest, Generated, InterviewRecord, Question, QuestionRequest};
use crate::rules::budget::PaidCall;
use crate::rules::ladder::{Evaluation, record_boundaries};
use crate::rules::lifecycle::{CompletionReason, IllegalTransition, finish};
use crate::rules::memory::Speaker;
use crate::rules::skills::{QuestionIntent, next_skill};

/// How the answer will be judged.
#[derive(Debug, Clone, PartialEq)]
pub enum EvaluationPlan {
    /// Ask the interviewer model.
    Request(EvaluationRequest),
    /// The answer came judged (a realtime model's evaluation, paid for with the session).
    Given(Evaluation),
    /// The budget does not allow judging it (or it could not be transcribed): the interview
    /// closes with `budget_exhausted`.
    Unaffordable,
}

/// A turn after the answer is recorded and before it is judged.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedTurn {
    pub interview: Interview,
    pub session: InterviewSession,
    pub pending: PendingQuestion,
    pub answer: InterviewMessage,
    pub evaluation: EvaluationPlan,
    /// Prompt size of the turn's interviewer calls, for the budget checks.
    pub prompt_characters: usize,
}

/// How an answer was judged.
#[derive(Debug, Clone, PartialEq)]
pub enum Judged {
    /// By the interviewer model, at the price of its usage.
    ByModel(Generated<Evaluation>),
    /// It came with the answer (realtime): its cost is in the realtime usage.
    WithAnswer(Evaluation),
}

/// What comes after the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum NextStep {
    /// Ask this of the interviewer model.
    Ask(QuestionRequest),
    /// The interview is over.
    Close(CompletionReason),
}

/// A judged turn: the interview and session after the answer, and what comes next.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnPlan {
    pub interview: Interview,
    pub session: InterviewSession,
    pub answer: InterviewMessage,
    pub next: NextStep,
}

/// A turn ready to be written: the reply and the state after it.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnDraft {
    pub interview: Interview,
    pub session: InterviewSession,
    pub answer: InterviewMessage,
    pub reply: InterviewMessage,
    pub completion_reason: Option<CompletionReason>,
}

fn seconds_between(earlier: DateTime<Utc>, later: DateTime<Utc>) -> f64 {
    (later - earlier).num_milliseconds().max(0) as f64 / 1000.0
}

/// The open question's text, as the interviewer said it.
pub(crate) fn open_question_text(session: &InterviewSession) -> String {
    session
        .memory
        .messages()
        .iter()
        .rev()
        .find(|message| message.speaker == Speaker::Interviewer)
        .map(|message| message.text.clone())
        .unwrap_or_default()
}

/// Records the answer `text` to the open question `pending`, charges what its source cost and
/// decides how it will be judged.
pub fn prepare_turn(
    record: InterviewRecord,
    pending: PendingQuestion,
    text: &str,
    source: AnswerSource,
    settings: &InterviewSettings,
    model: &str,
    now: DateTime<Utc>,
) -> PreparedTurn {
    let InterviewRecord {
        mut interview,
        session,
    } = record;
    let mut note = AnswerNote {
        skill: pending.skill.clone(),
        level: pending.level,
        judgement: None,
        transcription: None,
        realtime: None,
    };
    let mut answer = InterviewMessage::new(
        (interview.id, session.id),
        pending.sequence_number + 1,
        MessageType::CandidateResponse,
        text,
        MessageMetadata::Answer(note.clone()),
        now,
    );
    answer.response_time_seconds = Some(seconds_between(pending.asked_at, now));
    let question = open_question_text(&session);
    let prompt_characters = question.len()
        + text.len()
        + session
            .memory
            .messages()
            .iter()
            .map(|message| message.text.len())
            .sum::<usize>();
    let mut judged_already = None;
    let mut transcribed = true;
    match source {
        AnswerSource::Typed => {}
        AnswerSource::Recorded(audio) => {
            answer.id = audio.message_id;
            answer.audio = Some(audio.blob);
            answer.audio_duration_seconds = audio.metadata.duration_seconds;
            if audio.transcribed {
                let seconds = audio.metadata.duration_seconds.unwrap_or(0.0);
                let cost = interview.charge_transcription(&settings.pricing, seconds);
                note.transcription = Some(TranscriptionNote {
                    audio_seconds: audio.metadata.duration_seconds,
                    cost_usd: cost,
                });
            }
            transcribed = audio.transcribed;
            answer.audio_metadata = Some(audio.metadata);
        }
        AnswerSource::Realtime {
            evaluation,
            usage,
            item_id,
            audio_seconds,
            recording,
        } => {
            let cost = interview.charge_realtime(&settings.pricing, &usage);
            note.realtime = Some(RealtimeNote {
                usage,
                cost_usd: cost,
                item_id,
            });
            answer.audio_duration_seconds = audio_seconds;
            if let Some(audio) = recording {
                answer.id = audio.message_id;
                answer.audio = Some(audio.blob);
                answer.audio_metadata = Some(audio.metadata);
            }
            judged_already = evaluation;
        }
    }
    answer.metadata = MessageMetadata::Answer(note);
    let evaluation = if let Some(given) = judged_already {
        EvaluationPlan::Given(given)
    } else if transcribed
        && settings.budget_guard().allows(
            &interview.costs(),
            PaidCall::Chat {
                model,
                prompt_characters,
            },
        )
    {
        EvaluationPlan::Request(EvaluationRequest {
            role: interview.role_type,
            level: pending.level,
            skill: pending.skill.clone(),
            question,
            answer: text.to_owned(),
            memory: session.memory.prompt(settings.memory),
        })
    } else {
        EvaluationPlan::Unaffordable
    };
    PreparedTurn {
        interview,
        session,
        pending,
        answer,
        evaluation,
        prompt_characters,
    }
}

/// Applies the judgement of the answer: charges it, moves the ladder, records boundaries,
/// decides whether the interview is over and, if not, what to ask next — only when the budget
/// allows asking it. `judged` is `None` when the answer could not be judged.
pub fn plan_turn(
    prepared: PreparedTurn,
    judged: Option<Judged>,
    settings: &InterviewSettings,
    model: &str,
    now: DateTime<Utc>,
) -> TurnPlan {
    let PreparedTurn {
        mut interview,
        mut session,
        pending,
        mut answer,
        prompt_characters,
        ..
    } = prepared;
    let Some(judged) = judged else {
        return TurnPlan {
            interview,
            session,
            answer,
            next: NextStep::Close(CompletionReason::BudgetExhausted),
        };
    };
    let answered = u32::try_from(session.questions_asked_count).unwrap_or(0);
    let (evaluation, usage, cost) = match judged {
        Judged::ByModel(generated) => {
            let cost = interview.charge_chat(&settings.pricing, &generated.usage);
            (generated.value, Some(generated.usage), cost)
        }
        Judged::WithAnswer(evaluation) => (evaluation, None, rust_decimal::Decimal::ZERO),
    };
    let step = session.progression.apply(
        &settings.ladder,
        pending.level,
        &pending.skill,
        &evaluation,
        answered,
        now,
    );
    record_boundaries(
        &mut session.progression,
        &mut session.skill_boundaries,
        &step.boundaries,
    );
    session.current_difficulty = step.to;
    if let MessageMetadata::Answer(note) = &mut answer.metadata {
        note.judgement = Some(Judgement {
            evaluation,
            composite: step.composite,
            movement: step.movement,
            next_level: step.to,
            boundaries: step.boundaries.clone(),
            usage,
            cost_usd: cost,
        });
    }
    session
        .memory
        .push(settings.memory, Speaker::Candidate, &answer.content_text);

    let finished = settings.completion.completion_reason(
        settings.key_skills_of(&interview),
        answered,
        session.skill_boundaries.values(),
        interview.started_at.unwrap_or(interview.created_at),
        now,
    );
    let next = if let Some(reason) = finished {
        NextStep::Close(reason)
    } else if !settings.budget_guard().allows(
        &interview.costs(),
        PaidCall::Chat {
            model,
            prompt_characters,
        },
    ) {
        NextStep::Close(CompletionReason::BudgetExhausted)
    } else {
        let intent = if step.probe_same_skill {
            QuestionIntent::Probe
        } else {
            QuestionIntent::Explore
        };
        NextStep::Ask(QuestionRequest {
            role: interview.role_type,
            level: step.to,
            skill: next_skill(
                settings.key_skills_of(&interview),
                intent,
                Some(&pending.skill),
                &session.progression.skills_explored,
            ),
            intent,
            skills_explored: session.progression.skills_explored.clone(),
            asked_questions: session.progression.asked_questions.clone(),
            memory: session.memory.prompt(settings.memory),
            question_number: answered + 1,
        })
    };
    TurnPlan {
        interview,
        session,
        answer,
        next,
    }
}

/// The question `generated` as message `sequence_number`, its call charged to the interview.
pub(crate) fn question_message(
    interview: &mut Interview,
    session: SessionId,
    sequence_number: i32,
    generated: Generated<Question>,
    settings: &InterviewSettings,
    now: DateTime<Utc>,
) -> (InterviewMessage, Question) {
    let cost = interview.charge_chat(&settings.pricing, &generated.usage);
    let question = generated.value;
    let message = InterviewMessage::new(
        (interview.id, session),
        sequence_number,
        MessageType::AiQuestion,
        question.text.clone(),
        MessageMetadata::Question(QuestionNote {
            skill: question.skill.clone(),
            level: question.level,
            usage: Some(generated.usage),
            cost_usd: Some(cost),
            speech: None,
        }),
        now,
    );
    (message, question)
}

/// The closing remark for an interview that ended for `reason`.
pub fn closing_remark(reason: CompletionReason) -> &'static str {
    match reason {
        CompletionReason::BudgetExhausted => {
            "Thank you for your answers. We have reached the limit set for this interview, so we \
             will stop here; your answers so far have been recorded."
        }
        CompletionReason::TimeLimit => {
            "Thank you, we have reached the time limit for this interview. Your answers have been \
             recorded."
        }
        _ => {
            "Thank you, that concludes the interview. Your answers have been recorded and will be \
             reviewed."
        }
    }
}

impl TurnPlan {
    /// The turn with the next question asked; charges the question call.
    pub fn ask(
        self,
        generated: Generated<Question>,
        settings: &InterviewSettings,
        now: DateTime<Utc>,
    ) -> TurnDraft {
        let Self {
            mut interview,
            mut session,
            answer,
            ..
        } = self;
        let (reply, question) = question_message(
            &mut interview,
            session.id,
            answer.sequence_number + 1,
            generated,
            settings,
            now,
        );
        session
            .memory
            .push(settings.memory, Speaker::Interviewer, &question.text);
        session.progression.asked_questions.push(question.text);
        session.questions_asked_count += 1;
        session.pending_question = Some(PendingQuestion {
            sequence_number: reply.sequence_number,
            skill: question.skill,
            level: question.level,
            asked_at: now,
        });
        TurnDraft {
            interview,
            session,
            answer,
            reply,
            completion_reason: None,
        }
    }

    /// The turn with the interview completed for `reason` and the closing remark.
    ///
    /// # Errors
    /// [`IllegalTransition`] when the interview is not in progress.
    pub fn close(
        self,
        reason: CompletionReason,
        now: DateTime<Utc>,
    ) -> Result<TurnDraft, IllegalTransition> {
        let Self {
            mut interview,
            mut session,
            answer,
            ..
        } = self;
        finish(&mut interview, reason, now)?;
        session.pending_question = None;
        let reply = InterviewMessage::new(
            (interview.id, session.id),
            answer.sequence_number + 1,
            MessageType::AiClosing,
            closing_remark(reason),
            MessageMetadata::Closing(ClosingNote {
                completion_reason: reason,
                speech: None,
            }),
            now,
        );
        Ok(TurnDraft {
            interview,
            session,
            answer,
            reply,
            completion_reason: Some(reason),
        })
    }
}

impl TurnDraft {
    pub fn snapshot(&self) -> SessionSnapshot {
        SessionSnapshot::from(&self.session)
    }
}

#[cfg(test)]
#[path = "turn_tests.rs"]
mod tests;
