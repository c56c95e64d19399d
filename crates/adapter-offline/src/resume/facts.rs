//! The facts read from a resume's text: skills, years of experience, education, previous
//! roles and technical domains (the rules are in the docs of the parent module).

use std::sync::LazyLock;

use super::vocabulary::{Domain, SKILLS, Skill};

/// One form of a skill to look for.
struct Form {
    text: &'static str,
    skill: &'static Skill,
    only_listed: bool,
}

/// Every form of every skill, longest first (so the longest match at a position wins).
static FORMS: LazyLock<Vec<Form>> = LazyLock::new(|| {
    let mut forms: Vec<Form> = SKILLS
        .iter()
        .flat_map(|skill| {
            let anywhere = skill.aliases.iter().map(move |text| Form {
                text,
                skill,
                only_listed: false,
            });
            let in_lists = skill.listed.iter().map(move |text| Form {
                text,
                skill,
                only_listed: true,
            });
            anywhere.chain(in_lists)
        })
        .collect();
    forms.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(b.text)));
    forms
});

/// Letters and digits glue words together; so does any non-ASCII byte (an accented letter).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte >= 0x80
}

/// Whether `start..end` of `text` stands as an item of a list: only separators (or the start
/// of the line) before it, and separators (or the end of the line) after it.
fn is_list_item(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start]
        .trim_end_matches([' ', '\t'])
        .chars()
        .next_back();
    let after = text[end..].trim_start_matches([' ', '\t']).chars().next();
    let opens = |c: char| {
        matches!(
            c,
            '\n' | ',' | ';' | ':' | '/' | '|' | '(' | '[' | '•' | '·' | '-' | '–' | '*' | '▪'
        )
    };
    let closes = |c: char| matches!(c, '\n' | ',' | ';' | '/' | '|' | ')' | ']' | '•' | '·');
    before.is_none_or(opens) && after.is_none_or(closes)
}

/// The skills of the vocabulary found in `text`, in order of first appearance.
pub(super) fn find_skills(text: &str) -> Vec<&'static Skill> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut found: Vec<&'static Skill> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if (at > 0 && is_word_byte(bytes[at - 1])) || !lower.is_char_boundary(at) {
            at += 1;
            continue;
        }
        let matched = FORMS.iter().find(|form| {
            let end = at + form.text.len();
            lower[at..].starts_with(form.text)
                && bytes
                    .get(end)
                    .is_none_or(|next| !is_word_byte(*next) && !matches!(next, b'+' | b'#'))
                && (!form.only_listed
                    || (is_list_item(&lower, at, end)
                        && (form.text.len() > 1 || text.as_bytes()[at].is_ascii_uppercase())))
        });
        match matched {
            Some(form) => {
                if !found.iter().any(|skill| std::ptr::eq(*skill, form.skill)) {
                    found.push(form.skill);
                }
                at += form.text.len();
            }
            None => at += 1,
        }
    }
    found
}

const NUMBER_WORDS: [&str; 20] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// Years of experience the text states ("7 years of experience", "7+ years", "over 7 years").
pub(super) fn experience_years(text: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+'))
        .filter(|token| !token.is_empty())
        .collect();
    let mut best: Option<u32> = None;
    for (index, token) in tokens.iter().enumerate() {
        let digits = token.bytes().take_while(u8::is_ascii_digit).count();
        let (number, rest) = if digits > 0 {
            (token[..digits].parse::<u32>().ok(), &token[digits..])
        } else {
            let word = NUMBER_WORDS
                .iter()
                .position(|word| token.strip_suffix('+').unwrap_or(token) == *word);
            (
                word.and_then(|position| u32::try_from(position + 1).ok()),
                if token.ends_with('+') { "+" } else { "" },
            )
        };
        let Some(number) = number.filter(|years| (1..=50).contains(years)) else {
            continue;
        };
        let mut plus = rest.starts_with('+');
        let mut unit = rest.trim_start_matches('+');
        let mut next = index + 1;
        if unit.is_empty() {
            if tokens.get(next) == Some(&"+") {
                plus = true;
                next += 1;
            }
            unit = tokens.get(next).copied().unwrap_or_default();
            next += 1;
        }
        if !matches!(unit, "year" | "years" | "yr" | "yrs") {
            continue;
        }
        let after = &tokens[next.min(tokens.len())..(next + 4).min(tokens.len())];
        let before = &tokens[index.saturating_sub(2)..index];
        let stated = plus
            || after
                .iter()
                .any(|word| matches!(*word, "experience" | "exp" | "experienced"))
            || before.iter().any(|word| matches!(*word, "over" | "than"));
        if stated {
            best = best.max(Some(number));
        }
    }
    best
}

