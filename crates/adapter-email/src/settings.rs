//! Everything the email adapter can be told, with the product defaults.

use std::fmt;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// How email leaves the platform.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailSettings {
    /// `outbox` (the default: no mail server needed) or `smtp`.
    pub backend: EmailBackend,
    /// The sender of every message, `Name <address>` or a bare address.
    pub from: String,
    /// Where the outbox backend writes its `.eml` files; created when missing.
    pub outbox_dir: PathBuf,
    /// The mail server, for the `smtp` backend.
    pub smtp: SmtpSettings,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            backend: EmailBackend::default(),
            from: "Interview Platform <no-reply@localhost>".into(),
            outbox_dir: PathBuf::from("data/outbox"),
            smtp: SmtpSettings::default(),
        }
    }
}

/// Which [`Mailer`](interview_core::ports::Mailer) [`mailer`](crate::mailer) builds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailBackend {
    /// Each message becomes an RFC 5322 `.eml` file in `outbox_dir`.
    #[default]
    Outbox,
    /// Each message goes to the mail server in `smtp`.
    Smtp,
}

/// A mail server (submission agent).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpSettings {
    /// Host name (checked against the server certificate unless `tls = "none"`).
    pub host: String,
    /// 587 for STARTTLS submission; 465 is the usual port for `tls = "tls"`.
    pub port: u16,
    /// Log in with this user name (and `password`) when set; no AUTH otherwise.
    pub username: Option<String>,
    /// Never serialised and never shown by `Debug`.
    #[serde(skip_serializing)]
    pub password: Option<SecretString>,
    pub tls: SmtpTls,
    /// The limit on one send, from connecting to the server's last reply.
    pub timeout_seconds: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            username: None,
            password: None,
            tls: SmtpTls::default(),
            timeout_seconds: 10,
        }
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("tls", &self.tls)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

/// How the connection to the mail server is encrypted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must offer.
    #[default]
    Starttls,
    /// TLS from the first byte (implicit TLS, "SMTPS").
    Tls,
    /// No encryption at all: only for local test servers.
    None,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn defaults_apply_to_missing_keys() {
        let settings: EmailSettings = toml::from_str("").unwrap();
        assert_eq!(settings.backend, EmailBackend::Outbox);
        assert_eq!(settings.from, "Interview Platform <no-reply@localhost>");
        assert_eq!(settings.outbox_dir, PathBuf::from("data/outbox"));
        assert_eq!(settings.smtp.port, 587);
        assert_eq!(settings.smtp.tls, SmtpTls::Starttls);
        assert_eq!(settings.smtp.timeout_seconds, 10);
        assert!(settings.smtp.username.is_none() && settings.smtp.password.is_none());
    }

    #[test]
    fn smtp_settings_parse_and_the_password_stays_hidden() {
        let settings: EmailSettings = toml::from_str(
            r#"
            backend = "smtp"
            [smtp]
            host = "mail.example.com"
            port = 465
            username = "mailer"
            password = "hunter2-secret"
            tls = "tls"
            "#,
        )
        .unwrap();
        assert_eq!(settings.backend, EmailBackend::Smtp);
        assert_eq!(settings.smtp.tls, SmtpTls::Tls);
        assert_eq!(settings.smtp.port, 465);
        assert_eq!(settings.smtp.timeout_seconds, 10);
        let password = settings.smtp.password.as_ref().unwrap();
        assert_eq!(password.expose_secret(), "hunter2-secret");

        let debug = format!("{settings:?}");
        assert!(debug.contains("mail.example.com") && debug.contains("[redacted]"));
        assert!(!debug.contains("hunter2"), "{debug}");
        let serialized = toml::to_string(&settings).unwrap();
        assert!(!serialized.contains("hunter2"), "{serialized}");
    }
}
