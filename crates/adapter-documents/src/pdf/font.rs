//! Fonts as far as text needs them: how strings decode (`ToUnicode` maps, simple and
//! composite encodings) and how wide glyphs are (`/Widths`, `/W`).

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Encoding, Object};

use crate::MAX_PDF_STREAM_BYTES;

/// Advance of a glyph whose width the font does not give, in thousandths of the font size.
const DEFAULT_WIDTH: f32 = 500.0;

/// A font as far as text needs it: how its strings decode, how wide its glyphs are.
pub(super) struct Font<'a> {
    pub(super) encoding: Option<Encoding<'a>>,
    /// Composite (Type0) fonts use two-byte codes (Identity-H, by far the most common CMap).
    pub(super) two_byte: bool,
    pub(super) widths: Widths,
}

pub(super) enum Widths {
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
    pub(super) fn of(&self, code: u32) -> f32 {
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

pub(super) fn number(object: &Object) -> Option<f32> {
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
pub(super) fn fonts_of<'a>(
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
