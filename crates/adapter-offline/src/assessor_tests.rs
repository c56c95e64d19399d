use std::collections::BTreeMap;

use interview_core::ladder::AnswerQuality;
use interview_core::ladder::{DifficultyLevel, ResponseRecord, SkillArea};
use interview_core::ports::{Speaker, TranscriptLine};
use interview_core::rules::integrity::{IntegrityFlag, IntegrityFlagKind};
use interview_core::rules::scoring::score;

use super::*;

fn answer(sequence: i32, skill: &str, level: DifficultyLevel, composite: f64) -> TranscriptLine {
    TranscriptLine {
        sequence_number: sequence,
        speaker: Speaker::Candidate,
        text: "an answer".to_owned(),
        judged: Some(JudgedAnswer {
            skill: SkillArea::new(skill),
            level,
            composite,
        }),
    }
}

fn request(lines: Vec<TranscriptLine>, flags: Vec<IntegrityFlag>) -> AssessmentRequest {
    let records: Vec<ResponseRecord> = lines
        .iter()
        .filter_map(|line| line.judged.as_ref())
        .zip(1u32..)
        .map(|(judged, number)| ResponseRecord {
            question_number: number,
            level: judged.level,
            skill: judged.skill.clone(),
            quality: AnswerQuality::Good,
            composite: judged.composite,
        })
        .collect();
    AssessmentRequest {
        role: interview_core::model::RoleType::React,
        transcript: lines,
        scores: score(&records, &BTreeMap::new(), &[]),
        integrity_flags: flags,
        completion_reason: None,
        duration_seconds: Some(600),
    }
}

#[tokio::test]
async fn a_strong_interview_is_recommended_with_evidence_from_its_best_answers() {
    let request = request(
        vec![
            answer(2, "hooks", DifficultyLevel::Advanced, 0.9),
            answer(4, "hooks", DifficultyLevel::Expert, 0.85),
            answer(6, "state", DifficultyLevel::Intermediate, 0.3),
        ],
        Vec::new(),
    );
    let judged = OfflineAssessor.judge(&request).await.unwrap();
    assert_eq!(judged.usage.total_tokens(), 0);
    let judgement = judged.value;
    assert_eq!(judgement.strengths.len(), 1);
    assert_eq!(judgement.strengths[0].evidence, [2, 4]);
    assert!(judgement.strengths[0].text.contains("expert"));
    assert_eq!(judgement.growth_areas[0].evidence, [6]);
    assert_eq!(
        judgement
            .highlights
            .iter()
            .map(|h| h.evidence[0])
            .collect::<Vec<_>>(),
        [2, 4]
    );
    // hooks 0.6 * 100 + 0.4 * 87.5 = 95 over two answers, state 0.4 * 30 = 12 over one
    assert_eq!(request.scores.overall, 67);
    assert_eq!(judgement.recommendation, Recommendation::Yes);
    assert!(judgement.recommended_actions[0].starts_with("Probe state"));
    assert!(!judgement.fallback);
}

#[tokio::test]
async fn a_serious_integrity_flag_caps_the_recommendation_at_maybe() {
    let lines = vec![answer(2, "hooks", DifficultyLevel::Expert, 0.95)];
    let flag = IntegrityFlag {
        kind: IntegrityFlagKind::Paste,
        severity: Severity::High,
        evidence: "pasted".to_owned(),
        messages: Vec::new(),
        confidence: 0.8,
    };
    let clean = OfflineAssessor
        .judge(&request(lines.clone(), Vec::new()))
        .await
        .unwrap();
    assert_eq!(clean.value.recommendation, Recommendation::StrongYes);
    let flagged = OfflineAssessor
        .judge(&request(lines, vec![flag]))
        .await
        .unwrap();
    assert_eq!(flagged.value.recommendation, Recommendation::Maybe);
    assert!(
        flagged
            .value
            .recommended_actions
            .iter()
            .any(|a| a.contains("integrity"))
    );
}

#[tokio::test]
async fn the_same_record_always_gives_the_same_judgement() {
    let make = || {
        request(
            vec![answer(2, "hooks", DifficultyLevel::Fundamental, 0.5)],
            Vec::new(),
        )
    };
    let first = OfflineAssessor.judge(&make()).await.unwrap();
    let second = OfflineAssessor.judge(&make()).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.value.recommendation, Recommendation::No);
}
