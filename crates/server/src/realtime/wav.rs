//! PCM16 mono 24 kHz wrapped in a WAV header, so stored realtime audio plays anywhere.

/// Sample rate of the realtime audio, both ways.
pub const SAMPLE_RATE: u32 = 24_000;

/// A WAV file holding `pcm` (16-bit little-endian mono at 24 kHz).
pub fn wav(pcm: &[u8]) -> Vec<u8> {
    let data_len = u32::try_from(pcm.len()).unwrap_or(u32::MAX);
    let mut file = Vec::with_capacity(44 + pcm.len());
    file.extend_from_slice(b"RIFF");
    file.extend_from_slice(&data_len.saturating_add(36).to_le_bytes());
    file.extend_from_slice(b"WAVEfmt ");
    file.extend_from_slice(&16u32.to_le_bytes());
    file.extend_from_slice(&1u16.to_le_bytes()); // PCM
    file.extend_from_slice(&1u16.to_le_bytes()); // mono
    file.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    file.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    file.extend_from_slice(&2u16.to_le_bytes()); // block align
    file.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    file.extend_from_slice(b"data");
    file.extend_from_slice(&data_len.to_le_bytes());
    file.extend_from_slice(pcm);
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_describes_the_samples() {
        let file = wav(&[0; 4_800]);
        assert_eq!(file.len(), 44 + 4_800);
        assert_eq!(&file[..4], b"RIFF");
        assert_eq!(&file[8..16], b"WAVEfmt ");
        assert_eq!(
            u32::from_le_bytes([file[24], file[25], file[26], file[27]]),
            24_000
        );
        assert_eq!(
            u32::from_le_bytes([file[40], file[41], file[42], file[43]]),
            4_800
        );
        assert!(infer::is(&file, "wav"));
    }
}
