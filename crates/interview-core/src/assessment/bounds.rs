//! The bounds every stored judgement keeps, whoever wrote it: claims cite only messages that
//! exist, and no list or text grows without limit.

use std::collections::BTreeSet;

use crate::assessment::model::{Claim, Judgement};

pub const MAX_CLAIMS: usize = 8;
pub const MAX_CLAIM_CHARS: usize = 500;
pub const MAX_EVIDENCE: usize = 10;
pub const MAX_ACTIONS: usize = 8;
pub const MAX_ACTION_CHARS: usize = 300;
pub const MAX_REASONING_CHARS: usize = 4_000;

fn clipped(text: &str, limit: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(limit) {
        Some((end, _)) => text[..end].trim_end().to_owned(),
        None => text.to_owned(),
    }
}

fn bounded_claims(claims: Vec<Claim>, messages: &BTreeSet<i32>) -> Vec<Claim> {
    claims
        .into_iter()
        .filter_map(|claim| {
            let text = clipped(&claim.text, MAX_CLAIM_CHARS);
            if text.is_empty() {
                return None;
            }
            let mut evidence: Vec<i32> = claim
                .evidence
                .into_iter()
                .filter(|number| messages.contains(number))
                .collect();
            evidence.sort_unstable();
            evidence.dedup();
            evidence.truncate(MAX_EVIDENCE);
            Some(Claim { text, evidence })
        })
        .take(MAX_CLAIMS)
        .collect()
}

/// The judgement within bounds: evidence only from `messages` (the transcript's sequence
/// numbers), empty claims dropped, lists and texts clipped.
pub fn within_bounds(judgement: Judgement, messages: &BTreeSet<i32>) -> Judgement {
    Judgement {
        strengths: bounded_claims(judgement.strengths, messages),
        growth_areas: bounded_claims(judgement.growth_areas, messages),
        highlights: bounded_claims(judgement.highlights, messages),
        reasoning: clipped(&judgement.reasoning, MAX_REASONING_CHARS),
        recommendation: judgement.recommendation,
        recommended_actions: judgement
            .recommended_actions
            .iter()
            .map(|action| clipped(action, MAX_ACTION_CHARS))
            .filter(|action| !action.is_empty())
            .take(MAX_ACTIONS)
            .collect(),
        fallback: judgement.fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::model::Recommendation;

    #[test]
    fn evidence_outside_the_transcript_and_empty_claims_are_dropped() {
        let judgement = Judgement {
            strengths: vec![
                Claim {
                    text: "  Explains reconciliation well ".to_owned(),
                    evidence: vec![4, 99, 2, 4, -1],
                },
                Claim {
                    text: "   ".to_owned(),
                    evidence: vec![2],
                },
            ],
            growth_areas: (0..20)
                .map(|i| Claim {
                    text: format!("area {i}"),
                    evidence: Vec::new(),
                })
                .collect(),
            highlights: Vec::new(),
            reasoning: "r".repeat(5_000),
            recommendation: Recommendation::Yes,
            recommended_actions: vec![String::new(), "Ask about testing".to_owned()],
            fallback: false,
        };
        let bounded = within_bounds(judgement, &BTreeSet::from([1, 2, 3, 4]));
        assert_eq!(
            bounded.strengths,
            [Claim {
                text: "Explains reconciliation well".to_owned(),
                evidence: vec![2, 4],
            }]
        );
        assert_eq!(bounded.growth_areas.len(), MAX_CLAIMS);
        assert_eq!(bounded.reasoning.chars().count(), MAX_REASONING_CHARS);
        assert_eq!(bounded.recommended_actions, ["Ask about testing"]);
    }
}
