// The interviewer's voice in realtime mode: base64 PCM16 24 kHz chunks from the socket, decoded
// here and queued into the playback AudioWorklet, which plays them gap-free at the context's rate
// and reports what it played (window.__audioStats.samplesPlayed, and played_ms for barge-in).

import { decodePcm16 } from './pcm.js';

export const PLAYBACK_WORKLET = new URL('./worklets/playback-processor.js', import.meta.url);

export class Playback {
  /** Loads the worklet into `context` and connects its node to the speakers. */
  static async create(context) {
    await context.audioWorklet.addModule(PLAYBACK_WORKLET);
    const node = new AudioWorkletNode(context, 'playback-processor', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { sourceRate: 24000, prebufferMs: 80 },
    });
    node.connect(context.destination);
    return new Playback(node);
  }

  constructor(node) {
    this.node = node;
    this.speaking = false;
    this.replyPlayedMs = 0;
    this.onDrained = () => {};
    this.onSpeaking = () => {};
    node.port.onmessage = ({ data }) => {
      if (data.type === 'stats') {
        window.__audioStats.samplesPlayed = data.samplesPlayed;
        this.replyPlayedMs = data.replyPlayedMs;
        this.setSpeaking(data.speaking);
      } else if (data.type === 'drained') {
        this.setSpeaking(false);
        this.onDrained();
      }
    };
  }

  setSpeaking(speaking) {
    if (speaking === this.speaking) return;
    this.speaking = speaking;
    this.onSpeaking(speaking);
  }

  /** Queues one `ai_audio_chunk`'s audio. */
  enqueue(base64) {
    window.__audioStats.chunksReceived += 1;
    if (!base64) return;
    const samples = decodePcm16(base64);
    if (!samples.length) return;
    this.setSpeaking(true);
    this.node.port.postMessage({ type: 'chunk', samples }, [samples.buffer]);
  }

  /** The reply is complete: play out what is queued. */
  end() {
    this.node.port.postMessage({ type: 'end' });
  }

  /** Barge-in: stops at once; resolves to how much of the current reply was heard (ms). */
  flush() {
    const played = this.replyPlayedMs;
    this.node.port.postMessage({ type: 'flush' });
    this.setSpeaking(false);
    return played;
  }

  close() {
    this.node.port.onmessage = null;
    this.node.disconnect();
  }
}
