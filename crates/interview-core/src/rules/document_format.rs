//! What an uploaded resume is, from its bytes: a PDF (`%PDF-`) or a DOCX (a ZIP whose entries
//! include `word/document.xml`; entry names are stored uncompressed in a ZIP's headers).

use crate::ports::DocumentFormat;

pub fn sniff(bytes: &[u8]) -> Option<DocumentFormat> {
    if bytes.starts_with(b"%PDF-") {
        return Some(DocumentFormat::Pdf);
    }
    let docx = bytes.starts_with(b"PK\x03\x04")
        && bytes
            .windows(b"word/document.xml".len())
            .any(|window| window == b"word/document.xml");
    docx.then_some(DocumentFormat::Docx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_and_docx_are_told_from_anything_else() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(DocumentFormat::Pdf));
        let mut docx = b"PK\x03\x04\x14\x00".to_vec();
        docx.extend_from_slice(b"....[Content_Types].xml....word/document.xml....");
        assert_eq!(sniff(&docx), Some(DocumentFormat::Docx));
        assert_eq!(sniff(b"PK\x03\x04 an ordinary zip"), None);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(sniff(b""), None);
    }
}
