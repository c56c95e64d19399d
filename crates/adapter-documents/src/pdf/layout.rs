//! The layout pass: text positioning (matrices and glyph advances), and the spaces and line
//! breaks put between pieces of text from where they land on the page.

use super::font::Font;

/// `[a b c d e f]`, a point `(x, y)` maps to `(a x + c y + e, b x + d y + f)`.
pub(super) type Matrix = [f32; 6];

pub(super) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n` (PDF's row-vector order: `m × n`).
pub(super) fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
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

/// The graphics and text state the layout needs (ISO 32000-1, 9.3).
#[derive(Clone)]
pub(super) struct State {
    pub(super) ctm: Matrix,
    pub(super) text_matrix: Matrix,
    pub(super) line_matrix: Matrix,
    pub(super) font: Option<Vec<u8>>,
    pub(super) size: f32,
    pub(super) char_spacing: f32,
    pub(super) word_spacing: f32,
    pub(super) horizontal_scale: f32,
    pub(super) leading: f32,
    pub(super) rise: f32,
}

impl State {
    pub(super) fn new(ctm: Matrix) -> Self {
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
    pub(super) fn position(&self) -> (f32, f32, f32) {
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

    pub(super) fn next_line(&mut self, x: f32, y: f32) {
        self.line_matrix = multiply(&translate(x, y), &self.line_matrix);
        self.text_matrix = self.line_matrix;
    }

    pub(super) fn advance(&mut self, x: f32) {
        self.text_matrix = multiply(&translate(x, 0.0), &self.text_matrix);
    }
}

/// Where the text gathered so far ended, to decide what separates the next piece.
pub(super) struct Sink {
    pub(super) text: String,
    limit: usize,
    /// End of the last piece shown: x, y, font size (page space).
    last: Option<(f32, f32, f32)>,
}

impl Sink {
    pub(super) fn new(limit: usize) -> Self {
        Self {
            text: String::new(),
            limit,
            last: None,
        }
    }

    pub(super) fn full(&self) -> bool {
        self.text.len() >= self.limit
    }

    pub(super) fn page_break(&mut self) {
        self.text.push_str("\n\n");
        self.last = None;
    }

    /// Adds a piece of text that starts at `start` and ends at `end` on the page.
    pub(super) fn show(&mut self, piece: &str, start: (f32, f32, f32), end: (f32, f32)) {
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

/// How far a string moves the text position, in unscaled text space units (ISO 32000-1, 9.4.4).
pub(super) fn advance(font: &Font<'_>, state: &State, bytes: &[u8]) -> f32 {
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
