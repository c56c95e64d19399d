//! The password policy, as NIST SP 800-63B recommends: a length range and a check against
//! passwords attackers try first, instead of composition rules (an uppercase letter, a digit…),
//! which make passwords harder to remember without making them harder to guess.
//!
//! A password is refused when it is shorter than the configured minimum (8 by default) or
//! longer than 128 characters, contains a control character, is one of the few thousand most
//! common passwords (or one of them with digits and symbols appended), or contains the name
//! part of the account's email address. Any printable
//! character is allowed, spaces and non-ASCII letters included.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::validation::is_control;

/// One password a line, lower-cased, most common first; `#` lines are comments (the list's
/// source and licence).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Email name parts shorter than this are not looked for in passwords: one or two characters
/// (`jo@…`) occur inside many unrelated passphrases, so refusing them would turn away good
/// passwords while adding almost nothing an attacker could exploit.
const MIN_NAME_PART: usize = 3;

/// The configurable part of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// The fewest characters a password may have: 8 to 128 (NIST's floor is 8).
    pub min_length: usize,
}

impl PasswordPolicy {
    pub const DEFAULT_MIN_LENGTH: usize = 8;
    /// Bounded so hashing cost cannot be used against the server.
    pub const MAX_LENGTH: usize = 128;

    /// Whether the configured minimum is one the policy accepts (8 to 128).
    pub fn is_valid(&self) -> bool {
        (Self::DEFAULT_MIN_LENGTH..=Self::MAX_LENGTH).contains(&self.min_length)
    }

    /// Checks `password` for the account whose email's name part (before the `@`) is
    /// `email_name`, when known.
    ///
    /// # Errors
    /// [`PasswordError`] listing every rule the password breaks.
    pub fn check(&self, password: &str, email_name: Option<&str>) -> Result<(), PasswordError> {
        let length = password.chars().count();
        let mut broken = Vec::new();
        if length < self.min_length {
            broken.push(PasswordRule::MinLength);
        }
        if length > Self::MAX_LENGTH {
            broken.push(PasswordRule::MaxLength);
        }
        if password.chars().any(is_control) {
            broken.push(PasswordRule::NoControlCharacters);
        }
        if is_common(password) {
            broken.push(PasswordRule::NotCommon);
        }
        if email_name.is_some_and(|name| contains_name(password, name)) {
            broken.push(PasswordRule::NotEmailName);
        }
        if broken.is_empty() {
            Ok(())
        } else {
            Err(PasswordError {
                broken,
                min_length: self.min_length,
            })
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: Self::DEFAULT_MIN_LENGTH,
        }
    }
}

/// A listed password with digits or symbols appended counts as common only when the listed part
/// has at least this many characters: with a shorter one the appended run is most of the
/// password, and the list says little about it.
const MIN_DECORATED_BASE: usize = 4;

/// Whether `password` (ignoring case and surrounding spaces) is on the embedded list, or is a
/// listed password with only digits and symbols appended (`password123`, `iloveyou!`): the
/// list is from 2011, and appending a year or a `1!` is the first variation attackers try.
pub fn is_common(password: &str) -> bool {
    let lowered = password.trim().to_lowercase();
    let base = lowered.trim_end_matches(|c: char| {
        c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace()
    });
    COMMON.contains(lowered.as_str())
        || (base.chars().count() >= MIN_DECORATED_BASE && COMMON.contains(base))
}

/// Whether `password` contains `email_name`, ignoring case. A sub-address tag (`ada+jobs`) is
/// left out: the part before `+` is what names the person.
fn contains_name(password: &str, email_name: &str) -> bool {
    let name = email_name
        .split_once('+')
        .map_or(email_name, |(base, _)| base)
        .to_lowercase();
    name.chars().count() >= MIN_NAME_PART && password.to_lowercase().contains(&name)
}

/// One rule of the password policy that a password broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordRule {
    MinLength,
    MaxLength,
    /// Any printable character is allowed, spaces included; control characters are not.
    NoControlCharacters,
    /// Not one of the most common passwords.
    NotCommon,
    /// Not containing the name part of the account's email address.
    NotEmailName,
}

/// The rules a password broke; displays as one sentence naming each.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct PasswordError {
    pub broken: Vec<PasswordRule>,
    /// The minimum in force, to say it.
    pub min_length: usize,
}

