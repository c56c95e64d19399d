// Video of the interview, recorded only with the candidate's consent: MediaRecorder cuts the
// camera (and microphone) into 5-second WebM chunks, uploaded one at a time, in order, to
// POST /api/v1/interviews/{id}/video/upload (multipart `chunk`, `chunk_index`, `is_final`). A
// chunk that fails for a passing reason (network, 5xx, 429) is sent again with backoff, the same
// bytes under the same index (the API stores it once). At the end the last chunk carries
// `is_final`, and POST /api/v1/videos/{id}/finalize assembles the recording if that did not.

import { request } from './api.js';
import { sleep } from './dom.js';

const TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm', 'video/mp4'];
const CHUNK_MS = 5000;
const MAX_TRIES = 6;

/** Codes after which further chunks are refused too: recording stops. */
const STOPPING = new Set(['consent_required', 'upload_closed', 'recording_closed', 'storage_limit',
  'unsupported_media_type', 'chunk_mismatch', 'not_found', 'payload_too_large']);

export class VideoRecorder {
  /** `onProblem(error)` is told when recording stops because of an upload error. */
  constructor({ interviewId, stream, onProblem = () => {} }) {
    this.interviewId = interviewId;
    this.onProblem = onProblem;
    this.queue = [];
    this.index = 0;
    this.uploading = null;
    this.failed = false;
    this.finalQueued = false;
    this.finalized = false;
    const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    this.recorder = new MediaRecorder(stream, {
      ...(mimeType ? { mimeType } : {}),
      videoBitsPerSecond: 600000,
      audioBitsPerSecond: 48000,
    });
    this.recorder.ondataavailable = (event) => this.chunk(event.data);
  }

  get active() {
    return this.recorder.state !== 'inactive';
  }

  /**
   * Starts recording. A recording already begun (the page was reloaded) goes on after its last
   * stored chunk; a finished or deleted one is left alone. Resolves to whether it records.
   */
  async start() {
    try {
      const { data } = await request(`videos/${this.interviewId}/chunks`);
      if (data?.status === 'finalized' || data?.status === 'deleted') return false;
      if (data?.chunks?.length) this.index = Math.max(...data.chunks) + 1;
    } catch (error) {
      if (error.code !== 'not_found') console.warn('[interview] video chunks', error);
    }
    this.recorder.start(CHUNK_MS);
    return true;
  }

  chunk(blob) {
    if (this.failed) return;
    const last = this.recorder.state === 'inactive';
    if (!blob?.size && !last) return;
    if (last) this.finalQueued = true;
    this.queue.push({ index: blob?.size ? this.index : null, blob, last });
    if (blob?.size) this.index += 1;
    this.pump();
  }

  /** Uploads queued chunks one after the other. */
  pump() {
    if (this.uploading) return this.uploading;
    this.uploading = (async () => {
      while (this.queue.length && !this.failed) {
        const item = this.queue[0];
        if (item.index !== null) await this.upload(item);
        this.queue.shift();
      }
      this.uploading = null;
    })();
    return this.uploading;
  }

  async upload({ index, blob, last }) {
    for (let attempt = 1; ; attempt += 1) {
      const form = new FormData();
      form.append('chunk', blob, `chunk-${index}.webm`);
      form.append('chunk_index', String(index));
      form.append('is_final', last ? 'true' : 'false');
      try {
        const { data } = await request(`interviews/${this.interviewId}/video/upload`, { method: 'POST', form });
        window.__videoStats.chunksUploaded += 1;
        if (data?.video_recording_url) this.finalized = true;
        return;
      } catch (error) {
        if (STOPPING.has(error.code) || !error.retryable || attempt >= MAX_TRIES) {
          this.stopBecause(error);
          return;
        }
        const wait = error.retryAfter !== null && error.retryAfter !== undefined
          ? error.retryAfter * 1000
          : Math.min(8000, 500 * 2 ** attempt);
        await sleep(wait);
      }
    }
  }

  stopBecause(error) {
    this.failed = true;
    this.queue = [];
    if (this.active) this.recorder.stop();
    this.onProblem(error);
  }

  /**
   * Stops recording, uploads what is left and assembles the recording. Resolves either way
   * (a video problem must never keep the candidate from their results).
   */
  async finish() {
    if (this.active) {
      const stopped = new Promise((resolve) => {
        this.recorder.addEventListener('stop', resolve, { once: true });
      });
      this.recorder.stop();
      await stopped;
    }
    // the final dataavailable event comes before `stop`; give a late one a moment
    if (!this.finalQueued) await sleep(50);
    while (this.uploading || this.queue.length) await this.pump();
    if (this.failed || this.finalized || this.index === 0) return;
    try {
      await request(`videos/${this.interviewId}/finalize`, { method: 'POST' });
      this.finalized = true;
    } catch (error) {
      this.onProblem(error);
    }
  }

  /** Stops without uploading more (the page is left mid-interview). */
  abandon() {
    this.failed = true;
    this.queue = [];
    if (this.active) this.recorder.stop();
  }
}
