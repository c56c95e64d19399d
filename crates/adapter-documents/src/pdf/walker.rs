//! Interpreting content streams: the graphics and text operators, and form XObjects.

use std::collections::BTreeMap;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::describe;
use super::font::{Font, fonts_of, number};
use super::layout::{IDENTITY, Matrix, Sink, State, advance, multiply};
use crate::MAX_PDF_STREAM_BYTES;

/// Nesting of `q` and of form XObjects followed, and form XObjects drawn per document.
const MAX_STATE_DEPTH: usize = 64;
const MAX_FORM_DEPTH: usize = 4;
const MAX_FORMS: usize = 512;

pub(super) struct Walker<'a> {
    pub(super) document: &'a Document,
    pub(super) sink: Sink,
    pub(super) forms_drawn: usize,
    /// The first thing that could not be read, reported if no text came out at all.
    pub(super) problem: Option<String>,
}

impl<'a> Walker<'a> {
    fn note(&mut self, problem: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(problem());
        }
    }

    pub(super) fn page(&mut self, page_id: ObjectId) {
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
