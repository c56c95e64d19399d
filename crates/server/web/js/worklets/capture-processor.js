// The microphone's AudioWorklet: resamples the context's rate (44.1 or 48 kHz, whatever the
// device runs at) to 24 kHz mono, converts to PCM16 and posts chunks of `chunkMs` (40 ms: 960
// samples) to the page while capturing. Downsampling averages the input samples each output
// sample covers (a box filter: enough against aliasing for speech); upsampling interpolates.
// It also posts the input level (RMS) about ten times a second, capturing or not, for a meter.
//
// Messages in: {type: 'start'} | {type: 'stop'}. Out: {type: 'chunk', pcm: Int16Array} (its
// buffer transferred), {type: 'stopped', chunks, samples} after the last chunk of a turn,
// {type: 'level', rms}.

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const settings = options?.processorOptions || {};
    this.targetRate = settings.targetRate || 24000;
    this.chunkSamples = Math.round((this.targetRate * (settings.chunkMs || 40)) / 1000);
    this.ratio = sampleRate / this.targetRate; // input samples per output sample
    this.capturing = false;
    this.carry = new Float32Array(0);
    this.position = 0;
    this.chunk = new Int16Array(this.chunkSamples);
    this.filled = 0;
    this.turnChunks = 0;
    this.turnSamples = 0;
    this.levelSum = 0;
    this.levelCount = 0;
    this.levelEvery = Math.round(sampleRate / 10);
    this.port.onmessage = ({ data }) => {
      if (data?.type === 'start') {
        this.capturing = true;
        this.carry = new Float32Array(0);
        this.position = 0;
        this.filled = 0;
        this.turnChunks = 0;
        this.turnSamples = 0;
      } else if (data?.type === 'stop') {
        if (this.capturing) this.flush();
        this.capturing = false;
        this.port.postMessage({ type: 'stopped', chunks: this.turnChunks, samples: this.turnSamples });
      }
    };
  }

  flush() {
    if (this.filled === 0) return;
    const pcm = this.chunk.slice(0, this.filled);
    this.turnChunks += 1;
    this.turnSamples += pcm.length;
    this.port.postMessage({ type: 'chunk', pcm }, [pcm.buffer]);
    this.chunk = new Int16Array(this.chunkSamples);
    this.filled = 0;
  }

  push(value) {
    const clamped = Math.max(-1, Math.min(1, value));
    this.chunk[this.filled] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    this.filled += 1;
    if (this.filled === this.chunkSamples) this.flush();
  }

  level(samples) {
    for (let i = 0; i < samples.length; i += 1) this.levelSum += samples[i] * samples[i];
    this.levelCount += samples.length;
    if (this.levelCount >= this.levelEvery) {
      this.port.postMessage({ type: 'level', rms: Math.sqrt(this.levelSum / this.levelCount) });
      this.levelSum = 0;
      this.levelCount = 0;
    }
  }

  resample(block) {
    const data = new Float32Array(this.carry.length + block.length);
    data.set(this.carry, 0);
    data.set(block, this.carry.length);
    const ratio = this.ratio;
    if (ratio >= 1) {
      const half = ratio / 2;
      while (this.position + half < data.length) {
        const start = Math.max(0, Math.ceil(this.position - half));
        const end = Math.min(data.length - 1, Math.floor(this.position + half));
        let sum = 0;
        for (let i = start; i <= end; i += 1) sum += data[i];
        const count = end - start + 1;
        this.push(count > 0 ? sum / count : data[Math.min(data.length - 1, Math.round(this.position))]);
        this.position += ratio;
      }
      const keep = Math.max(0, Math.floor(this.position - half));
      this.carry = data.slice(keep);
      this.position -= keep;
    } else {
      while (this.position + 1 < data.length) {
        const index = Math.floor(this.position);
        const fraction = this.position - index;
        this.push(data[index] + (data[index + 1] - data[index]) * fraction);
        this.position += ratio;
      }
      const keep = Math.floor(this.position);
      this.carry = data.slice(keep);
      this.position -= keep;
    }
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || !input[0]) return true;
    let mono = input[0];
    if (input.length > 1) {
      mono = new Float32Array(input[0].length);
      for (const channel of input) {
        for (let i = 0; i < mono.length; i += 1) mono[i] += channel[i] / input.length;
      }
    }
    this.level(mono);
    if (this.capturing) this.resample(mono);
    return true;
  }
}

registerProcessor('capture-processor', CaptureProcessor);
