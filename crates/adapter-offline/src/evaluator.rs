//! Heuristic evaluation of an answer, deterministic and explainable:
//!
//! - **coverage**: the share of the question's key points the answer mentions;
//! - **length**: under 8 words is too short to show anything, 25–250 words is a full answer;
//! - **structure**: several sentences and reasoning connectors ("because", "for example", …);
//! - **hedging**: "I don't know", "not sure", "maybe", "I guess" … lower confidence.
//!
//! `technical_accuracy = 0.1 + 0.9·coverage − 0.15·hedges` (halved for answers under 8 words),
//! `explanation_clarity = 0.35·length + 0.35·structure + 0.3·coverage − 0.1·hedges`, both clamped
//! to 0–1. The quality label follows `0.65·accuracy + 0.35·clarity`: ≥ 0.8 excellent, ≥ 0.6 good,
//! ≥ 0.4 fair, otherwise poor.

use interview_core::ladder::{AnswerQuality, Evaluation, Score};

use crate::bank::KeyPoint;

const CONNECTORS: [&str; 14] = [
    "because",
    "for example",
    "for instance",
    "e.g.",
    "which means",
    "so that",
    "therefore",
    "instead",
    "whereas",
    "however",
    "first",
    "then",
    "trade-off",
    "in practice",
];

const HEDGES: [&str; 9] = [
    "i don't know",
    "i do not know",
    "not sure",
    "no idea",
    "maybe",
    "i guess",
    "probably",
    "i think",
    "never used",
];

/// The measurements behind an evaluation, kept for the rationale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    pub coverage: f64,
    pub words: usize,
    pub sentences: usize,
    pub connectors: usize,
    pub hedges: usize,
}

pub fn signals(answer: &str, key_points: &[KeyPoint]) -> Signals {
    let lower = answer.to_lowercase();
    let covered = key_points.iter().filter(|p| p.covered_by(&lower)).count();
    let coverage = if key_points.is_empty() {
        0.5
    } else {
        covered as f64 / key_points.len() as f64
    };
    Signals {
        coverage,
        words: lower.split_whitespace().count(),
        sentences: lower
            .split(['.', '!', '?', ';'])
            .filter(|sentence| sentence.split_whitespace().count() >= 3)
            .count(),
        connectors: CONNECTORS.iter().filter(|c| lower.contains(*c)).count(),
        hedges: HEDGES.iter().filter(|h| lower.contains(*h)).count(),
    }
}

fn length_score(words: usize) -> f64 {
    match words {
        0..8 => 0.1,
        8..25 => 0.5,
        25..=250 => 1.0,
        251..=400 => 0.85,
        _ => 0.7,
    }
}

pub fn evaluate(answer: &str, key_points: &[KeyPoint]) -> (Evaluation, Signals) {
    let s = signals(answer, key_points);
    let hedges = s.hedges.min(2) as f64;
    let mut accuracy = 0.1 + 0.9 * s.coverage - 0.15 * hedges;
    if s.words < 8 {
        accuracy *= 0.5;
    }
    let structure =
        0.5 * (s.sentences as f64 / 3.0).min(1.0) + 0.5 * (s.connectors as f64 / 2.0).min(1.0);
    let clarity = 0.35 * length_score(s.words) + 0.35 * structure + 0.3 * s.coverage - 0.1 * hedges;
    let technical_accuracy = Score::clamped(accuracy);
    let explanation_clarity = Score::clamped(clarity);
    let overall = 0.65 * technical_accuracy.value() + 0.35 * explanation_clarity.value();
    let quality = if overall >= 0.8 {
        AnswerQuality::Excellent
    } else if overall >= 0.6 {
        AnswerQuality::Good
    } else if overall >= 0.4 {
        AnswerQuality::Fair
    } else {
        AnswerQuality::Poor
    };
    let evaluation = Evaluation {
        quality,
        technical_accuracy,
        explanation_clarity,
        identified_skills: Vec::new(),
        boundaries_noticed: Vec::new(),
        rationale: Some(format!(
            "covered {:.0}% of the key points in {} words, {} sentences, {} reasoning connectors, {} hedges",
            s.coverage * 100.0,
            s.words,
            s.sentences,
            s.connectors,
            s.hedges
        )),
        fallback: false,
    };
    (evaluation, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn points() -> Vec<KeyPoint> {
        [
            "virtual dom",
            "diff|reconcil",
            "re-render|rerender",
            "batch",
        ]
        .iter()
        .map(|raw| KeyPoint {
            alternatives: raw.split('|').map(str::to_owned).collect(),
        })
        .collect()
    }

    #[test]
    fn a_complete_reasoned_answer_is_excellent() {
        let answer = "React keeps a virtual DOM. When state changes it will re-render the \
                      component and then diff the new tree against the old one, because touching \
                      the real DOM is slow. For example, updates inside one event are batched so \
                      only the changed nodes are written.";
        let (evaluation, signals) = evaluate(answer, &points());
        assert!((signals.coverage - 1.0).abs() < f64::EPSILON);
        assert_eq!(evaluation.quality, AnswerQuality::Excellent);
        assert!(evaluation.technical_accuracy.value() > 0.9);
    }

    #[test]
    fn a_hedged_empty_answer_is_poor() {
        let (evaluation, _) = evaluate("I don't know, maybe it just works?", &points());
        assert_eq!(evaluation.quality, AnswerQuality::Poor);
        assert!(evaluation.technical_accuracy.value() < 0.2);
    }

    #[test]
    fn a_partial_answer_sits_in_the_middle() {
        let answer = "It uses a virtual DOM and re-renders components when their state changes \
                      so the page stays in sync with the data.";
        let (evaluation, signals) = evaluate(answer, &points());
        assert!((signals.coverage - 0.5).abs() < f64::EPSILON);
        assert!(matches!(
            evaluation.quality,
            AnswerQuality::Fair | AnswerQuality::Good
        ));
    }

    proptest! {
        #[test]
        fn scores_are_always_in_range(answer in "\\PC{0,400}") {
            let (evaluation, _) = evaluate(&answer, &points());
            prop_assert!((0.0..=1.0).contains(&evaluation.technical_accuracy.value()));
            prop_assert!((0.0..=1.0).contains(&evaluation.explanation_clarity.value()));
        }
    }
}
