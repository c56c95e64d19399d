//! Every tunable of the engine, with the product defaults. The server embeds this struct in its
//! configuration; no default is restated anywhere else.

use serde::{Deserialize, Serialize};

use crate::model::Interview;
use crate::rules::budget::{Budget, BudgetGuard};
use crate::rules::cost::Pricing;
use crate::rules::evaluation::SkillArea;
use crate::rules::ladder::LadderSettings;
use crate::rules::lifecycle::CompletionSettings;
use crate::rules::memory::MemorySettings;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterviewSettings {
    pub ladder: LadderSettings,
    pub completion: CompletionSettings,
    pub memory: MemorySettings,
    pub pricing: Pricing,
    pub budget: Budget,
    /// Output allowance of one interviewer call; the budget check assumes all of it is used.
    /// The server sets it to the provider's configured maximum.
    pub max_output_tokens: u64,
    pub max_answer_characters: usize,
}

impl Default for InterviewSettings {
    fn default() -> Self {
        Self {
            ladder: LadderSettings::default(),
            completion: CompletionSettings::default(),
            memory: MemorySettings::default(),
            pricing: Pricing::default(),
            budget: Budget::default(),
            max_output_tokens: 600,
            max_answer_characters: 10_000,
        }
    }
}

impl InterviewSettings {
    /// The budget check, priced with these settings.
    pub fn budget_guard(&self) -> BudgetGuard<'_> {
        BudgetGuard {
            pricing: &self.pricing,
            budget: self.budget,
            max_output_tokens: self.max_output_tokens,
        }
    }

    /// The number of questions a client is told to expect at most.
    /// The skill areas an interview must explore: its own (a job's required skills), else its
    /// role's configured ones.
    pub fn key_skills_of<'a>(&'a self, interview: &'a Interview) -> &'a [SkillArea] {
        if interview.key_skills.is_empty() {
            self.completion.key_skills(interview.role_type)
        } else {
            &interview.key_skills
        }
    }

    pub fn total_questions(&self) -> i32 {
        i32::try_from(self.completion.max_questions).unwrap_or(i32::MAX)
    }
}
