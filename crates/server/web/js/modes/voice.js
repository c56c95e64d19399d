// Recorded voice answers: #record-button starts MediaRecorder, a second click stops it and sends
// the recording (multipart `audio_file` + `in_reply_to`). The interviewer's spoken question is
// fetched with the token into a blob: URL and played. A recording that could not be sent is kept
// to send again (same Idempotency-Key); typing stays possible as a fallback.

import { blobUrl } from '../api.js';
import { h } from '../dom.js';
import { clearError, messageOf, showError } from '../errors.js';
import { VoiceRecorder } from '../recorder.js';
import { answerer } from './answer.js';
import { textForm } from './text.js';

export default function mount(ui) {
  const send = answerer(ui);
  const record = h('button', { id: 'record-button', type: 'button', 'aria-pressed': 'false', class: 'big' }, 'Record your answer');
  const retry = h('button', { id: 'retry-button', type: 'button', class: 'secondary', hidden: true }, 'Send the recording again');
  const status = h('p', { id: 'record-status', class: 'hint', 'aria-live': 'polite' },
    'Click to start recording, click again to stop and send.');
  const player = h('audio', { id: 'ai-audio', controls: true, preload: 'auto', 'aria-label': 'The interviewer\'s question, spoken' });
  const fallback = h('details', { class: 'fallback' },
    h('summary', {}, 'Type this answer instead'),
    textForm(ui, send));

  let recorder = null;
  let pending = null; // the recording not sent yet
  let playing = null; // the blob: URL in the player
  let timer = null;
  let started = 0;

  try {
    if (!ui.stream?.getAudioTracks().length) throw Object.assign(new Error('no microphone'), { code: ui.audioError?.code || 'no_microphone' });
    recorder = new VoiceRecorder(ui.stream);
  } catch (error) {
    record.disabled = true;
    status.textContent = messageOf(error);
    fallback.open = true;
  }

  async function play(url) {
    if (!url) return;
    try {
      const next = await blobUrl(url, { signal: ui.signal });
      if (playing) URL.revokeObjectURL(playing);
      playing = next;
      player.src = next;
      await player.play().catch(() => {}); // autoplay may be refused: the controls remain
    } catch (error) {
      if (error?.name !== 'AbortError') status.textContent = messageOf({ code: 'playback_failed' });
    }
  }

  function pressed(on) {
    record.setAttribute('aria-pressed', on ? 'true' : 'false');
    record.textContent = on ? 'Stop and send' : 'Record your answer';
    record.classList.toggle('recording', on);
  }

  async function deliver() {
    record.disabled = true;
    retry.hidden = true;
    clearError();
    try {
      const reply = await ui.busy(() => send(pending), 'Sending your recording…');
      pending = null;
      status.textContent = 'Answer sent.';
      await play(reply.ai_audio_url || reply.audio_url);
    } catch (error) {
      showError(error);
      if (error.code === 'speech_unavailable') fallback.open = true;
      const sendable = !['invalid_audio', 'payload_too_large', 'unsupported_media_type', 'interview_not_active'].includes(error.code);
      if (sendable) retry.hidden = false;
      else pending = null;
      status.textContent = sendable
        ? 'Your recording is kept: send it again, or record a new one.'
        : 'Please record your answer again.';
    } finally {
      record.disabled = ui.finished || !recorder;
    }
  }

  record.addEventListener('click', async () => {
    if (!recorder || record.disabled) return;
    if (recorder.recording) {
      clearInterval(timer);
      pressed(false);
      try {
        pending = await recorder.stop();
      } catch (error) {
        showError(error);
        return;
      }
      await deliver();
      return;
    }
    clearError();
    player.pause();
    pending = null;
    retry.hidden = true;
    recorder.start();
    started = Date.now();
    pressed(true);
    status.textContent = 'Recording… 0 s';
    timer = setInterval(() => {
      status.textContent = `Recording… ${Math.round((Date.now() - started) / 1000)} s`;
    }, 1000);
  });
  retry.addEventListener('click', () => {
    if (pending) deliver();
  });

  play(ui.questionAudio);

  return {
    element: h('div', { class: 'controls', 'data-mode': 'voice' },
      h('div', { class: 'row' }, record, retry),
      status,
      h('div', { class: 'player' }, h('span', { class: 'label' }, 'Interviewer: '), player),
      fallback),
    focus: () => record.focus(),
    stop() {
      clearInterval(timer);
      recorder?.cancel();
      record.disabled = true;
      player.pause();
      if (playing) URL.revokeObjectURL(playing);
      playing = null;
    },
  };
}
