//! The question bank shipped with the repository (`questions/*.toml`).

use std::collections::{BTreeMap, HashSet};

use interview_core::ladder::{DifficultyLevel, SkillArea};
use interview_core::model::RoleType;
use serde::Deserialize;
use thiserror::Error;

/// The bank files compiled into the binary, one per role.
const BUILTIN_FILES: [(&str, &str); 4] = [
    ("react.toml", include_str!("../questions/react.toml")),
    ("python.toml", include_str!("../questions/python.toml")),
    (
        "javascript.toml",
        include_str!("../questions/javascript.toml"),
    ),
    (
        "fullstack.toml",
        include_str!("../questions/fullstack.toml"),
    ),
];

/// Questions each role needs at each level.
pub const MIN_QUESTIONS_PER_LEVEL: usize = 5;
/// Key points each question needs so an answer can be judged.
pub const MIN_KEY_POINTS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct BankFile {
    role: RoleType,
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    level: DifficultyLevel,
    skill: String,
    prompt: String,
    key_points: Vec<String>,
}

/// One point a good answer covers: any of its phrasings counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPoint {
    pub alternatives: Vec<String>,
}

impl KeyPoint {
    fn parse(raw: &str) -> Self {
        Self {
            alternatives: raw
                .split('|')
                .map(|alternative| alternative.trim().to_lowercase())
                .filter(|alternative| !alternative.is_empty())
                .collect(),
        }
    }

    /// Whether one phrasing starts a word of `answer` (already lower-cased).
    pub fn covered_by(&self, answer: &str) -> bool {
        self.alternatives
            .iter()
            .any(|alternative| starts_a_word(answer, alternative))
    }
}

