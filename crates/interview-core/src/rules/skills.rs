//! Which skill area the next question is about. The core decides; interviewer adapters only
//! phrase a question about the skill they are given.

use serde::{Deserialize, Serialize};

use crate::rules::ladder::SkillArea;

/// How the next question relates to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionIntent {
    /// Dig deeper into the skill just discussed.
    Probe,
    /// Open a skill area (the first question, or a move away from the last skill).
    Explore,
}

/// The skill used when a role has no key skills configured.
pub const GENERAL_SKILL: &str = "general";

/// The skill of the next question: the same one when probing; otherwise the first key skill not
/// yet explored (other than the one being left), cycling through the key skills once every one
/// has been explored.
pub fn next_skill(
    key_skills: &[SkillArea],
    intent: QuestionIntent,
    last_skill: Option<&SkillArea>,
    explored: &[SkillArea],
) -> SkillArea {
    if intent == QuestionIntent::Probe
        && let Some(skill) = last_skill
    {
        return skill.clone();
    }
    key_skills
        .iter()
        .find(|skill| !explored.contains(skill) && Some(*skill) != last_skill)
        .or_else(|| key_skills.iter().find(|skill| Some(*skill) != last_skill))
        .or_else(|| key_skills.first())
        .cloned()
        .unwrap_or_else(|| SkillArea::new(GENERAL_SKILL))
}

/// The role's key skills that a resume names (by their normalised names, a resume skill also
/// matching an area whose words it contains, e.g. "State management" → `state-management`), in
/// the role's order; empty when it names none (the role's defaults then apply).
pub fn key_skills_from_resume(
    role_skills: &[SkillArea],
    resume_skills: &[String],
) -> Vec<SkillArea> {
    let named: Vec<SkillArea> = resume_skills
        .iter()
        .map(|skill| SkillArea::new(skill))
        .collect();
    role_skills
        .iter()
        .filter(|area| {
            named.iter().any(|skill| {
                skill == *area
                    || (!skill.as_str().is_empty() && area.as_str().contains(skill.as_str()))
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_resume_chooses_among_the_roles_key_skills() {
        let role: Vec<SkillArea> = ["hooks", "state-management", "performance", "testing"]
            .iter()
            .map(|name| SkillArea::new(name))
            .collect();
        let chosen = super::key_skills_from_resume(
            &role,
            &["React".into(), "State Management".into(), "Testing".into()],
        );
        assert_eq!(
            chosen,
            vec![
                SkillArea::new("state-management"),
                SkillArea::new("testing")
            ]
        );
        assert!(super::key_skills_from_resume(&role, &["Cobol".into()]).is_empty());
        assert!(super::key_skills_from_resume(&role, &[]).is_empty());
    }
    use super::*;
    use crate::model::RoleType;
    use proptest::prelude::*;

    fn python() -> Vec<SkillArea> {
        RoleType::Python
            .default_key_skills()
            .iter()
            .map(|name| SkillArea::new(name))
            .collect()
    }

    fn skills(names: &[&str]) -> Vec<SkillArea> {
        names.iter().map(|name| SkillArea::new(name)).collect()
    }

    #[test]
    fn exploring_picks_an_unexplored_key_skill_and_probing_keeps_the_skill() {
        let leaving = SkillArea::new("data-structures");
        assert_eq!(
            next_skill(
                &python(),
                QuestionIntent::Explore,
                Some(&leaving),
                &skills(&["data-structures", "functions"])
            ),
            SkillArea::new("object-oriented")
        );
        let concurrency = SkillArea::new("concurrency");
        assert_eq!(
            next_skill(&python(), QuestionIntent::Probe, Some(&concurrency), &[]),
            concurrency
        );
        let all = python();
        assert_eq!(
            next_skill(&all, QuestionIntent::Explore, Some(&all[0]), &all),
            all[1]
        );
    }

    #[test]
    fn the_first_question_opens_the_first_key_skill() {
        assert_eq!(
            next_skill(&python(), QuestionIntent::Explore, None, &[]),
            SkillArea::new("data-structures")
        );
    }

    #[test]
    fn configured_key_skills_are_honoured_and_an_empty_list_asks_in_general() {
        let configured = skills(&["async-io", "typing"]);
        assert_eq!(
            next_skill(&configured, QuestionIntent::Explore, None, &[]),
            SkillArea::new("async-io")
        );
        assert_eq!(
            next_skill(&[], QuestionIntent::Explore, None, &[]),
            SkillArea::new(GENERAL_SKILL)
        );
        let only = skills(&["typing"]);
        assert_eq!(
            next_skill(&only, QuestionIntent::Explore, Some(&only[0]), &only),
            only[0]
        );
    }

    proptest! {
        #[test]
        fn an_explored_question_is_always_a_key_skill(
            explored in prop::collection::vec(0usize..5, 0..8),
            leaving in prop::option::of(0usize..5),
        ) {
            let keys = python();
            let explored: Vec<SkillArea> = explored.iter().map(|&i| keys[i].clone()).collect();
            let leaving = leaving.map(|i| keys[i].clone());
            let next = next_skill(&keys, QuestionIntent::Explore, leaving.as_ref(), &explored);
            prop_assert!(keys.contains(&next));
            prop_assert!(Some(&next) != leaving.as_ref());
        }
    }
}
