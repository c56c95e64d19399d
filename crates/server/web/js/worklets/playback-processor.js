// The interviewer's voice: PCM at 24 kHz (Float32 chunks posted by the page as they arrive over
// the socket) played gap-free at the context's rate. Chunks queue up; playback starts once
// `prebufferMs` is queued (or the reply has ended) and, should the queue run dry mid-reply,
// waits for that much again instead of crackling. Linear interpolation converts the rate.
//
// Messages in: {type: 'chunk', samples: Float32Array}, {type: 'end'} (the reply is complete),
// {type: 'flush'} (barge-in: drop everything queued). Out: {type: 'stats', samplesPlayed,
// replyPlayedMs, bufferedMs, speaking} about twenty times a second and whenever the state
// changes; {type: 'drained'} when a finished reply has played out.
// `samplesPlayed` counts source samples (24 kHz) actually played since the worklet started.

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const settings = options?.processorOptions || {};
    this.sourceRate = settings.sourceRate || 24000;
    this.prebuffer = Math.round((this.sourceRate * (settings.prebufferMs || 80)) / 1000);
    this.step = this.sourceRate / sampleRate; // source samples per output sample
    // queued chunks with their absolute start index; `head` is the first not fully played
    this.chunks = [];
    this.head = 0;
    this.read = 0; // absolute, fractional read position in source samples
    this.end = 0; // absolute index just past the last queued sample
    this.playing = false;
    this.ended = false;
    this.samplesPlayed = 0;
    this.replyPlayed = 0;
    this.sinceStats = 0;
    this.statsEvery = Math.round(sampleRate / 20);
    this.port.onmessage = ({ data }) => this.receive(data);
  }

  get buffered() {
    return Math.max(0, this.end - Math.floor(this.read));
  }

  receive(data) {
    if (data?.type === 'chunk' && data.samples?.length) {
      this.chunks.push({ start: this.end, data: data.samples });
      this.end += data.samples.length;
    } else if (data?.type === 'end') {
      this.ended = true;
      if (this.buffered === 0) this.drained();
    } else if (data?.type === 'flush') {
      this.chunks = [];
      this.head = 0;
      this.read = this.end;
      this.playing = false;
      this.ended = false;
      this.replyPlayed = 0;
      this.stats();
    }
  }

  drained() {
    this.playing = false;
    this.ended = false;
    this.replyPlayed = 0;
    this.chunks = [];
    this.head = 0;
    this.stats();
    this.port.postMessage({ type: 'drained' });
  }

  stats() {
    this.port.postMessage({
      type: 'stats',
      samplesPlayed: this.samplesPlayed,
      replyPlayedMs: Math.round((this.replyPlayed * 1000) / this.sourceRate),
      bufferedMs: Math.round((this.buffered * 1000) / this.sourceRate),
      speaking: this.buffered > 0 || this.ended,
    });
    this.sinceStats = 0;
  }

  /** The source sample at absolute index `at` (at < this.end), moving `head` forward. */
  sample(at) {
    while (this.head < this.chunks.length - 1) {
      const chunk = this.chunks[this.head];
      if (at < chunk.start + chunk.data.length) break;
      this.head += 1;
    }
    const chunk = this.chunks[this.head];
    const local = at - chunk.start;
    if (local < chunk.data.length) return chunk.data[local];
    return chunk.data[chunk.data.length - 1];
  }

  process(_inputs, outputs) {
    const output = outputs[0];
    const channel = output[0];
    if (!channel) return true;
    if (!this.playing && this.buffered > 0 && (this.buffered >= this.prebuffer || this.ended)) {
      this.playing = true;
    }
    for (let i = 0; i < channel.length; i += 1) {
      if (!this.playing) {
        channel[i] = 0;
        continue;
      }
      const whole = Math.floor(this.read);
      const current = this.sample(whole);
      const next = whole + 1 < this.end ? this.sample(whole + 1) : current;
      channel[i] = current + (next - current) * (this.read - whole);
      this.read += this.step;
      const consumed = Math.min(Math.floor(this.read), this.end) - whole;
      this.samplesPlayed += consumed;
      this.replyPlayed += consumed;
      if (this.read >= this.end) {
        this.read = this.end;
        if (this.ended) {
          for (let j = i + 1; j < channel.length; j += 1) channel[j] = 0;
          this.drained();
          break;
        }
        this.playing = false; // ran dry mid-reply: wait for the prebuffer again
      }
    }
    if (this.head > 64) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    for (let c = 1; c < output.length; c += 1) output[c].set(channel);
    this.sinceStats += channel.length;
    if (this.sinceStats >= this.statsEvery) this.stats();
    return true;
  }
}

registerProcessor('playback-processor', PlaybackProcessor);
