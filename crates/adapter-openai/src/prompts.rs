//! Versioned prompt texts (`prompts/v1/*.txt`) and their rendering. A change of wording is a
//! new version directory, so a transcript can always be traced to the prompts that produced it.

use interview_core::ladder::{DifficultyLevel, SkillArea};
use interview_core::model::RoleType;
use interview_core::ports::{QuestionFocus, QuestionRequest};

pub const PROMPT_VERSION: &str = "v1";

const SYSTEM: &str = include_str!("../prompts/v1/system.txt");
const QUESTION: &str = include_str!("../prompts/v1/question.txt");
const EVALUATION_SYSTEM: &str = include_str!("../prompts/v1/evaluation_system.txt");
const EVALUATION: &str = include_str!("../prompts/v1/evaluation.txt");
const REPAIR: &str = include_str!("../prompts/v1/repair.txt");

/// Replaces each `{name}` with its value; unknown placeholders stay as they are.
fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.trim_end().to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

const fn role_title(role: RoleType) -> &'static str {
    match role {
        RoleType::React => "React",
        RoleType::Python => "Python",
        RoleType::Javascript => "JavaScript",
        RoleType::Fullstack => "full-stack",
    }
}

const fn level_description(level: DifficultyLevel) -> &'static str {
    match level {
        DifficultyLevel::Warmup => "an easy opener about the candidate's experience with the area",
        DifficultyLevel::Fundamental => "core concepts every practitioner knows",
        DifficultyLevel::Intermediate => "applying concepts to realistic problems and trade-offs",
        DifficultyLevel::Advanced => "internals, edge cases and design decisions",
        DifficultyLevel::Expert => {
            "deep expertise: architecture, performance and subtle failure modes"
        }
    }
}

pub fn interviewer_system(role: RoleType) -> String {
    render(SYSTEM, &[("role", role_title(role))])
}

/// The skill the next question is about: the one to probe, or the first key skill of the
/// role not yet explored (cycling when every one has been).
pub fn choose_skill(request: &QuestionRequest) -> SkillArea {
    let key_skills: Vec<SkillArea> = request
        .role
        .default_key_skills()
        .iter()
        .map(|name| SkillArea::new(name))
        .collect();
    match &request.focus {
        QuestionFocus::Probe(skill) => skill.clone(),
        QuestionFocus::Explore(leaving) => key_skills
            .iter()
            .find(|skill| {
                !request.skills_explored.contains(skill) && Some(*skill) != leaving.as_ref()
            })
            .or_else(|| {
                key_skills
                    .iter()
                    .find(|skill| Some(*skill) != leaving.as_ref())
            })
            .cloned()
            .unwrap_or_else(|| SkillArea::new("general")),
    }
}

pub fn question(request: &QuestionRequest, skill: &SkillArea) -> String {
    let focus_instruction = match request.focus {
        QuestionFocus::Probe(_) => "Probe deeper into what the candidate just said about it.",
        QuestionFocus::Explore(_) => "Move the conversation to this area with a fresh question.",
    };
    let explored = if request.skills_explored.is_empty() {
        "none yet".to_owned()
    } else {
        request
            .skills_explored
            .iter()
            .map(SkillArea::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let asked = if request.asked_questions.is_empty() {
        "- none yet".to_owned()
    } else {
        request
            .asked_questions
            .iter()
            .map(|question| format!("- {question}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    render(
        QUESTION,
        &[
            ("question_number", &request.question_number.to_string()),
            ("level", request.level.as_str()),
            ("level_description", level_description(request.level)),
            ("skill", skill.as_str()),
            ("focus_instruction", focus_instruction),
            ("skills_explored", &explored),
            ("asked_questions", &asked),
        ],
    )
}

pub fn evaluation_system(role: RoleType, skill: &SkillArea) -> String {
    render(
        EVALUATION_SYSTEM,
        &[("role", role_title(role)), ("skill", skill.as_str())],
    )
}

pub fn evaluation(
    level: DifficultyLevel,
    skill: &SkillArea,
    question: &str,
    answer: &str,
) -> String {
    render(
        EVALUATION,
        &[
            ("level", level.as_str()),
            ("skill", skill.as_str()),
            ("question", question),
            ("answer", answer),
        ],
    )
}

pub fn repair(problem: &str) -> String {
    render(REPAIR, &[("problem", problem)])
}

/// The JSON schema of an evaluation (OpenAI structured outputs, strict mode).
pub fn evaluation_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": [
            "answer_quality", "technical_accuracy", "explanation_clarity",
            "identified_skills", "skill_boundaries_detected", "rationale"
        ],
        "properties": {
            "answer_quality": { "type": "string", "enum": ["excellent", "good", "fair", "poor"] },
            "technical_accuracy": { "type": "number", "minimum": 0, "maximum": 1 },
            "explanation_clarity": { "type": "number", "minimum": 0, "maximum": 1 },
            "identified_skills": { "type": "array", "items": { "type": "string" } },
            "skill_boundaries_detected": { "type": "array", "items": { "type": "string" } },
            "rationale": { "type": "string" }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(focus: QuestionFocus, explored: &[&str]) -> QuestionRequest {
        QuestionRequest {
            role: RoleType::Python,
            level: DifficultyLevel::Intermediate,
            focus,
            skills_explored: explored.iter().map(|name| SkillArea::new(name)).collect(),
            asked_questions: vec!["What is a list comprehension?".into()],
            memory: Vec::new(),
            question_number: 4,
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let request = request(QuestionFocus::Explore(None), &[]);
        let skill = choose_skill(&request);
        for text in [
            interviewer_system(request.role),
            question(&request, &skill),
            evaluation_system(request.role, &skill),
            evaluation(request.level, &skill, "q", "a"),
            repair("not JSON"),
        ] {
            assert!(!text.contains('{'), "unfilled placeholder in: {text}");
        }
        assert!(question(&request, &skill).contains("What is a list comprehension?"));
    }

    #[test]
    fn exploring_picks_an_unexplored_key_skill_and_probing_keeps_the_skill() {
        let explore = request(
            QuestionFocus::Explore(Some(SkillArea::new("data-structures"))),
            &["data-structures", "functions"],
        );
        assert_eq!(choose_skill(&explore), SkillArea::new("object-oriented"));
        let probe = request(QuestionFocus::Probe(SkillArea::new("concurrency")), &[]);
        assert_eq!(choose_skill(&probe), SkillArea::new("concurrency"));
        let all: Vec<&str> = RoleType::Python.default_key_skills().to_vec();
        let exhausted = request(QuestionFocus::Explore(Some(SkillArea::new(all[0]))), &all);
        assert_eq!(choose_skill(&exhausted), SkillArea::new(all[1]));
    }
}
