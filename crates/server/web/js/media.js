// Camera and microphone access, with the browser's refusals turned into the client's error codes,
// and a microphone level meter (an AnalyserNode) for the tech check.

function mediaError(error, kind) {
  const name = error?.name;
  let code = 'recording_failed';
  if (name === 'NotAllowedError' || name === 'SecurityError') code = kind === 'video' ? 'camera_denied' : 'microphone_denied';
  else if (name === 'NotFoundError' || name === 'OverconstrainedError') code = kind === 'video' ? 'camera_denied' : 'no_microphone';
  else if (!navigator.mediaDevices?.getUserMedia) code = 'media_unsupported';
  return Object.assign(new Error(error?.message || code), { code, cause: error });
}

const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 };
const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };

/**
 * The microphone and/or camera: {stream, audioError, videoError}. Asks for both at once, then
 * for each alone, so a missing camera does not cost the microphone.
 */
export async function openMedia({ audio = true, video = false } = {}) {
  const result = { stream: null, audioError: null, videoError: null };
  if (!navigator.mediaDevices?.getUserMedia) {
    const error = mediaError(null, 'audio');
    error.code = 'media_unsupported';
    if (audio) result.audioError = error;
    if (video) result.videoError = error;
    return result;
  }
  if (audio && video) {
    try {
      result.stream = await navigator.mediaDevices.getUserMedia({ audio: AUDIO, video: VIDEO });
      return result;
    } catch {
      // each alone below, to tell which one failed
    }
  }
  const tracks = [];
  if (audio) {
    try {
      tracks.push(...(await navigator.mediaDevices.getUserMedia({ audio: AUDIO })).getTracks());
    } catch (error) {
      result.audioError = mediaError(error, 'audio');
    }
  }
  if (video) {
    try {
      tracks.push(...(await navigator.mediaDevices.getUserMedia({ video: VIDEO })).getTracks());
    } catch (error) {
      result.videoError = mediaError(error, 'video');
    }
  }
  if (tracks.length) result.stream = new MediaStream(tracks);
  return result;
}

/** Stops every track of `stream`. */
export function closeMedia(stream) {
  for (const track of stream?.getTracks() || []) track.stop();
}

/**
 * A fresh AudioContext. Browsers may keep it suspended until the page gets a click or a key
 * (autoplay rules; Firefox does so more often): it then starts on the next one by itself.
 */
export function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context || !window.AudioWorkletNode) {
    throw Object.assign(new Error('no AudioWorklet'), { code: 'media_unsupported' });
  }
  const context = new Context({ latencyHint: 'interactive' });
  const events = ['pointerdown', 'keydown', 'click'];
  const unlock = () => {
    context.resume().catch(() => {});
    if (context.state !== 'suspended') events.forEach((name) => document.removeEventListener(name, unlock, true));
  };
  if (context.state === 'suspended') {
    context.resume().catch(() => {});
    events.forEach((name) => document.addEventListener(name, unlock, true));
    context.addEventListener('statechange', () => {
      if (context.state !== 'suspended') events.forEach((name) => document.removeEventListener(name, unlock, true));
    });
  }
  return context;
}

/** Whether `context` runs within `ms` (a resume that waits for a click never settles). */
export async function running(context, ms = 300) {
  if (context.state === 'running') return true;
  await Promise.race([context.resume().catch(() => {}), new Promise((resolve) => setTimeout(resolve, ms))]);
  return context.state === 'running';
}

/**
 * Feeds `meter` (a <meter> from 0 to 1) with the microphone's level until the returned function
 * is called. `onLevel(level)` sees every value (to tell that the microphone hears something).
 */
export function levelMeter(stream, meter, onLevel = () => {}, onSuspended = () => {}) {
  const context = audioContext();
  running(context).then((started) => {
    if (!started) onSuspended();
  });
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const rms = Math.sqrt(sum / samples.length);
    const level = Math.min(1, rms * 4); // speech peaks around 0.1–0.25 RMS
    meter.value = level;
    meter.textContent = `${Math.round(level * 100)}%`;
    onLevel(level);
    frame = requestAnimationFrame(tick);
  };
  tick();
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    context.close().catch(() => {});
  };
}

/** Facts about the devices for the tech check (kept small: the API takes 4 KB). */
export function describe(stream) {
  const audio = stream?.getAudioTracks()[0];
  const video = stream?.getVideoTracks()[0];
  const settings = video?.getSettings?.() || {};
  return {
    audio: audio ? { device_name: audio.label.slice(0, 100) || 'Microphone' } : null,
    video: video
      ? { device_name: video.label.slice(0, 100) || 'Camera', resolution: `${settings.width || '?'}x${settings.height || '?'}`, format: 'webm' }
      : null,
  };
}
