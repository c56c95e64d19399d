//! The assessment prompts (`prompts/assessment-v1/*.txt`): the interview to judge (the core's
//! final scores and integrity flags, the numbered transcript), the repair request and the
//! judgement's JSON schema.

use std::fmt::Write as _;

use interview_core::assessment::Recommendation;
use interview_core::ladder::DifficultyLevel;
use interview_core::lifecycle::CompletionReason;
use interview_core::model::RoleType;
use interview_core::ports::{AssessmentRequest, Speaker, TranscriptLine};
use interview_core::rules::integrity::{IntegrityFlag, integrity_score};
use interview_core::rules::scoring::{BoundaryState, Scores};

use super::render;

/// The assessment prompts' version, stored with each assessment the OpenAI writer produces.
pub const ASSESSMENT_PROMPT_VERSION: &str = "assessment-v1";

const SYSTEM: &str = include_str!("../../prompts/assessment-v1/system.txt");
const ASSESSMENT: &str = include_str!("../../prompts/assessment-v1/assessment.txt");
const REPAIR: &str = include_str!("../../prompts/assessment-v1/repair.txt");

fn recommendations(separator: &str) -> String {
    Recommendation::ALL
        .iter()
        .map(|recommendation| recommendation.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

pub fn assessment_system(role: RoleType) -> String {
    render(
        SYSTEM,
        &[
            ("role", role.title()),
            ("recommendations", &recommendations(", ")),
        ],
    )
}

const fn completion(reason: Option<CompletionReason>) -> &'static str {
    match reason {
        Some(CompletionReason::MaxQuestions) => "every planned question was asked",
        Some(CompletionReason::BoundariesFound) => {
            "the limits of every key skill of the role were found"
        }
        Some(CompletionReason::TimeLimit) => "the time limit passed",
        Some(CompletionReason::BudgetExhausted) => "the interview's AI budget ran out",
        Some(CompletionReason::CandidateRequested) => "the candidate ended it",
        Some(CompletionReason::Inactivity) => "the candidate stopped responding",
        None => "not recorded",
    }
}

fn duration(seconds: Option<i64>) -> String {
    match seconds {
        Some(seconds) if seconds >= 0 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => "not recorded".to_owned(),
    }
}

fn level_name(level: Option<DifficultyLevel>) -> &'static str {
    level.map_or("no level", DifficultyLevel::as_str)
}

fn skill_scores(scores: &Scores) -> String {
    if scores.skills.is_empty() {
        return "No skill was scored.".to_owned();
    }
    let mut text = String::new();
    for skill in &scores.skills {
        let reached = skill.level_reached.map_or_else(
            || "no answer was solid".to_owned(),
            |level| format!("answered solidly up to {}", level.as_str()),
        );
        let boundary = if skill.boundary {
            "; boundary found"
        } else {
            ""
        };
        let _ = writeln!(
            text,
            "- {}: {} ({reached}{boundary}; {} question{})",
            skill.skill.as_str(),
            skill.score,
            skill.questions,
            if skill.questions == 1 { "" } else { "s" },
        );
    }
    text.trim_end().to_owned()
}

