//! Validated inputs. Each type can only be built through its constructor, so a value that exists
//! is a value that passed the rules.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// Characters that reorder the text around them (embeddings, overrides, isolates). In a name or
/// an address they can make `Bob` display as something else, so they are refused.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no space: a name made only of them (with whitespace) shows as nothing.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: they break
/// lines in logs, e-mails and exports.
pub(crate) fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("email must not be empty")]
    Empty,
    #[error("email must be at most {max} characters")]
    TooLong { max: usize },
    #[error("email must look like name@example.com")]
    Malformed,
}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(EmailError::TooLong { max: Self::MAX_LEN });
        }
        let (local, domain) = trimmed.split_once('@').ok_or(EmailError::Malformed)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !is_control(c)
                    && !is_bidi_control(c)
                    && !is_invisible(c)
                    && c != '<'
                    && c != '>'
            });
        if !(domain_ok && local_ok) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0
            .split_once('@')
            .map_or(self.0.as_str(), |(local, _)| local)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub use crate::rules::password_policy::{PasswordError, PasswordPolicy, PasswordRule};

/// A plaintext password that satisfies the policy. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Bounded so hashing cost cannot be used against the server.
    pub const MAX_LEN: usize = PasswordPolicy::MAX_LENGTH;

    /// `raw`, when it satisfies `policy` for the account of `email` (when the email is known:
    /// the password must not contain its name part).
    ///
    /// # Errors
    /// [`PasswordError`] listing every rule `raw` breaks.
    pub fn parse(
        raw: &str,
        policy: &PasswordPolicy,
        email: Option<&Email>,
    ) -> Result<Self, PasswordError> {
        policy.check(raw, email.map(Email::local_part))?;
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A person's name: trimmed (of whitespace and invisible characters), 2 to 255 characters of
/// which at least 2 visible, no control or bidirectional-override characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FullName(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FullNameError {
    #[error("full name must be at least {min} characters")]
    TooShort { min: usize },
    #[error("full name must be at most {max} characters")]
    TooLong { max: usize },
    #[error("full name must not contain control characters")]
    ControlCharacters,
    #[error(
        "full name must not contain characters that reorder text (U+202A–U+202E, U+2066–U+2069)"
    )]
    BidiControls,
}

impl FullName {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, FullNameError> {
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
        // zero-width joiners belong inside names in some scripts, but do not count as letters
        let visible = trimmed.chars().filter(|&c| !is_invisible(c)).count();
        if visible < Self::MIN_LEN {
            return Err(FullNameError::TooShort { min: Self::MIN_LEN });
        }
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(FullNameError::TooLong { max: Self::MAX_LEN });
        }
        if trimmed.chars().any(is_control) {
            return Err(FullNameError::ControlCharacters);
        }
        if trimmed.chars().any(is_bidi_control) {
            return Err(FullNameError::BidiControls);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in [
            "plainaddress",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
            "a@b.",
            "a@b..com",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError::Malformed), "{raw}");
        }
        assert_eq!(Email::parse("  "), Err(EmailError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong { max: 254 }));
    }

    fn password(raw: &str) -> Result<Password, PasswordError> {
        Password::parse(raw, &PasswordPolicy::default(), None)
    }

    #[test]
    fn password_parsing_applies_the_policy_with_the_email_name() {
        let email = Email::parse("Grace.Hopper@example.com").unwrap();
        assert_eq!(email.local_part(), "grace.hopper");
        let policy = PasswordPolicy::default();
        assert_eq!(
            Password::parse("grace.hopper!1906", &policy, Some(&email))
                .unwrap_err()
                .broken,
            vec![PasswordRule::NotEmailName]
        );
        assert!(Password::parse("grace.hopper!1906", &policy, None).is_ok());
        assert_eq!(
            password("short").unwrap_err().broken,
            vec![PasswordRule::MinLength]
        );
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let password = password("Str0ng!pass").unwrap();
        assert!(!format!("{password:?}").contains("Str0ng"));
    }

    #[test]
    fn full_name_needs_two_characters_after_trimming() {
        assert_eq!(
            FullName::parse("  A  "),
            Err(FullNameError::TooShort { min: 2 })
        );
        assert_eq!(FullName::parse(" Al ").unwrap().as_str(), "Al");
        assert_eq!(
            FullName::parse("Bad\u{0}Name"),
            Err(FullNameError::ControlCharacters)
        );
    }

    #[test]
    fn names_refuse_text_reordering_and_control_characters() {
        for raw in [
            "Ada \u{202E}ecalevol",
            "\u{202A}Ada",
            "Ada\u{2066}Lovelace\u{2069}",
            "Ada\u{202D}",
        ] {
            assert_eq!(
                FullName::parse(raw),
                Err(FullNameError::BidiControls),
                "{raw:?}"
            );
        }
        for raw in [
            "Ada\tLovelace",
            "Ada\u{7F}",
            "Ada\u{85}L",
            "Ada\u{2028}Lovelace",
        ] {
            assert_eq!(
                FullName::parse(raw),
                Err(FullNameError::ControlCharacters),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn names_made_of_invisible_characters_are_too_short() {
        for raw in [
            "\u{200B}\u{200B}\u{200B}",
            " \u{200C}\u{200D} \u{2060}\u{FEFF} ",
            "\u{200B}A\u{200B}",
            "A\u{200D}",
        ] {
            assert_eq!(
                FullName::parse(raw),
                Err(FullNameError::TooShort { min: 2 }),
                "{raw:?}"
            );
        }
        // invisible characters are trimmed from the ends and kept inside, where scripts use them
        assert_eq!(
            FullName::parse("\u{FEFF} Ada\u{200B} ").unwrap().as_str(),
            "Ada"
        );
        assert_eq!(
            FullName::parse("\u{0645}\u{200C}\u{0646}")
                .unwrap()
                .as_str(),
            "\u{0645}\u{200C}\u{0646}"
        );
        assert_eq!(
            FullName::parse("José Ñúñez").unwrap().as_str(),
            "José Ñúñez"
        );
    }

    #[test]
    fn emails_refuse_control_invisible_and_reordering_characters() {
        for raw in [
            "ada\u{202E}@example.com",
            "ada\u{2066}x@example.com",
            "ad\u{200B}a@example.com",
            "ada\u{0}@example.com",
            "ada@exa\u{202E}mple.com",
            "ada@example.com\u{7}",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError::Malformed), "{raw:?}");
        }
    }

    #[test]
    fn passwords_take_any_printable_character_but_no_control_character() {
        assert!(password("Str0ng pass phrase!").is_ok());
        assert!(password("Пароль-0 с пробелом").is_ok());
        assert!(password("Str0ng!pass\u{200B}").is_ok());
        for raw in [
            "Str0ng!pass\u{0}",
            "Str0ng!\npass",
            "Str0ng!pass\u{7F}",
            "\tStr0ng!pass",
        ] {
            assert_eq!(
                password(raw).unwrap_err().broken,
                vec![PasswordRule::NoControlCharacters],
                "{raw:?}"
            );
        }
        assert!(
            password("Str0ng!pass\u{0}")
                .unwrap_err()
                .to_string()
                .contains("control characters")
        );
    }
}
