//! The platform's email, two ways behind [`interview_core::ports::Mailer`]:
//!
//! - [`OutboxMailer`] (the default): each message becomes an RFC 5322 `.eml` file in a folder,
//!   named so that the files sort in send order. No mail server needed; open the files with any
//!   mail client, or read them in tests.
//! - [`SmtpMailer`]: each message goes to a mail server over SMTP (lettre on tokio, rustls on
//!   aws-lc-rs), with STARTTLS, implicit TLS, or, for local test servers, none.
//!
//! [`mailer`] builds the one the [`EmailSettings`] choose. With the `test-server` feature,
//! [`test_server`] has an in-process SMTP server for tests.

mod outbox;
mod settings;
mod smtp;
#[cfg(any(test, feature = "test-server"))]
pub mod test_server;

use std::sync::Arc;

use interview_core::ports::{MailError, Mailer, OutgoingEmail};
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use thiserror::Error;

pub use outbox::OutboxMailer;
pub use settings::{EmailBackend, EmailSettings, SmtpSettings, SmtpTls};
pub use smtp::SmtpMailer;

/// Why no mailer could be built from the settings.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailSetupError {
    /// A setting has a value that cannot work; `key` is its full name (e.g. `email.from`).
    #[error("{key} is invalid: {reason}")]
    Invalid { key: &'static str, reason: String },
    /// The TLS client could not be set up.
    #[error("the TLS client for SMTP could not be set up: {0}")]
    Tls(String),
}

/// The mailer the settings choose, validated: a bad sender address, or an SMTP backend without
/// a host, is an error naming the key.
///
/// # Errors
/// [`EmailSetupError`].
pub fn mailer(settings: &EmailSettings) -> Result<Arc<dyn Mailer>, EmailSetupError> {
    Ok(match settings.backend {
        EmailBackend::Outbox => Arc::new(OutboxMailer::new(&settings.outbox_dir, &settings.from)?),
        EmailBackend::Smtp => Arc::new(SmtpMailer::new(&settings.from, &settings.smtp)?),
    })
}

/// The sender address, parsed; an error names `email.from`.
fn parse_from(from: &str) -> Result<Mailbox, EmailSetupError> {
    from.trim().parse().map_err(
        |error: lettre::address::AddressError| EmailSetupError::Invalid {
            key: "email.from",
            reason: format!("{from:?} is not an email address ({error})"),
        },
    )
}

/// The RFC 5322 message for an email: plain text, UTF-8, with Date and Message-ID.
fn build_message(from: &Mailbox, email: &OutgoingEmail) -> Result<Message, MailError> {
    let to: Mailbox = email.to.trim().parse().map_err(|error| {
        MailError::Rejected(format!("{:?} is not an email address ({error})", email.to))
    })?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.as_str())
        .message_id(None)
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|error| MailError::Rejected(format!("the message could not be built: {error}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn email(to: &str) -> OutgoingEmail {
        OutgoingEmail {
            to: to.into(),
            subject: "Hello".into(),
            body: "Body".into(),
        }
    }

    #[test]
    fn the_default_sender_parses() {
        let from = parse_from(&EmailSettings::default().from).unwrap();
        assert_eq!(from.email.to_string(), "no-reply@localhost");
    }

    #[test]
    fn a_bad_sender_is_an_error_naming_the_key() {
        for backend in [EmailBackend::Outbox, EmailBackend::Smtp] {
            let settings = EmailSettings {
                backend,
                from: "not an address".into(),
                smtp: SmtpSettings {
                    host: "localhost".into(),
                    ..SmtpSettings::default()
                },
                ..EmailSettings::default()
            };
            let error = mailer(&settings).err().unwrap();
            assert!(
                matches!(
                    error,
                    EmailSetupError::Invalid {
                        key: "email.from",
                        ..
                    }
                ),
                "{error:?}"
            );
            assert!(
                error.to_string().starts_with("email.from is invalid"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_default_settings_build_an_outbox_without_touching_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let settings = EmailSettings {
            outbox_dir: dir.path().join("outbox"),
            ..EmailSettings::default()
        };
        mailer(&settings).unwrap();
        assert!(!settings.outbox_dir.exists());
    }

    #[test]
    fn a_bad_recipient_is_rejected() {
        let from = parse_from("a@example.com").unwrap();
        let error = build_message(&from, &email("nobody")).unwrap_err();
        assert!(matches!(error, MailError::Rejected(_)), "{error:?}");
        assert!(build_message(&from, &email(" Ann <ann@example.com> ")).is_ok());
    }
}