fn boundary_map(scores: &Scores) -> String {
    if scores.boundary_map.is_empty() {
        return "- none".to_owned();
    }
    scores
        .boundary_map
        .iter()
        .map(|entry| {
            let state = match entry.state {
                BoundaryState::Comfortable => {
                    format!("comfortable up to {}", level_name(entry.level))
                }
                BoundaryState::Boundary => format!("boundary at {}", level_name(entry.level)),
                BoundaryState::NotReached => "not reached".to_owned(),
            };
            format!("- {}: {state}", entry.skill.as_str())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The name a value serializes to (`fast_typing` for a flag kind without `as_str`).
fn serialized_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "unknown".to_owned(),
    }
}

fn integrity_flags(flags: &[IntegrityFlag]) -> String {
    if flags.is_empty() {
        return "- none".to_owned();
    }
    flags
        .iter()
        .map(|flag| {
            let messages = if flag.messages.is_empty() {
                String::new()
            } else {
                format!(
                    " (messages {})",
                    flag.messages
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!(
                "- {} [{} severity, confidence {:.2}]: {}{messages}",
                serialized_name(&flag.kind),
                flag.severity.as_str(),
                flag.confidence,
                flag.evidence.trim(),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` on one line, cut to `limit` characters when given.
fn one_line(text: &str, limit: Option<usize>) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match limit.and_then(|limit| flat.char_indices().nth(limit)) {
        Some((end, _)) => format!("{}…", flat[..end].trim_end()),
        None => flat,
    }
}

fn transcript_line(line: &TranscriptLine, limit: Option<usize>) -> String {
    let speaker = match line.speaker {
        Speaker::Interviewer => "Interviewer".to_owned(),
        Speaker::Candidate => match &line.judged {
            Some(judged) => format!(
                "Candidate (answer on {} at {} level, judged {:.2} of 1)",
                judged.skill.as_str(),
                judged.level.as_str(),
                judged.composite,
            ),
            None => "Candidate".to_owned(),
        },
    };
    format!(
        "[{}] {speaker}: {}",
        line.sequence_number,
        one_line(&line.text, limit)
    )
}

/// The interview to assess. `line_limit` cuts each message to that many characters, for a
/// model whose context the whole transcript does not fit.
pub fn assessment(request: &AssessmentRequest, line_limit: Option<usize>) -> String {
    let transcript = if request.transcript.is_empty() {
        "(no messages)".to_owned()
    } else {
        request
            .transcript
            .iter()
            .map(|line| transcript_line(line, line_limit))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // the transcript last: what the candidate said is never searched for placeholders
    render(
        ASSESSMENT,
        &[
            ("role", request.role.title()),
            ("completion", completion(request.completion_reason)),
            ("duration", &duration(request.duration_seconds)),
            ("overall", &request.scores.overall.to_string()),
            ("skill_scores", &skill_scores(&request.scores)),
            ("boundary_map", &boundary_map(&request.scores)),
            (
                "integrity_score",
                &integrity_score(&request.integrity_flags).to_string(),
            ),
            (
                "integrity_flags",
                &integrity_flags(&request.integrity_flags),
            ),
            ("transcript", &transcript),
        ],
    )
}

pub fn assessment_repair(problem: &str) -> String {
    render(
        REPAIR,
        &[
            ("problem", problem),
            ("recommendations", &recommendations("|")),
        ],
    )
}

/// The JSON schema of an assessment's judgement (OpenAI structured outputs, strict mode).
pub fn assessment_schema() -> serde_json::Value {
    let claims = serde_json::json!({
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["text", "evidence"],
            "properties": {
                "text": { "type": "string" },
                "evidence": { "type": "array", "items": { "type": "integer" } }
            }
        }
    });
    let recommendations: Vec<&str> = Recommendation::ALL
        .iter()
        .map(|recommendation| recommendation.as_str())
        .collect();
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": [
            "strengths", "growth_areas", "highlights", "reasoning", "recommendation",
            "recommended_actions"
        ],
        "properties": {
            "strengths": claims,
            "growth_areas": claims,
            "highlights": claims,
            "reasoning": { "type": "string" },
            "recommendation": { "type": "string", "enum": recommendations },
            "recommended_actions": { "type": "array", "items": { "type": "string" } }
        }
    })
}

#[cfg(test)]
mod tests {
    use interview_core::ladder::SkillArea;
    use interview_core::ports::JudgedAnswer;
    use interview_core::rules::integrity::{IntegrityFlagKind, Severity};
    use interview_core::rules::scoring::{SkillBoundaryEntry, SkillScore};

    use super::*;

    fn assessment_request() -> AssessmentRequest {
        let hooks = SkillArea::new("hooks");
        AssessmentRequest {
            role: RoleType::React,
            transcript: vec![
                TranscriptLine {
                    sequence_number: 1,
                    speaker: Speaker::Interviewer,
                    text: "How does useEffect clean up?".into(),
                    judged: None,
                },
                TranscriptLine {
                    sequence_number: 2,
                    speaker: Speaker::Candidate,
                    text: "It runs the returned function\nbefore the next effect.".into(),
                    judged: Some(JudgedAnswer {
                        skill: hooks.clone(),
                        level: DifficultyLevel::Intermediate,
                        composite: 0.8,
                    }),
                },
            ],
            scores: Scores {
                overall: 72,
                skills: vec![SkillScore {
                    skill: hooks.clone(),
                    score: 72,
                    level_reached: Some(DifficultyLevel::Intermediate),
                    boundary: true,
                    questions: 1,
                }],
                boundary_map: vec![
                    SkillBoundaryEntry {
                        skill: hooks,
                        state: BoundaryState::Boundary,
                        level: Some(DifficultyLevel::Advanced),
                    },
                    SkillBoundaryEntry {
                        skill: SkillArea::new("state-management"),
                        state: BoundaryState::NotReached,
                        level: None,
                    },
                ],
            },
            integrity_flags: vec![IntegrityFlag {
                kind: IntegrityFlagKind::FastTyping,
                severity: Severity::Medium,
                evidence: "400 characters typed 3.0 s after the question".into(),
                messages: vec![2],
                confidence: 0.8,
            }],
            completion_reason: Some(CompletionReason::MaxQuestions),
            duration_seconds: Some(754),
        }
    }

    #[test]
    fn the_assessment_prompt_gives_the_final_scores_the_flags_and_the_numbered_transcript() {
        let request = assessment_request();
        let text = assessment(&request, None);
        for expected in [
            "Role: React developer.",
            "every planned question was asked. Duration: 12 min 34 s.",
            "Overall: 72.",
            "- hooks: 72 (answered solidly up to intermediate; boundary found; 1 question)",
            "- hooks: boundary at advanced",
            "- state-management: not reached",
            "integrity score 88 of 100",
            "- fast_typing [medium severity, confidence 0.80]: 400 characters typed 3.0 s after \
             the question (messages 2)",
            "[1] Interviewer: How does useEffect clean up?",
            "[2] Candidate (answer on hooks at intermediate level, judged 0.80 of 1): It runs the \
             returned function before the next effect.",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let system = assessment_system(request.role);
        assert!(system.contains("strong_yes, yes, maybe, no"));
        assert!(system.contains("final"));
        for text in [
            text,
            system,
            assessment_repair("strengths[0] cites no message"),
        ] {
            assert!(!text.contains('{'), "unfilled placeholder in: {text}");
        }
    }

    #[test]
    fn a_shortened_assessment_prompt_cuts_each_message_and_what_was_said_is_not_rendered() {
        let mut request = assessment_request();
        request.transcript[1].text = format!("{{integrity_flags}} {}", "word ".repeat(500));
        request.completion_reason = None;
        request.duration_seconds = None;
        request.integrity_flags.clear();
        let text = assessment(&request, Some(600));
        let line = text.lines().last().unwrap();
        assert!(line.starts_with("[2] Candidate"));
        assert!(line.ends_with('…'));
        assert!(line.chars().count() < 700);
        assert!(
            line.contains("{integrity_flags}"),
            "a candidate's braces stay as said"
        );
        assert!(text.contains("not recorded. Duration: not recorded."));
        assert!(text.contains("of 100):\n- none"));
    }

    #[test]
    fn the_assessment_schema_is_strict_and_names_every_recommendation() {
        let schema = assessment_schema();
        assert_eq!(schema["additionalProperties"], false);
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|field| field.as_str().unwrap())
            .collect();
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(
            required.len(),
            properties.len(),
            "strict mode requires every field"
        );
        for field in &required {
            assert!(properties.contains_key(*field), "{field}");
        }
        assert_eq!(
            schema["properties"]["recommendation"]["enum"],
            serde_json::json!(["strong_yes", "yes", "maybe", "no"])
        );
        let claim = &schema["properties"]["highlights"]["items"];
        assert_eq!(claim["additionalProperties"], false);
        assert_eq!(claim["required"], serde_json::json!(["text", "evidence"]));
        assert_eq!(claim["properties"]["evidence"]["items"]["type"], "integer");
    }
}
