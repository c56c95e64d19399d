//! What an uploader sends, made again to compare with what the server streams back; and how much
//! the server stored.

use std::path::Path;
use std::time::Instant;

use reqwest::{StatusCode, header};

use super::Shared;

const WEBM_EBML: [u8; 4] = [0x1a, 0x45, 0xdf, 0xa3];
const WEBM_CLUSTER: [u8; 4] = [0x1f, 0x43, 0xb6, 0x75];

/// Chunk `index` of uploader `uploader`: the WebM magic (chunk 0) or a cluster id, then a
/// xorshift stream seeded by both, so every chunk differs and can be made again.
pub(super) fn chunk_body(uploader: usize, index: u32, size: usize) -> Vec<u8> {
    let mut state = ((uploader as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (u64::from(index) + 1).wrapping_mul(0xD1B5_4A32_D192_ED03))
        | 1;
    let mut bytes = vec![0u8; size];
    for word in bytes.chunks_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
    }
    let magic = if index == 0 { WEBM_EBML } else { WEBM_CLUSTER };
    let length = magic.len().min(size);
    bytes[..length].copy_from_slice(&magic[..length]);
    bytes
}

/// Reads uploader 0's recording back — a range across the first chunk boundary, then all of it —
/// and compares it with what was sent; returns the seconds the full read took.
pub(super) async fn verify(shared: &Shared, token: &str, id: &str) -> Result<f64, String> {
    let size = shared.chunk_bytes as u64;
    let total = size * u64::from(shared.chunks);
    let url = format!("{}/api/v1/videos/{id}/stream", shared.base);
    if shared.chunks >= 2 && size >= 64 {
        let (first, last) = (size - 32, size + 31);
        let response = shared
            .client
            .get(&url)
            .bearer_auth(token)
            .header(header::RANGE, format!("bytes={first}-{last}"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status() != StatusCode::PARTIAL_CONTENT {
            return Err(format!("ranged read: {}", response.status()));
        }
        let got = response.bytes().await.map_err(|e| e.to_string())?;
        let mut expected = chunk_body(0, 0, shared.chunk_bytes)[shared.chunk_bytes - 32..].to_vec();
        expected.extend_from_slice(&chunk_body(0, 1, shared.chunk_bytes)[..32]);
        if got[..] != expected[..] {
            return Err(format!(
                "ranged read: bytes {first}-{last} differ from those sent"
            ));
        }
    }
    let began = Instant::now();
    let mut response = shared
        .client
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != StatusCode::OK {
        return Err(format!("full read: {}", response.status()));
    }
    let mut position = 0u64;
    let mut current: Option<(u64, Vec<u8>)> = None;
    while let Some(piece) = response.chunk().await.map_err(|e| e.to_string())? {
        let mut piece = &piece[..];
        while !piece.is_empty() {
            let index = position / size;
            if index >= u64::from(shared.chunks) {
                return Err(format!("full read: more than the {total} bytes sent"));
            }
            if current.as_ref().map(|(at, _)| *at) != Some(index) {
                current = Some((index, chunk_body(0, index as u32, shared.chunk_bytes)));
            }
            let expected = current
                .as_ref()
                .map(|(_, bytes)| &bytes[(position % size) as usize..])
                .unwrap_or_default();
            let length = expected.len().min(piece.len());
            if piece[..length] != expected[..length] {
                return Err(format!("full read: the bytes at {position} differ"));
            }
            position += length as u64;
            piece = &piece[length..];
        }
    }
    if position != total {
        return Err(format!("full read: {position} bytes, {total} sent"));
    }
    Ok(began.elapsed().as_secs_f64())
}

/// Bytes of the files under `path`.
pub(super) fn disk_usage(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => disk_usage(&entry.path()),
            _ => entry.metadata().map_or(0, |meta| meta.len()),
        })
        .sum()
}
