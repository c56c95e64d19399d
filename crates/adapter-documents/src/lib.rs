//! The text of an uploaded resume, for the candidate portal: PDF through `lopdf` (with this
//! crate's own layout pass for line breaks and word gaps), DOCX by unzipping
//! `word/document.xml` and reading its text runs with `quick-xml`.
//!
//! Parsing is CPU-bound and runs on tokio's blocking pool. Untrusted documents are bounded at
//! every step: the input size ([`MAX_INPUT_BYTES`]), every decompressed PDF stream
//! ([`MAX_PDF_STREAM_BYTES`]), the uncompressed `word/document.xml` ([`MAX_DOCX_XML_BYTES`],
//! against zip bombs) and the text returned ([`MAX_TEXT_CHARS`]). A panic inside a parser is
//! caught and reported as [`ExtractError::Unreadable`]; it never reaches the server.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use async_trait::async_trait;
use interview_core::ports::{DocumentFormat, DocumentReader, ExtractError};

mod docx;
mod normalize;
mod pdf;

pub use normalize::normalize_whitespace;

/// Documents larger than this are refused outright (the upload endpoint allows 5 MB).
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// The text returned is cut after this many characters.
pub const MAX_TEXT_CHARS: usize = 200_000;
/// A DOCX whose `word/document.xml` inflates beyond this is refused (a zip bomb).
pub const MAX_DOCX_XML_BYTES: u64 = 20 * 1024 * 1024;
/// No single PDF stream (object stream, page content, font map) may inflate beyond this.
pub const MAX_PDF_STREAM_BYTES: usize = 32 * 1024 * 1024;
/// PDF pages read at most; a resume has a handful.
pub const MAX_PDF_PAGES: usize = 100;
/// Raw text gathered before normalisation stops the parsers early (whitespace still to go).
const RAW_TEXT_BYTES: usize = MAX_TEXT_CHARS * 8;

/// Reads the text of PDF and DOCX documents: the [`DocumentReader`] of the portal.
///
/// - PDF: the text layer of every page in content order, a line break where the text moves to
///   another line and a space where it jumps ahead on the same line. Fonts are decoded through
///   their `ToUnicode` maps or simple encodings. A PDF that parses but carries no text (a scan)
///   is [`ExtractError::NoText`]; a damaged, truncated or password-protected one is
///   [`ExtractError::Unreadable`].
/// - DOCX: the `<w:t>` runs of `word/document.xml` (body, tables, text boxes once), one line per
///   paragraph `<w:p>`, tabs and breaks kept; the page headers' text first, each once.
///
/// The result is whitespace-normalised by [`normalize_whitespace`]: runs of spaces collapse to
/// one, line breaks stay (at most one blank line in a row), ligatures are spelled out.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentText;

impl DocumentText {
    pub const fn new() -> Self {
        Self
    }

    /// The same extraction, synchronously (what [`DocumentReader::text`] runs on the blocking
    /// pool). Panics inside the parsers are caught and reported as
    /// [`ExtractError::Unreadable`].
    pub fn extract(format: DocumentFormat, bytes: &[u8]) -> Result<String, ExtractError> {
        if bytes.is_empty() {
            return Err(ExtractError::Unreadable("the file is empty".to_owned()));
        }
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(ExtractError::Unreadable(format!(
                "the file is larger than {} MB",
                MAX_INPUT_BYTES / (1024 * 1024)
            )));
        }
        let raw = guarded(format, || match format {
            DocumentFormat::Pdf => pdf::text(bytes, RAW_TEXT_BYTES),
            DocumentFormat::Docx => docx::text(bytes, RAW_TEXT_BYTES),
        })?;
        let text = normalize_whitespace(&raw, MAX_TEXT_CHARS);
        if text.is_empty() {
            return Err(ExtractError::NoText(
                match format {
                    DocumentFormat::Pdf => "scanned PDF: no text layer",
                    DocumentFormat::Docx => "the DOCX holds no text",
                }
                .to_owned(),
            ));
        }
        Ok(text)
    }
}

#[async_trait]
impl DocumentReader for DocumentText {
    async fn text(&self, format: DocumentFormat, bytes: Vec<u8>) -> Result<String, ExtractError> {
        tokio::task::spawn_blocking(move || Self::extract(format, &bytes))
            .await
            .map_err(|error| {
                ExtractError::Unreadable(format!("the document reader stopped: {error}"))
            })?
    }
}

/// Runs a parser, turning a panic into [`ExtractError::Unreadable`].
fn guarded(
    format: DocumentFormat,
    parse: impl FnOnce() -> Result<String, ExtractError>,
) -> Result<String, ExtractError> {
    catch_unwind(AssertUnwindSafe(parse)).unwrap_or_else(|panic| {
        Err(ExtractError::Unreadable(format!(
            "the {} parser gave up on this file ({})",
            format.as_str(),
            panic_message(panic.as_ref())
        )))
    })
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_parser_is_an_unreadable_document() {
        let result = guarded(DocumentFormat::Pdf, || panic!("index out of bounds"));
        assert_eq!(
            result,
            Err(ExtractError::Unreadable(
                "the pdf parser gave up on this file (index out of bounds)".to_owned()
            ))
        );
        let owned = guarded(DocumentFormat::Docx, || panic!("{}", String::from("owned")));
        assert!(
            matches!(owned, Err(ExtractError::Unreadable(message)) if message.contains("owned"))
        );
    }
}
