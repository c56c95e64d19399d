#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Whole interviews through the real service, the in-memory repository and the offline
//! interviewer, with simulated candidates.

use std::sync::Arc;

use adapter_offline::{OfflineInterviewer, QuestionBank};
use interview_core::actor::Actor;
use interview_core::ids::CandidateId;
use interview_core::interview::{AnswerOutcome, StartInterview, TurnInput};
use interview_core::ladder::DifficultyLevel;
use interview_core::lifecycle::InterviewStatus;
use interview_core::model::{InterviewMode, MessageType, RoleType};
use interview_core::testing::{InMemoryInterviews, ManualClock};
use interview_core::{InterviewService, InterviewSettings};

/// A candidate who knows what every question is after and explains it with reasons.
fn strong_answer(bank: &QuestionBank, question: &str) -> String {
    let key_points = &bank
        .find(question)
        .expect("questions come from the bank")
        .key_points;
    let phrases: Vec<&str> = key_points
        .iter()
        .map(|point| point.alternatives[0].as_str())
        .collect();
    format!(
        "The core idea involves {}. This matters because each of these affects correctness in \
         practice. For example, I would reason about {} first and then check {} against real \
         usage, which means the trade-off is explicit. In short, {}.",
        phrases.join(", "),
        phrases[0],
        phrases[phrases.len() - 1],
        phrases.join(" and ")
    )
}

fn weak_answer(_: &QuestionBank, _: &str) -> String {
    "I'm not sure, I have never used that. Maybe it is something with variables?".to_owned()
}

struct Finished {
    questions_answered: usize,
    outcomes: Vec<AnswerOutcome>,
    highest_level: DifficultyLevel,
}

async fn interview(
    role: RoleType,
    answer: fn(&QuestionBank, &str) -> String,
) -> (Finished, Arc<InMemoryInterviews>) {
    let bank = QuestionBank::builtin().unwrap();
    let repo = Arc::new(InMemoryInterviews::new());
    let service = InterviewService::new(
        repo.clone(),
        Arc::new(OfflineInterviewer::new(bank.clone())),
        Arc::new(ManualClock::default()),
        InterviewSettings::default(),
    );
    let candidate = CandidateId::new();
    let started = service
        .start(StartInterview {
            candidate_id: candidate,
            role,
            mode: InterviewMode::Text,
            resume_id: None,
            organization_id: None,
            job_posting_id: None,
            application_id: None,
            key_skills: Vec::new(),
        })
        .await
        .unwrap();
    let mut question = started.first_question.content_text.clone();
    let mut open = started.first_question.sequence_number;
    let mut outcomes = Vec::new();
    let mut highest_level = DifficultyLevel::Warmup;
    for _ in 0..20 {
        let outcome = service
            .answer(TurnInput::typed(
                started.interview.id,
                Actor::Candidate(candidate),
                answer(&bank, &question),
                Some(open),
                None,
            ))
            .await
            .unwrap();
        highest_level = highest_level.max(outcome.session_state.current_difficulty);
        question.clone_from(&outcome.ai_response);
        open += 2;
        let complete = outcome.interview_complete;
        outcomes.push(outcome);
        if complete {
            break;
        }
    }
    let record = service
        .get(started.interview.id, Actor::Candidate(candidate))
        .await
        .unwrap();
    assert_eq!(record.interview.status, InterviewStatus::Completed);
    let messages = repo.all_messages(started.interview.id);
    let answers = messages
        .iter()
        .filter(|m| m.message_type == MessageType::CandidateResponse)
        .count();
    assert_eq!(answers, outcomes.len());
    // no question asked twice
    let mut asked: Vec<&str> = messages
        .iter()
        .filter(|m| m.message_type == MessageType::AiQuestion)
        .map(|m| m.content_text.as_str())
        .collect();
    asked.sort_unstable();
    let total = asked.len();
    asked.dedup();
    assert_eq!(asked.len(), total, "a question was repeated");
    (
        Finished {
            questions_answered: answers,
            outcomes,
            highest_level,
        },
        repo,
    )
}

#[tokio::test]
async fn a_strong_candidate_climbs_past_intermediate_within_eight_to_twelve_questions() {
    for role in RoleType::ALL {
        let (finished, _) = interview(*role, strong_answer).await;
        assert!(
            finished.highest_level > DifficultyLevel::Intermediate,
            "{role}: reached only {}",
            finished.highest_level
        );
        assert!(
            (8..=12).contains(&finished.questions_answered),
            "{role}: {} questions",
            finished.questions_answered
        );
        let last = finished.outcomes.last().unwrap();
        assert!(last.interview_complete);
        assert_eq!(last.total_questions, 12);
    }
}

#[tokio::test]
async fn a_weak_candidate_records_a_boundary_and_never_climbs() {
    for role in RoleType::ALL {
        let (finished, _) = interview(*role, weak_answer).await;
        let last = finished.outcomes.last().unwrap();
        assert!(
            !last.session_state.skill_boundaries.is_empty(),
            "{role}: no boundary recorded"
        );
        assert!(finished.highest_level <= DifficultyLevel::Fundamental);
        assert!(
            (8..=12).contains(&finished.questions_answered),
            "{role}: {} questions",
            finished.questions_answered
        );
    }
}
