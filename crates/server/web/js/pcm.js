// PCM16 ↔ base64 for the realtime socket: little-endian 16-bit mono at 24 kHz.

/** Base64 of the bytes of `pcm` (an Int16Array). */
export function encodePcm16(pcm) {
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

/** Float32 samples in [-1, 1] from base64 PCM16 little-endian. */
export function decodePcm16(base64) {
  const binary = atob(base64);
  const count = binary.length >> 1;
  const samples = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    let value = binary.charCodeAt(2 * i) | (binary.charCodeAt(2 * i + 1) << 8);
    if (value >= 0x8000) value -= 0x10000;
    samples[i] = value / 0x8000;
  }
  return samples;
}
