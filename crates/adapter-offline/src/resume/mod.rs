//! The offline [`ResumeAnalyzer`] and [`FeedbackAuthor`]: documented rules over the resume's
//! text, deterministic and free (zero tokens). The same text always gives the same facts and
//! the same feedback.
//!
//! **Skills** come from a built-in vocabulary ([`SKILLS`], about 150 technologies with their
//! aliases: "postgres" is PostgreSQL, "k8s" is Kubernetes, "js" is JavaScript), matched
//! case-insensitively on word boundaries, the longest alias winning ("React Native" is not
//! also React, "JavaScript" not also Java). They are returned in their display form, in order
//! of first appearance. Names that are ordinary English words or single letters (Go, R, C,
//! Swift, Spark, Express, Rails, ...) count only in clear forms ("Golang", "Apache Spark",
//! "Express.js") or as an item of a list: between separators such as `,` `/` `|` `:` `(` `)`
//! or a bullet and the end of the line, as in "Languages: Python, Go, R". A single letter must
//! also be upper case there. So "Go to the store" or "I can see" give nothing.
//!
//! **Experience** is the largest `N` in "N years of experience", "N+ years", "over N years"
//! (N from 1 to 50, in digits or words up to twenty). **Education** is every line naming a
//! degree (BSc, MSc, Bachelor, Master's, PhD, B.S., M.S., MBA, ...). **Previous roles** are
//! lines reading "Title at Company" (or "Title @ Company") whose title names a job
//! (engineer, developer, manager, ...). **Technical domains** follow from the skills.

mod facts;
mod feedback;
mod vocabulary;

use async_trait::async_trait;
use interview_core::cost::ChatUsage;
use interview_core::ports::{
    FeedbackAuthor, FeedbackDraft, Generated, ProviderError, ResumeAnalyzer, ResumeFacts,
};

use crate::interviewer::OFFLINE_MODEL;

pub use vocabulary::{Domain, SKILLS, Skill};

use facts::{domains_of, education, experience_years, find_skills, previous_roles};
#[cfg(test)]
use feedback::{JEST, PYTEST, TECH_RESUME, TEST_PYRAMID, is_quantified};

fn free_usage() -> ChatUsage {
    ChatUsage {
        model: OFFLINE_MODEL.to_owned(),
        input_tokens: 0,
        output_tokens: 0,
    }
}

/// The offline [`ResumeAnalyzer`]: the rules of this module's docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineResumeAnalyzer;

impl OfflineResumeAnalyzer {
    /// The facts of a resume's text.
    pub fn facts(text: &str) -> ResumeFacts {
        let skills = find_skills(text);
        ResumeFacts {
            skills: skills.iter().map(|skill| skill.name.to_owned()).collect(),
            experience_years: experience_years(text),
            education: education(text),
            previous_roles: previous_roles(text),
            technical_domains: domains_of(&skills)
                .into_iter()
                .map(|domain| domain.as_str().to_owned())
                .collect(),
        }
    }
}

#[async_trait]
impl ResumeAnalyzer for OfflineResumeAnalyzer {
    async fn analyze(&self, text: &str) -> Result<Generated<ResumeFacts>, ProviderError> {
        Ok(Generated {
            value: Self::facts(text),
            usage: free_usage(),
        })
    }
}

/// The offline [`FeedbackAuthor`]: remarks from the facts and the text, each with its
/// evidence, and readings for them. Always at least one improvement area.
///
/// - no achievement bullet gives a number (years do not count) → quantify achievements;
///   no bullets at all → describe achievements;
/// - no testing skill and no mention of tests → testing;
/// - fewer than five recognised skills → the skills section;
/// - no stated years of experience → a summary line;
/// - no "Title at Company" line → the work history format;
/// - none of these → tailoring to the posting.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineFeedbackAuthor;

#[async_trait]
impl FeedbackAuthor for OfflineFeedbackAuthor {
    async fn write(
        &self,
        facts: &ResumeFacts,
        text: &str,
    ) -> Result<Generated<FeedbackDraft>, ProviderError> {
        Ok(Generated {
            value: Self::draft(facts, text),
            usage: free_usage(),
        })
    }
}

#[cfg(test)]
mod tests;
