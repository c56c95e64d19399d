//! What the candidate portal needs from the outside: the text of an uploaded resume, facts and
//! feedback drawn from it (a language model, or deterministic rules offline), and email.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::named_enum;
use crate::ports::{Generated, ProviderError};

/// The document formats a resume may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Pdf,
    Docx,
}

named_enum!(DocumentFormat, "document format", {
    Pdf => "pdf",
    Docx => "docx",
});

/// Why no text came out of a document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExtractError {
    /// The document is readable but holds no text (a scanned PDF: images only).
    #[error("the document has no text layer ({0}); upload a text-based PDF or a DOCX")]
    NoText(String),
    /// The document is damaged or not what its format says.
    #[error("the document could not be read: {0}")]
    Unreadable(String),
}

/// Extracts the plain text of a document.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait DocumentReader: Send + Sync {
    /// The document's text, in reading order, whitespace-normalised.
    ///
    /// # Errors
    /// [`ExtractError`].
    async fn text(&self, format: DocumentFormat, bytes: Vec<u8>) -> Result<String, ExtractError>;
}

/// What a resume says about its author.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResumeFacts {
    /// Skill names as written (deduplicated, case-insensitively).
    pub skills: Vec<String>,
    pub experience_years: Option<u32>,
    pub education: Vec<String>,
    pub previous_roles: Vec<String>,
    pub technical_domains: Vec<String>,
}

/// Draws [`ResumeFacts`] from a resume's text.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ResumeAnalyzer: Send + Sync {
    /// # Errors
    /// [`ProviderError`] when the provider fails (the job retries).
    async fn analyze(&self, text: &str) -> Result<Generated<ResumeFacts>, ProviderError>;
}

/// An area of the resume to improve, with what in it shows the need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementArea {
    pub area: String,
    /// What in the resume (or missing from it) shows it.
    pub evidence: String,
    pub suggestion: String,
}

/// Something to read or do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearningResource {
    pub title: String,
    pub url: Option<String>,
    pub reason: String,
}

/// Feedback on a resume, before a recruiter approves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackDraft {
    pub summary: String,
    pub improvement_areas: Vec<ImprovementArea>,
    pub recommended_resources: Vec<LearningResource>,
}

/// Writes feedback on a resume.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FeedbackAuthor: Send + Sync {
    /// # Errors
    /// [`ProviderError`] when the provider fails (the job retries).
    async fn write(
        &self,
        facts: &ResumeFacts,
        text: &str,
    ) -> Result<Generated<FeedbackDraft>, ProviderError>;
}

/// A plain-text email to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MailError {
    /// The mail server (or outbox) cannot take it now; worth retrying.
    #[error("mail unavailable: {0}")]
    Unavailable(String),
    /// Refused for good (an invalid address).
    #[error("mail refused: {0}")]
    Rejected(String),
}

/// Sends email.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// # Errors
    /// [`MailError`].
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}
