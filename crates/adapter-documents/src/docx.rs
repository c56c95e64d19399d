//! DOCX: the text runs of `word/document.xml`, after those of the page headers.

use std::io::{Cursor, Read, Seek};

use interview_core::ports::ExtractError;
use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};
use zip::ZipArchive;

use crate::MAX_DOCX_XML_BYTES;

const BODY: &str = "word/document.xml";

/// The raw text of a DOCX: one line per paragraph, stopping once `limit` bytes are gathered.
/// The page headers (`word/header*.xml`, where templates often put the name and contact line)
/// come first, each distinct text once; a header that cannot be read is left out. The XML
/// unpacked in all is bounded by [`MAX_DOCX_XML_BYTES`], the body served first.
pub(crate) fn text(bytes: &[u8], limit: usize) -> Result<String, ExtractError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| unreadable(format!("not a DOCX file (no zip archive: {error})")))?;
    let mut budget = MAX_DOCX_XML_BYTES;
    let body = unpack(&mut archive, BODY, &mut budget)?;
    let body = paragraphs(&body, limit)?;
    let mut headers: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|name| name.starts_with("word/header") && name.ends_with(".xml"))
        .map(std::borrow::Cow::into_owned)
        .collect();
    headers.sort();
    let mut out = String::new();
    for name in headers {
        let Ok(header) =
            unpack(&mut archive, &name, &mut budget).and_then(|xml| paragraphs(&xml, limit))
        else {
            continue;
        };
        let header = header.trim();
        if !header.is_empty() && !out.contains(header) && !body.contains(header) {
            out.push_str(header);
            out.push('\n');
        }
    }
    out.push_str(&body);
    Ok(out)
}

/// The bytes of one entry, charged against `budget`: the declared size may lie, so at most
/// one byte past the budget is read to tell.
fn unpack<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    budget: &mut u64,
) -> Result<Vec<u8>, ExtractError> {
    let entry = archive
        .by_name(name)
        .map_err(|error| unreadable(format!("not a DOCX file ({name}: {error})")))?;
    if entry.size() > *budget {
        return Err(too_large(name));
    }
    let mut xml = Vec::new();
    entry
        .take(*budget + 1)
        .read_to_end(&mut xml)
        .map_err(|error| unreadable(format!("{name} cannot be unpacked: {error}")))?;
    let size = xml.len() as u64;
    if size > *budget {
        return Err(too_large(name));
    }
    *budget -= size;
    Ok(xml)
}

fn unreadable(message: String) -> ExtractError {
    ExtractError::Unreadable(message)
}

fn too_large(name: &str) -> ExtractError {
    unreadable(format!(
        "{name} unpacks to more than {} MB",
        MAX_DOCX_XML_BYTES / (1024 * 1024)
    ))
}

/// Walks WordprocessingML: text inside `<w:t>`, a tab for `<w:tab/>` and a line break for
/// `<w:br/>`/`<w:cr/>` inside a run, a line break after every paragraph. The VML fallback of
/// `mc:AlternateContent` repeats a text box already read in its `mc:Choice`, so it is skipped.
fn paragraphs(xml: &[u8], limit: usize) -> Result<String, ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    let mut runs = 0usize;
    let mut fallback = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|error| unreadable(format!("{BODY} is not well-formed XML: {error}")))?;
        match event {
            Event::Start(element) => match element.local_name().as_ref() {
                b"t" => in_text = true,
                b"r" => runs += 1,
                b"Fallback" => fallback += 1,
                _ => {}
            },
            Event::End(element) => match element.local_name().as_ref() {
                b"t" => in_text = false,
                b"r" => runs = runs.saturating_sub(1),
                b"Fallback" => fallback = fallback.saturating_sub(1),
                b"p" if fallback == 0 => out.push('\n'),
                _ => {}
            },
            Event::Empty(element) if fallback == 0 => match element.local_name().as_ref() {
                b"tab" | b"ptab" if runs > 0 => out.push('\t'),
                b"br" | b"cr" if runs > 0 => out.push('\n'),
                b"noBreakHyphen" if runs > 0 => out.push('-'),
                b"p" => out.push('\n'),
                _ => {}
            },
            Event::Text(text) if in_text && fallback == 0 => out.push_str(
                &text
                    .decode()
                    .map_err(|error| unreadable(format!("{BODY} is not UTF-8: {error}")))?,
            ),
            Event::CData(text) if in_text && fallback == 0 => out.push_str(
                &text
                    .decode()
                    .map_err(|error| unreadable(format!("{BODY} is not UTF-8: {error}")))?,
            ),
            Event::GeneralRef(reference) if in_text && fallback == 0 => {
                if let Some(c) = entity(&reference) {
                    out.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() >= limit {
            break;
        }
        buf.clear();
    }
    Ok(out)
}

/// A character reference (`&#x41;`) or one of XML's five predefined entities.
fn entity(reference: &BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c);
    }
    match &**reference {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}
