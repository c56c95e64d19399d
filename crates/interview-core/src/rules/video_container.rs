//! What a video chunk is, from its first bytes. The first chunk of a recording must open a
//! WebM (EBML header) or MP4 (`ftyp` box) container. A later chunk continues the container and
//! has no header of its own (a WebM cluster, an MP4 `moof` fragment), so it is refused only when
//! it is recognisably something else: another file format, or plain text.

use serde::{Deserialize, Serialize};

use crate::model::named_enum;

/// The containers a recording may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoContainer {
    Webm,
    Mp4,
}

named_enum!(VideoContainer, "video container", {
    Webm => "webm",
    Mp4 => "mp4",
});

impl VideoContainer {
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Webm => "video/webm",
            Self::Mp4 => "video/mp4",
        }
    }
}

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 64;

/// What the first bytes of a chunk say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// The start of a container.
    Container(VideoContainer),
    /// Not a container start, and nothing else recognisable: a continuation.
    Continuation,
    /// Another format, or text.
    Foreign,
}

const FOREIGN_MAGIC: [&[u8]; 12] = [
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"\x1f\x8b",
    b"BM",
    b"\x7fELF",
];

pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
        return Sniffed::Container(VideoContainer::Webm);
    }
    if head.len() >= 8 && &head[4..8] == b"ftyp" {
        return Sniffed::Container(VideoContainer::Mp4);
    }
    if head.is_empty() || FOREIGN_MAGIC.iter().any(|magic| head.starts_with(magic)) {
        return Sniffed::Foreign;
    }
    let text = head
        .iter()
        .all(|byte| byte.is_ascii_graphic() || byte.is_ascii_whitespace());
    if text {
        Sniffed::Foreign
    } else {
        Sniffed::Continuation
    }
}

/// A chunk that does not belong in a video recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not part of a WebM or MP4 video")]
pub struct NotVideo;

/// Whether chunk `index` with these first bytes belongs in a video recording; the container it
/// opens, for the first chunk.
///
/// # Errors
/// [`NotVideo`] when it does not.
pub fn accept(index: u32, head: &[u8]) -> Result<Option<VideoContainer>, NotVideo> {
    match (index, sniff(head)) {
        (0, Sniffed::Container(container)) => Ok(Some(container)),
        (0, _) | (_, Sniffed::Foreign) => Err(NotVideo),
        (_, Sniffed::Container(_) | Sniffed::Continuation) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBM: &[u8] = &[0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01];
    const MP4: &[u8] = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00";
    const CLUSTER: &[u8] = &[0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0x00, 0x9a];
    const MOOF: &[u8] = b"\x00\x00\x01\x10moof\x00\x00\x00\x10mfhd";

    #[test]
    fn the_first_chunk_must_open_a_container() {
        assert_eq!(accept(0, WEBM), Ok(Some(VideoContainer::Webm)));
        assert_eq!(accept(0, MP4), Ok(Some(VideoContainer::Mp4)));
        assert_eq!(accept(0, CLUSTER), Err(NotVideo));
        assert_eq!(accept(0, b"\x89PNG\r\n\x1a\n"), Err(NotVideo));
        assert_eq!(accept(0, b""), Err(NotVideo));
    }

    #[test]
    fn later_chunks_continue_unless_they_are_something_else() {
        assert_eq!(accept(3, CLUSTER), Ok(None));
        assert_eq!(accept(3, MOOF), Ok(None));
        assert_eq!(accept(3, WEBM), Ok(None));
        for foreign in [
            &b"%PDF-1.7\n"[..],
            b"\x89PNG\r\n\x1a\n",
            b"PK\x03\x04",
            b"RIFF\x24\x08\x00\x00WAVE",
            b"hello, this is not a video at all",
            b"",
        ] {
            assert_eq!(accept(5, foreign), Err(NotVideo), "{foreign:?}");
        }
    }
}
