//! PDF: the text layer, in content order, laid out into lines.
//!
//! `lopdf` parses the file (every decompressed stream bounded by [`MAX_PDF_STREAM_BYTES`]) and
//! decodes strings through each font's `ToUnicode` map or simple encoding. Its own
//! `extract_text` ignores where text is placed, so this module interprets the text operators
//! itself (ISO 32000-1, 9.4): it keeps the text and graphics matrices and the advance of every
//! glyph (from the font's `/Widths` or `/W`), then starts a new line where the baseline moves
//! and puts a space where the text jumps ahead on the same line. Text inside form XObjects is
//! read too.

mod font;
mod layout;
#[cfg(test)]
mod tests;
mod walker;

use interview_core::ports::ExtractError;
use lopdf::{Document, LoadOptions};

use crate::{MAX_PDF_PAGES, MAX_PDF_STREAM_BYTES};

use layout::Sink;
use walker::Walker;

/// The raw text of a PDF, pages separated by blank lines, stopping once `limit` bytes are
/// gathered.
pub(crate) fn text(bytes: &[u8], limit: usize) -> Result<String, ExtractError> {
    let document = Document::load_mem_with_options(
        bytes,
        LoadOptions::with_max_decompressed_size(MAX_PDF_STREAM_BYTES),
    )
    .map_err(|error| {
        ExtractError::Unreadable(format!("not a readable PDF ({})", describe(&error)))
    })?;
    if document.is_encrypted() && !document.was_encrypted() {
        return Err(ExtractError::Unreadable(
            "the PDF is password-protected".to_owned(),
        ));
    }
    let pages = document.get_pages();
    if pages.is_empty() {
        return Err(ExtractError::Unreadable(
            "the PDF has no readable pages".to_owned(),
        ));
    }
    let mut walker = Walker {
        document: &document,
        sink: Sink::new(limit),
        forms_drawn: 0,
        problem: None,
    };
    for page_id in pages.values().take(MAX_PDF_PAGES) {
        walker.page(*page_id);
        walker.sink.page_break();
        if walker.sink.full() {
            break;
        }
    }
    let Walker { sink, problem, .. } = walker;
    if sink.text.trim().is_empty()
        && let Some(problem) = problem
    {
        return Err(ExtractError::Unreadable(problem));
    }
    Ok(sink.text)
}

/// An error with its causes: lopdf's `Display` leaves the cause (such as a decompression
/// limit) to `source`.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
