// The microphone. Realtime mode: MicCapture runs the capture AudioWorklet, which resamples to
// PCM16 24 kHz mono and hands over 40 ms chunks while the candidate holds push-to-talk.
// Recorded-voice mode: VoiceRecorder records one answer with MediaRecorder (WebM/Opus where the
// browser has it) for the multipart answer.

export const CAPTURE_WORKLET = new URL('./worklets/capture-processor.js', import.meta.url);

export class MicCapture {
  /**
   * The capture worklet on `stream`'s audio in `context`. Its (silent) output goes to the
   * speakers through a zero gain: a node nothing pulls is not run by every browser.
   */
  static async create(context, stream) {
    await context.audioWorklet.addModule(CAPTURE_WORKLET);
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, 'capture-processor', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      channelCount: 1,
      channelCountMode: 'explicit',
      processorOptions: { targetRate: 24000, chunkMs: 40 },
    });
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(node);
    node.connect(mute);
    mute.connect(context.destination);
    return new MicCapture(source, node, mute);
  }

  constructor(source, node, mute) {
    this.source = source;
    this.node = node;
    this.mute = mute;
    this.capturing = false;
    this.onChunk = () => {};
    this.onLevel = () => {};
    this.stopped = null;
    node.port.onmessage = ({ data }) => {
      if (data.type === 'chunk') this.onChunk(data.pcm);
      else if (data.type === 'level') this.onLevel(data.rms);
      else if (data.type === 'stopped') {
        this.stopped?.(data);
        this.stopped = null;
      }
    };
  }

  start() {
    this.capturing = true;
    this.node.port.postMessage({ type: 'start' });
  }

  /** Stops capturing; resolves with {chunks, samples} once the turn's last chunk was handed over. */
  stop() {
    this.capturing = false;
    return new Promise((resolve) => {
      this.stopped = resolve;
      this.node.port.postMessage({ type: 'stop' });
    });
  }

  close() {
    this.node.port.onmessage = null;
    this.source.disconnect();
    this.node.disconnect();
    this.mute.disconnect();
  }
}

const VOICE_TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4'];

/** The file name the API sniffs anyway, but named like its type. */
function fileName(type) {
  if (type.includes('ogg')) return 'answer.ogg';
  if (type.includes('mp4')) return 'answer.m4a';
  return 'answer.webm';
}

export class VoiceRecorder {
  constructor(stream) {
    if (typeof MediaRecorder === 'undefined') throw Object.assign(new Error('no MediaRecorder'), { code: 'media_unsupported' });
    const audio = new MediaStream(stream.getAudioTracks());
    const mimeType = VOICE_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    this.recorder = new MediaRecorder(audio, mimeType ? { mimeType, audioBitsPerSecond: 64000 } : {});
    this.parts = [];
    this.recorder.ondataavailable = (event) => {
      if (!event.data?.size) return;
      this.parts.push(event.data);
      window.__micStats.recordedBytes += event.data.size;
    };
  }

  get recording() {
    return this.recorder.state === 'recording';
  }

  start() {
    this.parts = [];
    this.recorder.start(1000);
  }

  /** Stops; resolves to {blob, name} of the whole answer. */
  stop() {
    return new Promise((resolve, reject) => {
      this.recorder.onstop = () => {
        const type = this.recorder.mimeType || this.parts[0]?.type || 'audio/webm';
        const blob = new Blob(this.parts, { type });
        if (!blob.size) reject(Object.assign(new Error('empty recording'), { code: 'recording_failed' }));
        else resolve({ blob, name: fileName(type) });
      };
      this.recorder.onerror = () => reject(Object.assign(new Error('recorder failed'), { code: 'recording_failed' }));
      this.recorder.stop();
    });
  }

  cancel() {
    if (this.recording) this.recorder.stop();
    this.parts = [];
  }
}
