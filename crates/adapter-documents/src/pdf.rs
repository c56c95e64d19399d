//! PDF: the text layer, in content order, laid out into lines.
//!
//! `lopdf` parses the file (every decompressed stream bounded by [`MAX_PDF_STREAM_BYTES`]) and
//! decodes strings through each font's `ToUnicode` map or simple encoding. Its own
//! `extract_text` ignores where text is placed, so this module interprets the text operators
//! itself (ISO 32000-1, 9.4): it keeps the text and graphics matrices and the advance of every
//! glyph (from the font's `/Widths` or `/W`), then starts a new line where the baseline moves
//! and puts a space where the text jumps ahead on the same line. Text inside form XObjects is
//! read too.

use std::collections::BTreeMap;

use interview_core::ports::ExtractError;
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Encoding, LoadOptions, Object, ObjectId};

use crate::{MAX_PDF_PAGES, MAX_PDF_STREAM_BYTES};

/// Nesting of `q` and of form XObjects followed, and form XObjects drawn per document.
const MAX_STATE_DEPTH: usize = 64;
const MAX_FORM_DEPTH: usize = 4;
const MAX_FORMS: usize = 512;
/// Advance of a glyph whose width the font does not give, in thousandths of the font size.
const DEFAULT_WIDTH: f32 = 500.0;

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

