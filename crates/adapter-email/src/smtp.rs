//! SMTP submission with lettre on tokio: one connection per message (no pool, so no background
//! task and no runtime needed to build it).

use std::time::Duration;

use async_trait::async_trait;
use interview_core::ports::{MailError, Mailer, OutgoingEmail};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{self, AsyncSmtpTransport};
use lettre::{AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::{EmailSetupError, SmtpSettings, SmtpTls, build_message, parse_from};

/// Sends each message to a mail server over SMTP.
///
/// Errors: a permanent (5xx) reply or an unusable recipient address is
/// [`MailError::Rejected`]; everything worth retrying is [`MailError::Unavailable`]: a transient
/// (4xx) reply, no connection, TLS failures, the time limit, and refused authentication (535 and
/// kin: a configuration problem, not the message's).
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    server: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the server in `smtp`, sending as `from`. Does not connect.
    ///
    /// # Errors
    /// [`EmailSetupError::Invalid`] naming the key (`email.from`, `email.smtp.host`,
    /// `email.smtp.port`, `email.smtp.password`, `email.smtp.timeout_seconds`), or
    /// [`EmailSetupError::Tls`].
    pub fn new(from: &str, smtp: &SmtpSettings) -> Result<Self, EmailSetupError> {
        let from = parse_from(from)?;
        let host = smtp.host.trim();
        if host.is_empty() {
            return Err(invalid(
                "email.smtp.host",
                "is required for the smtp backend",
            ));
        }
        if smtp.port == 0 {
            return Err(invalid(
                "email.smtp.port",
                "must be a port number, 1 to 65535",
            ));
        }
        if smtp.timeout_seconds == 0 {
            return Err(invalid("email.smtp.timeout_seconds", "must be at least 1"));
        }
        let timeout = Duration::from_secs(smtp.timeout_seconds);
        let tls = match smtp.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(tls_parameters(host)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(timeout));
        match (smtp.username.as_deref().map(str::trim), &smtp.password) {
            (Some(username), Some(password)) if !username.is_empty() => {
                builder = builder.credentials(Credentials::new(
                    username.to_owned(),
                    password.expose_secret().to_owned(),
                ));
            }
            (Some(username), None) if !username.is_empty() => {
                return Err(invalid(
                    "email.smtp.password",
                    "is required when email.smtp.username is set",
                ));
            }
            _ => {}
        }
        Ok(Self {
            transport: builder.build(),
            from,
            timeout,
            server: format!("{host}:{}", smtp.port),
        })
    }
}

fn invalid(key: &'static str, reason: &str) -> EmailSetupError {
    EmailSetupError::Invalid {
        key,
        reason: reason.to_owned(),
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, EmailSetupError> {
    TlsParameters::new(host.to_owned()).map_err(|error| EmailSetupError::Tls(error.to_string()))
}

/// Reply codes of refused authentication (RFC 4954): the account or the settings are wrong, the
/// message is not; retrying after the fix will work.
const AUTHENTICATION_CODES: [u16; 4] = [530, 534, 535, 538];

/// [`MailError`] for a lettre SMTP error: permanent replies are `Rejected` (except refused
/// authentication), the rest `Unavailable`.
fn classify(error: &smtp::Error, server: &str) -> MailError {
    let code = error.status().map(u16::from);
    let detail = format!("{server}: {error}");
    match code {
        Some(code) if error.is_permanent() && !AUTHENTICATION_CODES.contains(&code) => {
            MailError::Rejected(detail)
        }
        _ => MailError::Unavailable(detail),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(&self.from, email)?;
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => {
                tracing::info!(server = %self.server, subject = %email.subject, "email sent");
                Ok(())
            }
            Ok(Err(error)) => {
                let error = classify(&error, &self.server);
                tracing::warn!(%error, "email not sent");
                Err(error)
            }
            Err(_) => {
                let error = MailError::Unavailable(format!(
                    "{}: no answer within {} s",
                    self.server,
                    self.timeout.as_secs()
                ));
                tracing::warn!(%error, "email not sent");
                Err(error)
            }
        }
    }
}

#[cfg(test)]
#[path = "smtp_tests.rs"]
mod tests;
