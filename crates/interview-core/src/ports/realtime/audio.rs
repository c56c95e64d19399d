//! Realtime audio as it travels: base64 text of PCM16, checked once and passed through, so a
//! relay need not decode and re-encode every 20 ms frame.

use thiserror::Error;

/// PCM16 audio (mono, 24 kHz, little-endian) as standard padded base64, known to be well-formed:
/// only the standard alphabet, whole 4-character groups, padding only at the end, no stray bits
/// in the last character, and an even number of bytes (whole samples) once decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Base64Audio(String);

/// Text that is not base64 of whole PCM16 samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InvalidAudio {
    #[error("audio must be standard padded base64")]
    NotBase64,
    #[error("audio must be PCM16: an even number of bytes")]
    OddLength,
}

/// The value of each base64 character, or `INVALID` (`=` is handled separately).
const INVALID: u8 = 0xff;
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut index = 0;
    while index < alphabet.len() {
        table[alphabet[index] as usize] = index as u8;
        index += 1;
    }
    table
};

impl Base64Audio {
    /// Checks `text` without decoding it (one pass over its bytes).
    ///
    /// # Errors
    /// [`InvalidAudio::NotBase64`] for anything but standard padded base64;
    /// [`InvalidAudio::OddLength`] when it decodes to an odd number of bytes.
    pub fn new(text: String) -> Result<Self, InvalidAudio> {
        let bytes = text.as_bytes();
        if !bytes.len().is_multiple_of(4) {
            return Err(InvalidAudio::NotBase64);
        }
        let padding = bytes
            .iter()
            .rev()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
        let data = &bytes[..bytes.len() - padding];
        if data.iter().any(|&b| DECODE[usize::from(b)] == INVALID) {
            return Err(InvalidAudio::NotBase64);
        }
        // the bits of the last character that fall beyond the data must be zero (the decoder
        // the upstream uses rejects them, as `base64`'s standard engine does)
        let stray = match (padding, data.last()) {
            (1, Some(&last)) => DECODE[usize::from(last)] & 0b11,
            (2, Some(&last)) => DECODE[usize::from(last)] & 0b1111,
            _ => 0,
        };
        if stray != 0 {
            return Err(InvalidAudio::NotBase64);
        }
        let audio = Self(text);
        if audio.decoded_len().is_multiple_of(2) {
            Ok(audio)
        } else {
            Err(InvalidAudio::OddLength)
        }
    }

    /// No audio (the `is_final` chunk that ends a reply).
    #[must_use]
    pub const fn empty() -> Self {
        Self(String::new())
    }

    /// The base64 text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes of PCM16 it decodes to.
    #[must_use]
    pub fn decoded_len(&self) -> usize {
        let bytes = self.0.as_bytes();
        let padding = bytes
            .iter()
            .rev()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
        bytes.len() / 4 * 3 - padding
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<usize, InvalidAudio> {
        Base64Audio::new(text.to_owned()).map(|audio| audio.decoded_len())
    }

    #[test]
    fn whole_samples_in_standard_base64_pass() {
        assert_eq!(check(""), Ok(0));
        assert_eq!(check("AAA="), Ok(2));
        assert_eq!(check("AAAA"), Err(InvalidAudio::OddLength));
        assert_eq!(check("AAAAAA=="), Ok(4));
        assert_eq!(check("+/+/+/8="), Err(InvalidAudio::OddLength));
        assert_eq!(check("AQIDBAUG"), Ok(6));
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "%%% not base64 %%%",
            "AAA",
            "AA=A",
            "A===",
            "AAA=AAA=",
            "AAB=",
            "AAAAAB==",
            "AA-_",
            "AA\nA",
        ] {
            assert_eq!(check(text), Err(InvalidAudio::NotBase64), "{text:?}");
        }
    }
}
