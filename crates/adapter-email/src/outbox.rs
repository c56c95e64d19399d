//! The outbox: each message as an `.eml` file in a folder, for development and for hosts
//! without a mail server.

use std::io;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::DateTime;
use interview_core::ports::{MailError, Mailer, OutgoingEmail};
use lettre::message::Mailbox;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::{EmailSetupError, build_message, parse_from};

/// Writes each message as an RFC 5322 `.eml` file into a folder (created when missing).
///
/// A file is named `<UTC time>-<UUIDv7>.eml` (e.g. `20250102T030405.123456Z-0194….eml`), so
/// names sort in send order, and appears whole: it is written under a hidden temporary name
/// (`.<name>.tmp`), flushed to disk, then renamed.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl OutboxMailer {
    /// An outbox in `dir`, sending as `from`. Touches no file until the first send.
    ///
    /// # Errors
    /// [`EmailSetupError::Invalid`] (`email.from`) when `from` is not an address.
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> Result<Self, EmailSetupError> {
        Ok(Self {
            dir: dir.into(),
            from: parse_from(from)?,
        })
    }

    /// The folder the messages go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    async fn write(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let temporary = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(name);
        let written = async {
            let mut file = tokio::fs::File::create(&temporary).await?;
            file.write_all(bytes).await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&temporary, &path).await
        }
        .await;
        if let Err(error) = written {
            // Best effort: a leftover temporary file is hidden and never read as a message.
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(error);
        }
        Ok(path)
    }
}

/// `<UTC time of the id>-<id>.eml`: the time makes names sort in send order across restarts,
/// the UUIDv7 (ordered within the process) breaks ties inside one microsecond.
fn file_name(id: Uuid) -> String {
    let time = id
        .get_timestamp()
        .map(|timestamp| timestamp.to_unix())
        .and_then(|(seconds, nanos)| DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos))
        .map(|time| time.format("%Y%m%dT%H%M%S%.6fZ").to_string())
        .unwrap_or_default();
    format!("{time}-{id}.eml")
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(&self.from, email)?;
        let name = file_name(Uuid::now_v7());
        let path = self
            .write(&name, &message.formatted())
            .await
            .map_err(|error| {
                MailError::Unavailable(format!(
                    "the outbox {} cannot be written: {error}",
                    self.dir.display()
                ))
            })?;
        tracing::info!(path = %path.display(), subject = %email.subject, "email written to the outbox");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::case_sensitive_file_extension_comparisons
    )]

    use super::*;

    fn email(to: &str, subject: &str, body: &str) -> OutgoingEmail {
        OutgoingEmail {
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
        }
    }

    /// The `.eml` files in `dir`, in name order.
    fn messages(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert!(files.iter().all(|name| name.ends_with(".eml")), "{files:?}");
        files
            .into_iter()
            .map(|name| {
                let text = std::fs::read_to_string(dir.join(&name)).unwrap();
                (name, text)
            })
            .collect()
    }

    #[tokio::test]
    async fn outbox_writes_one_eml_file_per_message_in_send_order() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data").join("outbox");
        let outbox = OutboxMailer::new(&dir, "Interview Platform <no-reply@localhost>").unwrap();
        assert_eq!(outbox.dir(), dir);

        outbox
            .send(&email(
                "ann@example.com",
                "Your feedback is ready",
                "Hello Ann,\r\nyour feedback is ready.",
            ))
            .await
            .unwrap();
        outbox
            .send(&email("Bob <bob@example.com>", "Second", "Hello Bob."))
            .await
            .unwrap();

        let messages = messages(&dir);
        assert_eq!(messages.len(), 2, "{messages:?}");
        let (first_name, first) = &messages[0];
        let (_, second) = &messages[1];
        assert!(
            first_name.len() > "20250102T030405.123456Z-.eml".len(),
            "{first_name}"
        );

        let (headers, body) = first.split_once("\r\n\r\n").unwrap();
        assert!(headers.contains("To: ann@example.com"), "{headers}");
        assert!(
            headers.contains("Subject: Your feedback is ready"),
            "{headers}"
        );
        assert!(
            headers.contains("From: \"Interview Platform\" <no-reply@localhost>"),
            "{headers}"
        );
        assert!(
            headers.contains("Content-Type: text/plain; charset=utf-8"),
            "{headers}"
        );
        assert!(
            headers.contains("Date: ") && headers.contains("Message-ID: <"),
            "{headers}"
        );
        assert_eq!(body, "Hello Ann,\r\nyour feedback is ready.");

        assert!(second.contains("To: Bob <bob@example.com>"), "{second}");
        assert!(second.contains("Subject: Second"), "{second}");
        assert!(second.ends_with("\r\n\r\nHello Bob."), "{second}");
    }

    #[tokio::test]
    async fn outbox_encodes_non_ascii_text_so_it_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = OutboxMailer::new(dir.path(), "no-reply@localhost").unwrap();
        outbox
            .send(&email(
                "Zoë <zoe@example.com>",
                "Résumé reçu",
                "Merci, Zoë !",
            ))
            .await
            .unwrap();
        let messages = messages(dir.path());
        let (_, text) = &messages[0];
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains("Subject: =?utf-8?"), "{text}");
    }

    #[test]
    fn names_sort_in_send_order() {
        let names: Vec<String> = (0..200).map(|_| file_name(Uuid::now_v7())).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(names[0].starts_with("20") && names[0].contains('T') && names[0].ends_with(".eml"));
    }

    #[tokio::test]
    async fn a_bad_recipient_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = OutboxMailer::new(dir.path(), "no-reply@localhost").unwrap();
        let error = outbox.send(&email("nobody", "s", "b")).await.unwrap_err();
        assert!(matches!(error, MailError::Rejected(_)), "{error:?}");
        assert!(messages(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn an_unwritable_outbox_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "not a folder").unwrap();
        let outbox = OutboxMailer::new(blocker.join("outbox"), "no-reply@localhost").unwrap();
        let error = outbox
            .send(&email("a@example.com", "s", "b"))
            .await
            .unwrap_err();
        assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
    }
}