impl PasswordError {
    fn describe(&self, rule: PasswordRule) -> String {
        match rule {
            PasswordRule::MinLength => format!("must be at least {} characters", self.min_length),
            PasswordRule::MaxLength => {
                format!("must be at most {} characters", PasswordPolicy::MAX_LENGTH)
            }
            PasswordRule::NoControlCharacters => "must not contain control characters".into(),
            PasswordRule::NotCommon => {
                "is one of the most commonly used passwords; choose one that is harder to guess"
                    .into()
            }
            PasswordRule::NotEmailName => {
                "must not contain the name part of your email address".into()
            }
        }
    }
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reasons: Vec<String> = self.broken.iter().map(|r| self.describe(*r)).collect();
        write!(f, "password {}", reasons.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn broken(password: &str, email_name: Option<&str>) -> Vec<PasswordRule> {
        PasswordPolicy::default()
            .check(password, email_name)
            .err()
            .map(|error| error.broken)
            .unwrap_or_default()
    }

    #[test]
    fn password_policy_asks_for_length_not_composition() {
        for accepted in [
            "correct horse battery staple",
            "alllowercaseletters",
            "no digits or symbols at all",
            "Пароль с пробелом",
            "12345678901234567890",
        ] {
            assert_eq!(broken(accepted, None), vec![], "{accepted}");
        }
        assert_eq!(broken("Sh0rt!", None), vec![PasswordRule::MinLength]);
        assert_eq!(
            broken(&"a".repeat(129), None),
            vec![PasswordRule::MaxLength]
        );
        assert_eq!(broken(&"é".repeat(128), None), vec![]);
    }

    #[test]
    fn password_minimum_length_is_configurable() {
        let policy = PasswordPolicy { min_length: 12 };
        let error = policy.check("elevenchars", None).unwrap_err();
        assert_eq!(error.broken, vec![PasswordRule::MinLength]);
        assert_eq!(error.to_string(), "password must be at least 12 characters");
        assert!(policy.check("twelve chars", None).is_ok());
        assert!(policy.is_valid());
        assert!(!PasswordPolicy { min_length: 6 }.is_valid());
        assert!(!PasswordPolicy { min_length: 129 }.is_valid());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in [
            "password",
            "PASSWORD1",
            "Password1",
            "12345678",
            " qwertyuiop ",
        ] {
            assert!(
                broken(common, None).contains(&PasswordRule::NotCommon),
                "{common}"
            );
        }
        for decorated in ["password123", "Sunshine2024!", "iloveyou!!", "football 99"] {
            assert!(is_common(decorated), "{decorated}");
        }
        // a short listed word does not make its digits common, nor does a listed word inside
        assert!(!is_common("abc-8273645190"));
        assert!(!is_common("sunshine over the bay"));
        let error = PasswordPolicy::default()
            .check("iloveyou", None)
            .unwrap_err();
        assert!(error.to_string().contains("most commonly used"), "{error}");
        assert!(!is_common("Str0ng!pass"));
    }

    #[test]
    fn the_embedded_password_list_has_a_few_thousand_lower_case_entries() {
        assert!(COMMON.len() > 3000, "{}", COMMON.len());
        assert!(
            COMMON
                .iter()
                .all(|p| *p == p.to_lowercase() && !p.trim().is_empty())
        );
        assert!(!COMMON.iter().any(|p| p.starts_with('#')));
    }

    #[test]
    fn passwords_containing_the_email_name_are_refused() {
        let refused = broken("my-Lovelace-password", Some("ada.lovelace"));
        assert!(refused.is_empty(), "only the whole name part counts");
        assert_eq!(
            broken("ADA.LOVELACE-1815", Some("ada.lovelace")),
            vec![PasswordRule::NotEmailName]
        );
        // a sub-address tag does not hide the name
        assert_eq!(
            broken("margaret-was-here", Some("margaret+jobs")),
            vec![PasswordRule::NotEmailName]
        );
        // one- and two-character names are too short to mean anything
        assert_eq!(broken("joking around", Some("jo")), vec![]);
        let error = PasswordPolicy::default()
            .check("grace hopper rules", Some("grace"))
            .unwrap_err();
        assert!(error.to_string().contains("email"), "{error}");
    }

    #[test]
    fn password_errors_list_every_broken_rule_in_one_sentence() {
        let error = PasswordPolicy::default()
            .check("ada\u{0}", Some("ada"))
            .unwrap_err();
        assert_eq!(
            error.broken,
            vec![
                PasswordRule::MinLength,
                PasswordRule::NoControlCharacters,
                PasswordRule::NotEmailName
            ]
        );
        assert_eq!(
            error.to_string(),
            "password must be at least 8 characters; must not contain control characters; \
             must not contain the name part of your email address"
        );
    }

    proptest! {
        #[test]
        fn password_policy_accepts_any_long_enough_printable_text_off_the_list(
            password in "[a-zA-Z0-9 !-/]{8,128}",
        ) {
            let verdict = PasswordPolicy::default().check(&password, None);
            prop_assert_eq!(verdict.is_ok(), !is_common(&password));
        }
    }
}