/// Bullets and spaces a line may start with.
pub(super) fn strip_bullet(line: &str) -> &str {
    line.trim()
        .trim_start_matches(['-', '•', '*', '·', '▪', '–', '—', '○', '◦', '►', '>'])
        .trim()
}

/// Whether `needle` (lower case) occurs in `haystack` (lower case) on word boundaries.
pub(super) fn contains_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(start, _)| {
        let end = start + needle.len();
        let before = haystack[..start].bytes().next_back();
        let after = haystack.as_bytes().get(end).copied();
        before.is_none_or(|byte| !is_word_byte(byte))
            && (needle.ends_with('.') || after.is_none_or(|byte| !is_word_byte(byte)))
    })
}

const DEGREES: &[&str] = &[
    "bsc",
    "b.sc",
    "msc",
    "m.sc",
    "bachelor",
    "bachelors",
    "bachelor's",
    "bachelor’s",
    "master's",
    "master’s",
    "masters",
    "master of",
    "phd",
    "ph.d",
    "b.s.",
    "m.s.",
    "b.a.",
    "m.a.",
    "beng",
    "b.eng",
    "meng",
    "m.eng",
    "btech",
    "b.tech",
    "mtech",
    "m.tech",
    "mba",
    "doctorate",
    "associate degree",
    "associate's degree",
];

/// Lines naming a degree.
pub(super) fn education(text: &str) -> Vec<String> {
    distinct_lines(text, |line| {
        let lower = line.to_ascii_lowercase();
        DEGREES.iter().any(|degree| contains_word(&lower, degree))
    })
}

const ROLE_WORDS: &[&str] = &[
    "engineer",
    "developer",
    "programmer",
    "architect",
    "manager",
    "lead",
    "analyst",
    "scientist",
    "designer",
    "consultant",
    "intern",
    "director",
    "administrator",
    "specialist",
    "officer",
    "head",
    "founder",
    "co-founder",
    "cto",
    "ceo",
    "vp",
    "tester",
    "sre",
    "devops",
    "technician",
    "researcher",
    "coordinator",
    "owner",
    "associate",
    "contractor",
    "freelancer",
];

/// Lines reading "Title at Company" whose title names a job.
pub(super) fn previous_roles(text: &str) -> Vec<String> {
    distinct_lines(text, |line| {
        let Some((title, company)) = line.split_once(" at ").or_else(|| line.split_once(" @ "))
        else {
            return false;
        };
        let title = title.trim();
        let words: Vec<&str> = title.split_whitespace().collect();
        let lower = title.to_ascii_lowercase();
        line.chars().count() <= 120
            && !company.trim().is_empty()
            && (1..=6).contains(&words.len())
            && title.starts_with(|c: char| c.is_uppercase())
            && ROLE_WORDS.iter().any(|word| contains_word(&lower, word))
    })
}

/// Lines (bullet stripped) that `keep` accepts, each once, at most 10.
fn distinct_lines(text: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(strip_bullet) {
        if lines.len() == 10 {
            break;
        }
        if !line.is_empty() && keep(line) && !lines.iter().any(|seen| seen == line) {
            lines.push(line.chars().take(200).collect());
        }
    }
    lines
}

pub(super) fn domains_of(skills: &[&'static Skill]) -> Vec<Domain> {
    let mut domains: Vec<Domain> = skills
        .iter()
        .flat_map(|skill| skill.domains.iter().copied())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    domains
}
