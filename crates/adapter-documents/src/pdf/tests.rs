#![allow(clippy::unwrap_used, clippy::expect_used)]

use lopdf::{Object, Stream, dictionary};

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