/// `[a b c d e f]`, a point `(x, y)` maps to `(a x + c y + e, b x + d y + f)`.
type Matrix = [f32; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n` (PDF's row-vector order: `m × n`).
fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn translate(x: f32, y: f32) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, x, y]
}

/// A font as far as text needs it: how its strings decode, how wide its glyphs are.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    /// Composite (Type0) fonts use two-byte codes (Identity-H, by far the most common CMap).
    two_byte: bool,
    widths: Widths,
}

enum Widths {
    /// `/FirstChar` and `/Widths` of a simple font.
    Simple { first: u32, widths: Vec<f32> },
    /// `/DW` and `/W` of a CID font: ranges keyed by their first CID.
    Cid {
        default: f32,
        ranges: BTreeMap<u32, (u32, f32)>,
    },
}

impl Widths {
    /// Advance of a code, in thousandths of the font size.
    fn of(&self, code: u32) -> f32 {
        match self {
            Self::Simple { first, widths } => code
                .checked_sub(*first)
                .and_then(|index| widths.get(index as usize))
                .copied()
                .filter(|width| *width > 0.0)
                .unwrap_or(DEFAULT_WIDTH),
            Self::Cid { default, ranges } => ranges
                .range(..=code)
                .next_back()
                .filter(|(_, (last, _))| code <= *last)
                .map_or(*default, |(_, (_, width))| *width),
        }
    }
}

fn number(object: &Object) -> Option<f32> {
    object.as_float().ok().filter(|value| value.is_finite())
}

fn font<'a>(document: &'a Document, dictionary: &'a Dictionary) -> Font<'a> {
    let encoding = dictionary
        .get_font_encoding_with_limit(document, MAX_PDF_STREAM_BYTES)
        .ok();
    let subtype = dictionary.get(b"Subtype").and_then(Object::as_name).ok();
    if subtype == Some(b"Type0".as_slice()) {
        let descendant = dictionary
            .get_deref(b"DescendantFonts", document)
            .and_then(Object::as_array)
            .ok()
            .and_then(|fonts| fonts.first())
            .and_then(|first| document.dereference(first).ok())
            .and_then(|(_, object)| object.as_dict().ok());
        let default = descendant
            .and_then(|font| font.get(b"DW").ok())
            .and_then(number)
            .unwrap_or(1000.0);
        let ranges = descendant
            .and_then(|font| font.get_deref(b"W", document).ok())
            .and_then(|w| w.as_array().ok())
            .map(|w| cid_widths(document, w))
            .unwrap_or_default();
        return Font {
            encoding,
            two_byte: true,
            widths: Widths::Cid { default, ranges },
        };
    }
    // Type3 glyph widths are in glyph space; its font matrix scales them to text space.
    let scale = if subtype == Some(b"Type3".as_slice()) {
        dictionary
            .get(b"FontMatrix")
            .and_then(Object::as_array)
            .ok()
            .and_then(|matrix| matrix.first())
            .and_then(number)
            .map_or(1.0, |a| a * 1000.0)
    } else {
        1.0
    };
    let first = dictionary
        .get(b"FirstChar")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|first| u32::try_from(first).ok())
        .unwrap_or(0);
    let widths = dictionary
        .get_deref(b"Widths", document)
        .and_then(Object::as_array)
        .map(|widths| {
            widths
                .iter()
                .map(|width| {
                    document
                        .dereference(width)
                        .ok()
                        .and_then(|(_, width)| number(width))
                        .map_or(0.0, |width| width * scale)
                })
                .collect()
        })
        .unwrap_or_default();
    Font {
        encoding,
        two_byte: false,
        widths: Widths::Simple { first, widths },
    }
}

/// `/W`: `c [w1 w2 ...]` gives widths from CID `c` on; `c_first c_last w` one width for a range.
fn cid_widths(document: &Document, w: &[Object]) -> BTreeMap<u32, (u32, f32)> {
    let mut ranges = BTreeMap::new();
    let cid = |object: &Object| object.as_i64().ok().and_then(|c| u32::try_from(c).ok());
    let mut index = 0;
    while index + 1 < w.len() {
        let Some(first) = cid(&w[index]) else { break };
        let next = document
            .dereference(&w[index + 1])
            .map(|(_, object)| object);
        if let Ok(Object::Array(widths)) = next {
            for (offset, width) in (0u32..).zip(widths) {
                if let Some(width) = number(width) {
                    let code = first.saturating_add(offset);
                    ranges.insert(code, (code, width));
                }
            }
            index += 2;
        } else {
            let last = cid(&w[index + 1]);
            let width = w.get(index + 2).and_then(number);
            if let (Some(last), Some(width)) = (last, width) {
                ranges.insert(first, (last, width));
            }
            index += 3;
        }
    }
    ranges
}

/// The fonts of a `/Font` resource dictionary.
fn fonts_of<'a>(
    document: &'a Document,
    resources: &[&'a Dictionary],
) -> BTreeMap<Vec<u8>, Font<'a>> {
    let mut fonts = BTreeMap::new();
    // Nearer resources come first and win.
    for resource in resources.iter().rev() {
        let Ok(dictionary) = resource
            .get_deref(b"Font", document)
            .and_then(Object::as_dict)
        else {
            continue;
        };
        for (name, value) in dictionary {
            if let Ok((_, Object::Dictionary(font_dictionary))) = document.dereference(value) {
                fonts.insert(name.clone(), font(document, font_dictionary));
            }
        }
    }
    fonts
}

/// The graphics and text state the layout needs (ISO 32000-1, 9.3).
#[derive(Clone)]
struct State {
    ctm: Matrix,
    text_matrix: Matrix,
    line_matrix: Matrix,
    font: Option<Vec<u8>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    horizontal_scale: f32,
    leading: f32,
    rise: f32,
}

impl State {
    fn new(ctm: Matrix) -> Self {
        Self {
            ctm,
            text_matrix: IDENTITY,
            line_matrix: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            horizontal_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }

    /// The origin of the next glyph on the page, and the font size there.
    fn position(&self) -> (f32, f32, f32) {
        let rendering = multiply(
            &[
                self.size * self.horizontal_scale,
                0.0,
                0.0,
                self.size,
                0.0,
                self.rise,
            ],
            &multiply(&self.text_matrix, &self.ctm),
        );
        (
            rendering[4],
            rendering[5],
            rendering[2].hypot(rendering[3]).abs(),
        )
    }

    fn next_line(&mut self, x: f32, y: f32) {
        self.line_matrix = multiply(&translate(x, y), &self.line_matrix);
        self.text_matrix = self.line_matrix;
    }

    fn advance(&mut self, x: f32) {
        self.text_matrix = multiply(&translate(x, 0.0), &self.text_matrix);
    }
}

/// Where the text gathered so far ended, to decide what separates the next piece.
struct Sink {
    text: String,
    limit: usize,
    /// End of the last piece shown: x, y, font size (page space).
    last: Option<(f32, f32, f32)>,
}

impl Sink {
    fn new(limit: usize) -> Self {
        Self {
            text: String::new(),
            limit,
            last: None,
        }
    }

    fn full(&self) -> bool {
        self.text.len() >= self.limit
    }

    fn page_break(&mut self) {
        self.text.push_str("\n\n");
        self.last = None;
    }

    /// Adds a piece of text that starts at `start` and ends at `end` on the page.
    fn show(&mut self, piece: &str, start: (f32, f32, f32), end: (f32, f32)) {
        if piece.is_empty() || self.full() {
            return;
        }
        let (x, y, size) = start;
        if let Some((last_x, last_y, last_size)) = self.last {
            let em = size.max(last_size).max(1.0);
            if (y - last_y).abs() > em * 0.5 {
                self.text.push('\n');
            } else {
                let gap = x - last_x;
                let joined = self.text.ends_with(char::is_whitespace)
                    || piece.starts_with(char::is_whitespace);
                if !joined && (gap > em * 0.15 || gap < -em) {
                    self.text.push(' ');
                }
            }
        }
        self.text.push_str(piece);
        self.last = Some((end.0, end.1, size));
    }
}

struct Walker<'a> {
    document: &'a Document,
    sink: Sink,
    forms_drawn: usize,
    /// The first thing that could not be read, reported if no text came out at all.
    problem: Option<String>,
}

impl<'a> Walker<'a> {
    fn note(&mut self, problem: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(problem());
        }
    }

    fn page(&mut self, page_id: ObjectId) {
        let document = self.document;
        let resources = match document.get_page_resources(page_id) {
            Ok((direct, ids)) => direct
                .into_iter()
                .chain(
                    ids.iter()
                        .filter_map(|id| document.get_dictionary(*id).ok()),
                )
                .collect::<Vec<_>>(),
            Err(error) => {
                self.note(|| format!("page resources: {}", describe(&error)));
                Vec::new()
            }
        };
        let content = match document.get_page_content_with_limit(page_id, MAX_PDF_STREAM_BYTES) {
            Ok(content) => content,
            Err(error) => {
                self.note(|| format!("page content: {}", describe(&error)));
                return;
            }
        };
        let fonts = fonts_of(document, &resources);
        self.content(&content, &resources, &fonts, IDENTITY, 0);
    }

    fn content(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        fonts: &BTreeMap<Vec<u8>, Font<'a>>,
        ctm: Matrix,
        depth: usize,
    ) {
        let operations = match Content::decode(content) {
            Ok(content) => content.operations,
            Err(error) => {
                self.note(|| format!("page content: {}", describe(&error)));
                return;
            }
        };
        let mut state = State::new(ctm);
        let mut saved: Vec<State> = Vec::new();
        for operation in &operations {
            if self.sink.full() {
                return;
            }
            let operands = &operation.operands;
            let numbers: Vec<f32> = operands.iter().filter_map(number).collect();
            match operation.operator.as_str() {
                "q" if saved.len() < MAX_STATE_DEPTH => saved.push(state.clone()),
                "Q" => {
                    if let Some(previous) = saved.pop() {
                        state = previous;
                    }
                }
                "cm" => {
                    if let Ok(matrix) = <[f32; 6]>::try_from(numbers.as_slice()) {
                        state.ctm = multiply(&matrix, &state.ctm);
                    }
                }
                "BT" => {
                    state.text_matrix = IDENTITY;
                    state.line_matrix = IDENTITY;
                }
                "Tf" => {
                    state.font = operands
                        .first()
                        .and_then(|name| name.as_name().ok())
                        .map(<[u8]>::to_vec);
                    if let Some(size) = operands.get(1).and_then(number) {
                        state.size = size;
                    }
                }
                "Tc" => state.char_spacing = numbers.first().copied().unwrap_or(0.0),
                "Tw" => state.word_spacing = numbers.first().copied().unwrap_or(0.0),
                "Tz" => state.horizontal_scale = numbers.first().map_or(1.0, |tz| tz / 100.0),
                "TL" => state.leading = numbers.first().copied().unwrap_or(0.0),
                "Ts" => state.rise = numbers.first().copied().unwrap_or(0.0),
                "Td" | "TD" => {
                    if let [x, y] = numbers[..] {
                        if operation.operator == "TD" {
                            state.leading = -y;
                        }
                        state.next_line(x, y);
                    }
                }
                "Tm" => {
                    if let Ok(matrix) = <[f32; 6]>::try_from(numbers.as_slice()) {
                        state.text_matrix = matrix;
                        state.line_matrix = matrix;
                    }
                }
                "T*" => state.next_line(0.0, -state.leading),
                "Tj" | "'" | "\"" | "TJ" => self.show(operation, &mut state, fonts),
                "Do" => self.form(operation, &state, resources, fonts, depth),
                _ => {}
            }
        }
    }

    fn show(
        &mut self,
        operation: &Operation,
        state: &mut State,
        fonts: &BTreeMap<Vec<u8>, Font<'a>>,
    ) {
        let operands = &operation.operands;
        let strings: &[Object] = match operation.operator.as_str() {
            "'" => {
                state.next_line(0.0, -state.leading);
                operands
            }
            "\"" => {
                if let (Some(word), Some(char)) = (
                    operands.first().and_then(number),
                    operands.get(1).and_then(number),
                ) {
                    state.word_spacing = word;
                    state.char_spacing = char;
                }
                state.next_line(0.0, -state.leading);
                operands.get(2..).unwrap_or_default()
            }
            "TJ" => operands
                .first()
                .and_then(|array| array.as_array().ok())
                .map_or(&[], Vec::as_slice),
            _ => operands,
        };
        let Some(font) = state.font.as_ref().and_then(|name| fonts.get(name)) else {
            return;
        };
        for element in strings {
            match element {
                Object::String(bytes, _) => {
                    let piece = font
                        .encoding
                        .as_ref()
                        .and_then(|encoding| Document::decode_text(encoding, bytes).ok())
                        .unwrap_or_default();
                    let start = state.position();
                    state.advance(advance(font, state, bytes));
                    let (x, y, _) = state.position();
                    self.sink.show(&piece, start, (x, y));
                }
                other => {
                    if let Some(adjustment) = number(other) {
                        state.advance(-adjustment / 1000.0 * state.size * state.horizontal_scale);
                    }
                }
            }
        }
    }

    /// Draws a form XObject: its content with its own resources (or the page's), under its
    /// matrix.
    fn form(
        &mut self,
        operation: &Operation,
        state: &State,
        resources: &[&'a Dictionary],
        fonts: &BTreeMap<Vec<u8>, Font<'a>>,
        depth: usize,
    ) {
        if depth >= MAX_FORM_DEPTH || self.forms_drawn >= MAX_FORMS {
            return;
        }
        let document = self.document;
        let Some(name) = operation
            .operands
            .first()
            .and_then(|name| name.as_name().ok())
        else {
            return;
        };
        let Some(stream) = resources.iter().find_map(|resource| {
            resource
                .get_deref(b"XObject", document)
                .and_then(Object::as_dict)
                .and_then(|xobjects| xobjects.get_deref(name, document))
                .and_then(Object::as_stream)
                .ok()
        }) else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return;
        }
        self.forms_drawn += 1;
        let content = match stream.decompressed_content_with_limit(MAX_PDF_STREAM_BYTES) {
            Ok(content) => content,
            // An uncompressed stream has nothing to decompress.
            Err(_) if stream.dict.get(b"Filter").is_err() => stream.content.clone(),
            Err(error) => {
                self.note(|| format!("form content: {}", describe(&error)));
                return;
            }
        };
        let matrix = stream
            .dict
            .get(b"Matrix")
            .and_then(Object::as_array)
            .ok()
            .and_then(|matrix| {
                <[f32; 6]>::try_from(matrix.iter().filter_map(number).collect::<Vec<_>>()).ok()
            })
            .unwrap_or(IDENTITY);
        let ctm = multiply(&matrix, &state.ctm);
        match stream
            .dict
            .get_deref(b"Resources", document)
            .and_then(Object::as_dict)
        {
            Ok(own) => {
                let own = [own];
                let own_fonts = fonts_of(document, &own);
                self.content(&content, &own, &own_fonts, ctm, depth + 1);
            }
            Err(_) => self.content(&content, resources, fonts, ctm, depth + 1),
        }
    }
}

/// How far a string moves the text position, in unscaled text space units (ISO 32000-1, 9.4.4).
fn advance(font: &Font<'_>, state: &State, bytes: &[u8]) -> f32 {
    let glyph = |code: u32, single_byte_space: bool| {
        let spacing = state.char_spacing
            + if single_byte_space {
                state.word_spacing
            } else {
                0.0
            };
        (font.widths.of(code) / 1000.0 * state.size + spacing) * state.horizontal_scale
    };
    if font.two_byte {
        bytes
            .chunks(2)
            .map(|pair| {
                let code = pair
                    .iter()
                    .fold(0u32, |code, byte| (code << 8) | u32::from(*byte));
                glyph(code, false)
            })
            .sum()
    } else {
        bytes
            .iter()
            .map(|byte| glyph(u32::from(*byte), *byte == b' '))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use lopdf::{Stream, dictionary};

    use super::*;

    /// A one-page PDF drawing `content` with `/F1` (Helvetica, WinAnsi, every glyph 500 wide),
    /// `/F2` (a Type0 font with Identity-H codes, a `ToUnicode` map and `/W` widths) and the
    /// form XObject `/X1`.
    fn pdf(content: &str, form: &str) -> Vec<u8> {
        pdf_with(
            Stream::new(dictionary! {}, content.as_bytes().to_vec()),
            form,
        )
    }

    fn pdf_with(content: Stream, form: &str) -> Vec<u8> {
        let mut document = Document::with_version("1.5");
        let pages_id = document.new_object_id();
        let simple = document.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
            "FirstChar" => 32,
            "Widths" => vec![Object::Integer(500); 95],
        });
        // CIDs 1..=3 are "A", "d", "a"; CID 4 is a space.
        let cmap = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
                    /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
                    /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
                    1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
                    4 beginbfchar\n<0001> <0041>\n<0002> <0064>\n<0003> <0061>\n<0004> <0020>\n\
                    endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
        let to_unicode = document.add_object(Stream::new(dictionary! {}, cmap.as_bytes().to_vec()));
        let descendant = document.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => "Test",
            "DW" => 1000,
            "W" => vec![1.into(), vec![600.into(), 550.into(), 520.into(), 250.into()].into()],
        });
        let composite = document.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "Test",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![descendant.into()],
            "ToUnicode" => to_unicode,
        });
        let fonts = dictionary! { "F1" => simple, "F2" => composite };
        let form = document.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
                "Resources" => dictionary! { "Font" => fonts.clone() },
            },
            form.as_bytes().to_vec(),
        ));
        let resources = document.add_object(dictionary! {
            "Font" => fonts,
            "XObject" => dictionary! { "X1" => form },
        });
        let contents = document.add_object(content);
        let page = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => contents,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
        });
        document.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page.into()],
                "Count" => 1,
            }),
        );
        let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        document.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    }

    fn read(content: &str) -> String {
        text(&pdf(content, ""), 10_000).unwrap().trim().to_owned()
    }

    #[test]
    fn tj_gaps_wider_than_a_kern_are_spaces() {
        // pdfTeX style: no space characters, words apart by -333, kerning by -20.
        let content = "BT /F1 10 Tf 72 700 Td [(Senior)-333(Soft)-20(ware)-333(Engineer)] TJ ET";
        assert_eq!(read(content), "Senior Software Engineer");
    }

    #[test]
    fn moves_down_are_line_breaks_and_moves_along_are_spaces() {
        let content = "BT /F1 10 Tf 14 TL 72 700 Td (Skills) Tj T* (Python,) Tj 40 0 Td (Go) Tj \
                       ET BT /F1 10 Tf 1 0 0 1 72 672 Tm (Rust) Tj ET \
                       BT /F1 10 Tf 1 0 0 1 92 672 Tm (acean) Tj ET";
        // "Rust" is 4 glyphs of 5 units: it ends at 92, where "acean" starts: one word.
        assert_eq!(read(content), "Skills\nPython, Go\nRustacean");
    }

    #[test]
    fn the_graphics_matrix_places_text_too() {
        // Each line in its own `q cm ... Q`, all at text position 0 0.
        let content = "q 1 0 0 1 72 700 cm BT /F1 10 Tf (first) Tj ET Q \
                       q 1 0 0 1 72 686 cm BT /F1 10 Tf (second) Tj ET Q \
                       q 1 0 0 1 140 686 cm BT /F1 10 Tf (third) Tj ET Q";
        assert_eq!(read(content), "first\nsecond third");
    }

    #[test]
    fn composite_fonts_decode_through_to_unicode() {
        let content = "BT /F2 12 Tf 72 700 Td <0001000200030004000100020003> Tj ET";
        assert_eq!(read(content), "Ada Ada");
    }

    #[test]
    fn text_in_form_xobjects_is_read() {
        let bytes = pdf(
            "BT /F1 10 Tf 72 700 Td (page) Tj ET q 1 0 0 1 0 -100 cm /X1 Do Q",
            "BT /F1 10 Tf 72 700 Td (in the form) Tj ET",
        );
        assert_eq!(text(&bytes, 10_000).unwrap().trim(), "page\nin the form");
    }

    #[test]
    fn output_stops_at_the_limit() {
        let line = "(0123456789) Tj T* ".repeat(100);
        let bytes = pdf(&format!("BT /F1 10 Tf 12 TL 72 700 Td {line} ET"), "");
        assert!(text(&bytes, 50).unwrap().len() < 80);
    }

    /// A zlib stream inflating to `len` spaces: fixed-Huffman matches of 258 bytes at
    /// distance 1, 13 bits each (the checksum is left out: the reader must give up first).
    fn flate_bomb(len: usize) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u32,
            count: u32,
        }
        impl Bits {
            fn put(&mut self, value: u32, count: u32) {
                self.acc |= value << self.count;
                self.count += count;
                while self.count >= 8 {
                    self.out.push(self.acc.to_le_bytes()[0]);
                    self.acc >>= 8;
                    self.count -= 8;
                }
            }
            /// Huffman codes go most significant bit first.
            fn code(&mut self, code: u32, count: u32) {
                self.put(code.reverse_bits() >> (32 - count), count);
            }
        }
        let mut bits = Bits {
            out: vec![0x78, 0x01],
            acc: 0,
            count: 0,
        };
        bits.put(1, 1); // last block
        bits.put(1, 2); // fixed Huffman codes
        bits.code(0x30 + u32::from(b' '), 8);
        for _ in 0..len / 258 {
            bits.code(0b1100_0101, 8); // length 258
            bits.code(0, 5); // distance 1
        }
        bits.code(0, 7); // end of block
        bits.put(0, 7);
        bits.out
    }

    #[test]
    fn a_page_that_inflates_too_far_is_unreadable() {
        let bomb = flate_bomb(MAX_PDF_STREAM_BYTES + 1024 * 1024);
        assert!(bomb.len() < 300 * 1024);
        let content = Stream::new(dictionary! { "Filter" => "FlateDecode" }, bomb);
        let error = text(&pdf_with(content, ""), 10_000).unwrap_err();
        assert!(
            matches!(&error, ExtractError::Unreadable(message) if message.contains("limit")),
            "{error:?}"
        );
    }

    #[test]
    fn a_small_inflated_page_reads() {
        let mut content = Stream::new(
            dictionary! {},
            b"BT /F1 10 Tf 72 700 Td (deflated) Tj ET".to_vec(),
        );
        content.compress().unwrap();
        assert_eq!(
            text(&pdf_with(content, ""), 10_000).unwrap().trim(),
            "deflated"
        );
    }
}