fn starts_a_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(index, _)| {
        haystack[..index]
            .chars()
            .next_back()
            .is_none_or(|before| !before.is_alphanumeric())
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankQuestion {
    pub role: RoleType,
    pub level: DifficultyLevel,
    pub skill: SkillArea,
    pub prompt: String,
    pub key_points: Vec<KeyPoint>,
}

#[derive(Debug, Error)]
pub enum BankError {
    #[error("question bank file {file} is not valid: {source}")]
    Parse {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("question bank is incomplete:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

/// All questions, by role and level, in file order.
#[derive(Debug, Clone)]
pub struct QuestionBank {
    questions: BTreeMap<(RoleType, DifficultyLevel), Vec<BankQuestion>>,
    by_prompt: BTreeMap<String, (RoleType, DifficultyLevel, usize)>,
}

impl QuestionBank {
    /// The bank shipped with the crate, validated strictly.
    ///
    /// # Errors
    /// [`BankError`] if a file does not parse or the bank breaks a rule of [`Self::problems`].
    pub fn builtin() -> Result<Self, BankError> {
        let bank = Self::from_files(BUILTIN_FILES)?;
        let problems = bank.problems();
        if problems.is_empty() {
            Ok(bank)
        } else {
            Err(BankError::Invalid(problems))
        }
    }

    /// Parses bank files given as `(name, contents)` without validating them.
    ///
    /// # Errors
    /// [`BankError::Parse`] naming the file that does not parse.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, BankError> {
        let mut questions: BTreeMap<(RoleType, DifficultyLevel), Vec<BankQuestion>> =
            BTreeMap::new();
        for (name, contents) in files {
            let file: BankFile = toml::from_str(contents).map_err(|source| BankError::Parse {
                file: name.to_owned(),
                source,
            })?;
            for raw in file.questions {
                questions
                    .entry((file.role, raw.level))
                    .or_default()
                    .push(BankQuestion {
                        role: file.role,
                        level: raw.level,
                        skill: SkillArea::new(&raw.skill),
                        prompt: raw.prompt.trim().to_owned(),
                        key_points: raw.key_points.iter().map(|p| KeyPoint::parse(p)).collect(),
                    });
            }
        }
        let mut by_prompt = BTreeMap::new();
        for ((role, level), list) in &questions {
            for (index, question) in list.iter().enumerate() {
                by_prompt
                    .entry(question.prompt.clone())
                    .or_insert((*role, *level, index));
            }
        }
        Ok(Self {
            questions,
            by_prompt,
        })
    }

    /// Every rule the bank breaks, as sentences (empty when it is complete): each role has at
    /// least five questions at each level, covering each of the role's key skills somewhere; no
    /// prompt appears twice; every question has at least three non-empty key points.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for role in RoleType::ALL {
            for level in DifficultyLevel::ALL {
                let count = self.at(*role, level).len();
                if count < MIN_QUESTIONS_PER_LEVEL {
                    problems.push(format!(
                        "{role}/{level}: {count} questions, at least {MIN_QUESTIONS_PER_LEVEL} needed"
                    ));
                }
            }
            for skill in role.default_key_skills() {
                let skill = SkillArea::new(skill);
                if !self.all().any(|q| q.role == *role && q.skill == skill) {
                    problems.push(format!("{role}: no question for key skill '{skill}'"));
                }
            }
        }
        for question in self.all() {
            let normalised = question.prompt.to_lowercase();
            if question.prompt.is_empty() {
                problems.push(format!(
                    "{}/{}: empty prompt",
                    question.role, question.level
                ));
            }
            if !seen.insert(normalised) {
                problems.push(format!("duplicate prompt: {}", question.prompt));
            }
            if question.key_points.len() < MIN_KEY_POINTS {
                problems.push(format!(
                    "'{}': {} key points, at least {MIN_KEY_POINTS} needed",
                    question.prompt,
                    question.key_points.len()
                ));
            }
            if question
                .key_points
                .iter()
                .any(|p| p.alternatives.is_empty())
            {
                problems.push(format!("'{}': an empty key point", question.prompt));
            }
        }
        problems
    }

    pub fn at(&self, role: RoleType, level: DifficultyLevel) -> &[BankQuestion] {
        self.questions
            .get(&(role, level))
            .map_or(&[][..], Vec::as_slice)
    }

    pub fn all(&self) -> impl Iterator<Item = &BankQuestion> {
        self.questions.values().flatten()
    }

    pub fn len(&self) -> usize {
        self.questions.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bank question with exactly this prompt.
    pub fn find(&self, prompt: &str) -> Option<&BankQuestion> {
        let (role, level, index) = self.by_prompt.get(prompt.trim())?;
        self.questions.get(&(*role, *level))?.get(*index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_bank_is_complete_and_strictly_valid() {
        let bank = QuestionBank::builtin().unwrap();
        assert!(bank.problems().is_empty(), "{:?}", bank.problems());
        assert!(bank.len() >= 100, "only {} questions", bank.len());
        for role in RoleType::ALL {
            for level in DifficultyLevel::ALL {
                let questions = bank.at(*role, level);
                assert!(questions.len() >= MIN_QUESTIONS_PER_LEVEL, "{role}/{level}");
                // spread over named skill areas, not all about one thing
                let skills: HashSet<_> = questions.iter().map(|q| &q.skill).collect();
                assert!(skills.len() >= 3, "{role}/{level} covers {skills:?}");
            }
        }
    }

    #[test]
    fn validation_reports_gaps_duplicates_and_thin_questions() {
        let broken = r#"
            role = "react"
            [[questions]]
            level = "warmup"
            skill = "hooks"
            prompt = "Same?"
            key_points = ["a", "b"]
            [[questions]]
            level = "warmup"
            skill = "hooks"
            prompt = "same?"
            key_points = ["a", "b", " | "]
        "#;
        let bank = QuestionBank::from_files([("react.toml", broken)]).unwrap();
        let problems = bank.problems().join("\n");
        assert!(problems.contains("react/warmup: 2 questions"), "{problems}");
        assert!(
            problems.contains("python/expert: 0 questions"),
            "{problems}"
        );
        assert!(problems.contains("duplicate prompt"), "{problems}");
        assert!(problems.contains("2 key points"), "{problems}");
        assert!(problems.contains("an empty key point"), "{problems}");
        assert!(
            problems.contains("no question for key skill 'testing'"),
            "{problems}"
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_named() {
        let error = QuestionBank::from_files([("bad.toml", "role = \"cobol\"")]).unwrap_err();
        assert!(error.to_string().contains("bad.toml"));
    }

    #[test]
    fn key_points_match_at_word_starts_only() {
        let point = KeyPoint::parse("get|reconcil");
        assert!(point.covered_by("react will reconcile the tree"));
        assert!(point.covered_by("a get request"));
        assert!(!point.covered_by("the target element"));
    }
}
