//! The offline [`InterviewerModel`]: picks questions from the bank following the ladder and judges
//! answers with the heuristics of [`crate::evaluator`].

use async_trait::async_trait;
use interview_core::cost::ChatUsage;
use interview_core::ladder::DifficultyLevel;
use interview_core::ports::{
    EvaluationRequest, Generated, InterviewerModel, ProviderError, Question, QuestionRequest,
};

use crate::bank::{BankQuestion, QuestionBank};
use crate::evaluator;

/// Model name of the offline interviewer; priced at zero.
pub const OFFLINE_MODEL: &str = "offline";

#[derive(Debug, Clone)]
pub struct OfflineInterviewer {
    bank: QuestionBank,
}

impl OfflineInterviewer {
    pub fn new(bank: QuestionBank) -> Self {
        Self { bank }
    }

    pub fn bank(&self) -> &QuestionBank {
        &self.bank
    }

    /// The preferred unasked question: the requested level first, then the nearest levels
    /// (lower before higher); within a level, the requested skill, else an unexplored one.
    fn pick(&self, request: &QuestionRequest) -> Option<&BankQuestion> {
        let asked = |question: &BankQuestion| {
            request
                .asked_questions
                .iter()
                .any(|text| text.trim() == question.prompt)
        };
        // the skill the core chose first; then skills not yet explored
        let fit = |question: &BankQuestion| -> u8 {
            if question.skill == request.skill {
                0
            } else {
                1 + u8::from(request.skills_explored.contains(&question.skill))
            }
        };
        let rank = request.level.rank();
        let mut levels: Vec<DifficultyLevel> = DifficultyLevel::ALL.to_vec();
        levels.sort_by_key(|level| (level.rank().abs_diff(rank), level.rank() > rank));
        levels.into_iter().find_map(|level| {
            self.bank
                .at(request.role, level)
                .iter()
                .filter(|question| !asked(question))
                .min_by_key(|question| fit(question))
        })
    }

    fn ask(&self, request: &QuestionRequest) -> Result<Generated<Question>, ProviderError> {
        let question = self.pick(request).ok_or_else(|| {
            ProviderError::InvalidResponse(format!(
                "the offline question bank has no unasked {} question left",
                request.role
            ))
        })?;
        Ok(Generated {
            value: Question {
                text: question.prompt.clone(),
                skill: question.skill.clone(),
                level: question.level,
            },
            usage: free_usage(),
        })
    }
}

fn free_usage() -> ChatUsage {
    ChatUsage {
        model: OFFLINE_MODEL.to_owned(),
        input_tokens: 0,
        output_tokens: 0,
    }
}

#[async_trait]
impl InterviewerModel for OfflineInterviewer {
    fn model_name(&self) -> String {
        OFFLINE_MODEL.to_owned()
    }

    async fn first_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.ask(request)
    }

    async fn next_question(
        &self,
        request: &QuestionRequest,
    ) -> Result<Generated<Question>, ProviderError> {
        self.ask(request)
    }

    async fn evaluate(
        &self,
        request: &EvaluationRequest,
    ) -> Result<Generated<interview_core::ladder::Evaluation>, ProviderError> {
        let key_points = self
            .bank
            .find(&request.question)
            .map_or(&[][..], |question| question.key_points.as_slice());
        let (mut evaluation, signals) = evaluator::evaluate(&request.answer, key_points);
        if signals.coverage >= 0.5 {
            evaluation.identified_skills.push(request.skill.clone());
        }
        if signals.coverage < 0.25 {
            evaluation.boundaries_noticed.push(request.skill.clone());
        }
        Ok(Generated {
            value: evaluation,
            usage: free_usage(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use interview_core::ladder::SkillArea;
    use interview_core::memory::PromptMemory;
    use interview_core::model::RoleType;
    use interview_core::rules::skills::QuestionIntent;

    fn interviewer() -> OfflineInterviewer {
        OfflineInterviewer::new(QuestionBank::builtin().unwrap())
    }

    fn request(level: DifficultyLevel, skill: &str, asked: Vec<String>) -> QuestionRequest {
        QuestionRequest {
            role: RoleType::React,
            level,
            skill: SkillArea::new(skill),
            intent: QuestionIntent::Explore,
            skills_explored: vec![],
            asked_questions: asked,
            memory: PromptMemory::default(),
            question_number: 1,
        }
    }

    #[tokio::test]
    async fn asks_at_the_requested_level_and_never_repeats() {
        let interviewer = interviewer();
        let mut asked = Vec::new();
        for _ in 0..5 {
            let question = interviewer
                .next_question(&request(
                    DifficultyLevel::Intermediate,
                    "components",
                    asked.clone(),
                ))
                .await
                .unwrap()
                .value;
            assert_eq!(question.level, DifficultyLevel::Intermediate);
            assert!(!asked.contains(&question.text));
            asked.push(question.text);
        }
        // the level is exhausted: the nearest level, lower first, takes over
        let sixth = interviewer
            .next_question(&request(DifficultyLevel::Intermediate, "components", asked))
            .await
            .unwrap()
            .value;
        assert_eq!(sixth.level, DifficultyLevel::Fundamental);
    }

    #[tokio::test]
    async fn asks_about_the_skill_the_core_chose() {
        let interviewer = interviewer();
        for skill in ["hooks", "testing", "components"] {
            let question = interviewer
                .next_question(&request(DifficultyLevel::Advanced, skill, vec![]))
                .await
                .unwrap()
                .value;
            assert_eq!(question.skill, SkillArea::new(skill));
            assert_eq!(question.level, DifficultyLevel::Advanced);
        }
    }

    #[tokio::test]
    async fn evaluation_uses_the_key_points_of_the_question_asked() {
        let interviewer = interviewer();
        let question = interviewer
            .bank()
            .at(RoleType::React, DifficultyLevel::Fundamental)[0]
            .clone();
        let good = "Keys give each item a stable identity, because React has to reconcile the old \
                    and new lists. For example, when you insert or reorder items, an index key \
                    makes React reuse the wrong element, so its state and input values end up on \
                    the wrong row; a unique id avoids that.";
        let evaluated = interviewer
            .evaluate(&EvaluationRequest {
                role: RoleType::React,
                level: question.level,
                skill: question.skill.clone(),
                question: question.prompt.clone(),
                answer: good.into(),
                memory: PromptMemory::default(),
            })
            .await
            .unwrap();
        assert_eq!(
            evaluated.value.quality,
            interview_core::ladder::AnswerQuality::Excellent
        );
        assert_eq!(evaluated.value.identified_skills, vec![question.skill]);
        assert_eq!(evaluated.usage.model, OFFLINE_MODEL);
    }
}
