//! Versioned prompt texts (`prompts/v1/*.txt` for the interview, `prompts/assessment-v1/*.txt`
//! for assessments) and their rendering. A change of wording is a new version directory, so a
//! transcript or an assessment can always be traced to the prompts that produced it.

mod assessment;
pub(crate) mod resume;

use interview_core::ladder::{DifficultyLevel, SkillArea};
use interview_core::model::RoleType;
use interview_core::ports::QuestionRequest;
use interview_core::rules::skills::QuestionIntent;

pub use assessment::{
    ASSESSMENT_PROMPT_VERSION, assessment, assessment_repair, assessment_schema, assessment_system,
};

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
    render(SYSTEM, &[("role", role.title())])
}

pub fn question(request: &QuestionRequest) -> String {
    let focus_instruction = match request.intent {
        QuestionIntent::Probe => "Probe deeper into what the candidate just said about it.",
        QuestionIntent::Explore => "Move the conversation to this area with a fresh question.",
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
            ("skill", request.skill.as_str()),
            ("focus_instruction", focus_instruction),
            ("skills_explored", &explored),
            ("asked_questions", &asked),
        ],
    )
}

pub fn evaluation_system(role: RoleType, skill: &SkillArea) -> String {
    render(
        EVALUATION_SYSTEM,
        &[("role", role.title()), ("skill", skill.as_str())],
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
    use interview_core::memory::PromptMemory;

    fn request(intent: QuestionIntent) -> QuestionRequest {
        QuestionRequest {
            role: RoleType::Python,
            level: DifficultyLevel::Intermediate,
            skill: SkillArea::new("concurrency"),
            intent,
            skills_explored: vec![SkillArea::new("data-structures")],
            asked_questions: vec!["What is a list comprehension?".into()],
            memory: PromptMemory::default(),
            question_number: 4,
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let request = request(QuestionIntent::Explore);
        for text in [
            interviewer_system(request.role),
            question(&request),
            evaluation_system(request.role, &request.skill),
            evaluation(request.level, &request.skill, "q", "a"),
            repair("not JSON"),
        ] {
            assert!(!text.contains('{'), "unfilled placeholder in: {text}");
        }
        assert!(question(&request).contains("What is a list comprehension?"));
    }

    #[test]
    fn the_question_prompt_names_the_skill_the_core_chose_and_the_intent() {
        let probe = question(&request(QuestionIntent::Probe));
        assert!(probe.contains("concurrency"));
        assert!(probe.contains("Probe deeper"));
        let explore = question(&request(QuestionIntent::Explore));
        assert!(explore.contains("fresh question"));
    }
}
