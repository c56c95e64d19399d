#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The document reader against the resume fixtures in `tests/fixtures/resumes/`.

use std::io::Write;

use adapter_documents::{DocumentText, MAX_INPUT_BYTES};
use interview_core::ports::{DocumentFormat, DocumentReader, ExtractError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/resumes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

async fn read(format: DocumentFormat, bytes: Vec<u8>) -> Result<String, ExtractError> {
    DocumentText::new().text(format, bytes).await
}

const SKILLS: [&str; 7] = [
    "Python",
    "Django",
    "PostgreSQL",
    "React",
    "TypeScript",
    "Docker",
    "AWS",
];

fn assert_resume(text: &str) {
    for expected in [
        "Ada Example",
        "Senior Software Engineer with 7 years of experience",
        "Python, Django, PostgreSQL, React, TypeScript, Docker, AWS",
        "Backend Engineer at Acme (2019-2023)",
        "Software Developer at Initech (2017-2019)",
        "BSc Computer Science, University of Somewhere",
    ] {
        assert!(
            text.lines().any(|line| line == expected),
            "no line {expected:?} in:\n{text}"
        );
    }
    for skill in SKILLS {
        assert!(text.contains(skill), "{skill} missing");
    }
    assert!(!text.contains("  "), "runs of spaces left in:\n{text}");
    assert!(
        !text.contains("\n\n\n"),
        "runs of blank lines left in:\n{text}"
    );
    assert_eq!(text, text.trim());
}

#[tokio::test]
async fn pdf_resume_text_has_the_skills_and_roles_line_by_line() {
    let text = read(DocumentFormat::Pdf, fixture("resume.pdf"))
        .await
        .unwrap();
    assert_resume(&text);
    assert!(
        text.starts_with("Ada Example\nSenior Software Engineer"),
        "{text}"
    );
}

#[tokio::test]
async fn docx_resume_text_has_the_skills_and_roles_line_by_line() {
    let text = read(DocumentFormat::Docx, fixture("resume.docx"))
        .await
        .unwrap();
    assert_resume(&text);
    assert!(
        text.starts_with("Ada Example\nSenior Software Engineer"),
        "{text}"
    );
}

#[tokio::test]
async fn scanned_pdf_without_a_text_layer_is_no_text() {
    let error = read(DocumentFormat::Pdf, fixture("scanned.pdf"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ExtractError::NoText("scanned PDF: no text layer".to_owned())
    );
}

#[tokio::test]
async fn truncated_pdf_is_unreadable() {
    let error = read(DocumentFormat::Pdf, fixture("corrupt.pdf"))
        .await
        .unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
}

#[tokio::test]
async fn random_bytes_are_unreadable_as_docx_and_as_pdf() {
    // A fixed xorshift stream: the same "random" bytes every run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    for format in [DocumentFormat::Docx, DocumentFormat::Pdf] {
        let error = read(format, bytes.clone()).await.unwrap_err();
        assert!(
            matches!(error, ExtractError::Unreadable(_)),
            "{format}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_pdf_given_as_docx_and_a_docx_given_as_pdf_are_unreadable() {
    let error = read(DocumentFormat::Docx, fixture("resume.pdf"))
        .await
        .unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
    let error = read(DocumentFormat::Pdf, fixture("resume.docx"))
        .await
        .unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
}

#[tokio::test]
async fn empty_and_oversized_files_are_unreadable() {
    let error = read(DocumentFormat::Pdf, Vec::new()).await.unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
    let mut huge = fixture("resume.pdf");
    huge.resize(MAX_INPUT_BYTES + 1, b' ');
    let error = read(DocumentFormat::Pdf, huge).await.unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
}

/// Every prefix of the real files (in steps) gives text or an error, never a panic that
/// escapes.
#[test]
fn truncated_documents_never_escape_as_panics() {
    for (format, name) in [
        (DocumentFormat::Pdf, "resume.pdf"),
        (DocumentFormat::Docx, "resume.docx"),
    ] {
        let bytes = fixture(name);
        for end in (1..bytes.len()).step_by(61) {
            let _ = DocumentText::extract(format, &bytes[..end]);
        }
    }
}

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        archive.start_file(*name, options).unwrap();
        archive.write_all(content).unwrap();
    }
    archive.finish().unwrap().into_inner()
}

#[tokio::test]
async fn docx_zip_bomb_is_refused() {
    // 21 MB of zeros deflates to about 20 KB.
    let zeros = vec![b'0'; 21 * 1024 * 1024];
    let bomb = zip_with(&[("word/document.xml", &zeros)]);
    assert!(bomb.len() < 100 * 1024);
    let error = read(DocumentFormat::Docx, bomb).await.unwrap_err();
    assert!(
        matches!(&error, ExtractError::Unreadable(message) if message.contains("more than")),
        "{error:?}"
    );
}

#[tokio::test]
async fn docx_paragraphs_tabs_breaks_and_entities() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
<w:body>
<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Ada</w:t></w:r><w:r><w:t xml:space="preserve"> Example</w:t></w:r></w:p>
<w:p><w:r><w:t>Skills</w:t><w:tab/><w:t>C++ &amp; Rust</w:t><w:br/><w:t>Go&#x21;</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>Boxed</w:t></mc:Choice><mc:Fallback><w:t>Boxed</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:delText>removed</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>
</w:body></w:document>"#;
    let docx = zip_with(&[("word/document.xml", xml)]);
    let text = read(DocumentFormat::Docx, docx).await.unwrap();
    assert_eq!(text, "Ada Example\nSkills C++ & Rust\nGo!\n\nBoxed");
}

#[tokio::test]
async fn docx_without_a_body_or_text() {
    let error = read(DocumentFormat::Docx, zip_with(&[("other.xml", b"<a/>")]))
        .await
        .unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
    let empty = br#"<w:document xmlns:w="urn:w"><w:body><w:p/></w:body></w:document>"#;
    let error = read(
        DocumentFormat::Docx,
        zip_with(&[("word/document.xml", empty)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ExtractError::NoText(_)), "{error:?}");
    let broken = br#"<w:document xmlns:w="urn:w"><w:body><w:p><w:t>x</w:p>"#;
    let error = read(
        DocumentFormat::Docx,
        zip_with(&[("word/document.xml", broken)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ExtractError::Unreadable(_)), "{error:?}");
}

#[tokio::test]
async fn docx_page_headers_come_first_once() {
    let header = br#"<w:hdr xmlns:w="urn:w"><w:p><w:r><w:t>Ada Example, ada@example.com</w:t></w:r></w:p></w:hdr>"#;
    let body = br#"<w:document xmlns:w="urn:w"><w:body><w:p><w:r><w:t>Python</w:t></w:r></w:p></w:body></w:document>"#;
    let docx = zip_with(&[
        ("word/document.xml", body),
        ("word/header1.xml", header),
        ("word/header2.xml", header),
        ("word/header3.xml", b"<broken"),
    ]);
    let text = read(DocumentFormat::Docx, docx).await.unwrap();
    assert_eq!(text, "Ada Example, ada@example.com\nPython");
}
