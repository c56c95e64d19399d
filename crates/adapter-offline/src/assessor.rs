//! The offline [`AssessmentWriter`]: a deterministic judgement written from the core's scores,
//! the interviewer's judgement of each answer and the integrity flags. Free, and the same
//! record always gives the same assessment.

use std::collections::BTreeMap;

use async_trait::async_trait;
use interview_core::assessment::{Claim, Judgement, Recommendation};
use interview_core::cost::ChatUsage;
use interview_core::ports::{
    AssessmentRequest, AssessmentWriter, Generated, JudgedAnswer, ProviderError,
};
use interview_core::rules::integrity::Severity;
use interview_core::rules::scoring::SOLID_ANSWER;

use crate::interviewer::OFFLINE_MODEL;

/// Rules of this writer; stored with each assessment it writes.
pub const OFFLINE_ASSESSMENT_VERSION: &str = "offline-assessment-v1";
/// An answer at least this good is a highlight.
const HIGHLIGHT: f64 = 0.75;
/// A skill scoring at least this is a strength; below `GROWTH` it is a growth area.
const STRENGTH: u8 = 60;
const GROWTH: u8 = 50;

#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineAssessor;

fn recommendation(overall: u8, serious_flags: bool) -> Recommendation {
    let by_score = match overall {
        80..=u8::MAX => Recommendation::StrongYes,
        65..=79 => Recommendation::Yes,
        45..=64 => Recommendation::Maybe,
        _ => Recommendation::No,
    };
    if serious_flags && matches!(by_score, Recommendation::StrongYes | Recommendation::Yes) {
        Recommendation::Maybe
    } else {
        by_score
    }
}

fn level_name(level: Option<interview_core::ladder::DifficultyLevel>) -> &'static str {
    level.map_or("no level", interview_core::ladder::DifficultyLevel::as_str)
}

fn judge(request: &AssessmentRequest) -> Judgement {
    let answers: Vec<(i32, &JudgedAnswer)> = request
        .transcript
        .iter()
        .filter_map(|line| {
            line.judged
                .as_ref()
                .map(|judged| (line.sequence_number, judged))
        })
        .collect();
    let mut by_skill: BTreeMap<&str, Vec<(i32, f64)>> = BTreeMap::new();
    for (sequence, judged) in &answers {
        by_skill
            .entry(judged.skill.as_str())
            .or_default()
            .push((*sequence, judged.composite));
    }
    let evidence = |skill: &str, keep: &dyn Fn(f64) -> bool| -> Vec<i32> {
        by_skill
            .get(skill)
            .map(|answers| {
                answers
                    .iter()
                    .filter(|(_, composite)| keep(*composite))
                    .map(|(sequence, _)| *sequence)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut strengths = Vec::new();
    let mut growth_areas = Vec::new();
    for skill in &request.scores.skills {
        if skill.score >= STRENGTH && !skill.boundary {
            strengths.push(Claim {
                text: format!(
                    "Comfortable with {} up to the {} level",
                    skill.skill,
                    level_name(skill.level_reached)
                ),
                evidence: evidence(skill.skill.as_str(), &|composite| composite >= SOLID_ANSWER),
            });
        }
        if skill.boundary || skill.score < GROWTH {
            let text =
                match request.scores.boundary_map.iter().find(|entry| {
                    entry.skill == skill.skill && entry.level.is_some() && skill.boundary
                }) {
                    Some(entry) => format!(
                        "{}: reached a limit at the {} level",
                        skill.skill,
                        level_name(entry.level)
                    ),
                    None => format!("{}: answers stayed below a solid level", skill.skill),
                };
            growth_areas.push(Claim {
                text,
                evidence: evidence(skill.skill.as_str(), &|composite| composite < SOLID_ANSWER),
            });
        }
    }
    let mut best: Vec<&(i32, &JudgedAnswer)> = answers
        .iter()
        .filter(|(_, judged)| judged.composite >= HIGHLIGHT)
        .collect();
    best.sort_by(|a, b| b.1.composite.total_cmp(&a.1.composite).then(a.0.cmp(&b.0)));
    let highlights = best
        .into_iter()
        .take(3)
        .map(|(sequence, judged)| Claim {
            text: format!(
                "A strong {} answer about {}",
                judged.level.as_str(),
                judged.skill
            ),
            evidence: vec![*sequence],
        })
        .collect();
    let serious = request
        .integrity_flags
        .iter()
        .filter(|flag| flag.severity == Severity::High)
        .count();
    let recommendation = recommendation(request.scores.overall, serious > 0);
    let mut actions: Vec<String> = growth_areas
        .iter()
        .take(3)
        .filter_map(|claim: &Claim| claim.text.split(':').next())
        .map(|skill| format!("Probe {skill} in a follow-up interview"))
        .collect();
    if !request.integrity_flags.is_empty() {
        actions.push(format!(
            "Review the {} integrity flag(s) against the transcript",
            request.integrity_flags.len()
        ));
    }
    actions.push(
        match recommendation {
            Recommendation::StrongYes | Recommendation::Yes => "Invite to the next round",
            Recommendation::Maybe => "Decide after reviewing the transcript",
            Recommendation::No => "Do not proceed for this role",
        }
        .to_owned(),
    );
    let reasoning = format!(
        "Overall {} of 100 over {} judged answer(s) in {} skill area(s); {} boundar{} found; {} \
         integrity flag(s), {} of them high. Scores weigh the highest level answered solidly \
         (60 %) and the mean answer quality (40 %), less 10 points where a boundary was found.",
        request.scores.overall,
        answers.len(),
        request.scores.skills.len(),
        request.scores.skills.iter().filter(|s| s.boundary).count(),
        if request.scores.skills.iter().filter(|s| s.boundary).count() == 1 {
            "y"
        } else {
            "ies"
        },
        request.integrity_flags.len(),
        serious,
    );
    Judgement {
        strengths,
        growth_areas,
        highlights,
        reasoning,
        recommendation,
        recommended_actions: actions,
        fallback: false,
    }
}

#[async_trait]
impl AssessmentWriter for OfflineAssessor {
    fn generator(&self) -> String {
        OFFLINE_MODEL.to_owned()
    }

    fn prompt_version(&self) -> String {
        OFFLINE_ASSESSMENT_VERSION.to_owned()
    }

    async fn judge(
        &self,
        request: &AssessmentRequest,
    ) -> Result<Generated<Judgement>, ProviderError> {
        Ok(Generated {
            value: judge(request),
            usage: ChatUsage {
                model: OFFLINE_MODEL.to_owned(),
                input_tokens: 0,
                output_tokens: 0,
            },
        })
    }
}

#[cfg(test)]
#[path = "assessor_tests.rs"]
mod tests;
