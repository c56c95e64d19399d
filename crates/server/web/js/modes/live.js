// Live voice over the realtime WebSocket. Push-to-talk: hold #ptt-button (or the space bar) to
// stream the microphone as PCM16 24 kHz `audio_chunk` frames; release to send `audio_commit`.
// The interviewer's `ai_audio_chunk` audio is played gap-free by the playback worklet; pressing
// talk while it speaks flushes it and sends `interrupt` with how much was heard (barge-in).
// Stored messages (`transcript`) join the transcript; `transcript_delta` is the live caption.

import { candidate } from '../session.js';
import { h } from '../dom.js';
import { notify, showError } from '../errors.js';
import { audioContext, running } from '../media.js';
import { encodePcm16 } from '../pcm.js';
import { Playback } from '../playback.js';
import { RealtimeClient } from '../realtime.js';
import { MicCapture } from '../recorder.js';
import { answerer } from './answer.js';
import { textForm } from './text.js';

const STATUS_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost: reconnecting…',
  closed: 'Disconnected',
};

function typingTarget(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export default function mount(ui) {
  const status = h('p', { id: 'connection-status', 'data-status': 'connecting', role: 'status' }, STATUS_TEXT.connecting);
  const ptt = h('button', { id: 'ptt-button', type: 'button', class: 'big', 'aria-pressed': 'false', disabled: true,
    'aria-describedby': 'ptt-hint' }, 'Hold to talk');
  const hint = h('p', { id: 'ptt-hint', class: 'hint' },
    'Hold the button or the space bar while you speak, and release when you are done. Enter toggles talking. Speaking while the interviewer talks interrupts it.');
  const level = h('meter', { id: 'talk-level', min: '0', max: '1', value: '0', 'aria-label': 'Your microphone level' });
  const caption = h('p', { id: 'live-caption', class: 'caption', 'aria-live': 'off' });
  const enableAudio = h('button', { id: 'enable-audio', type: 'button', class: 'secondary', hidden: true }, 'Turn on sound');
  const reconnect = h('button', { id: 'reconnect-button', type: 'button', class: 'secondary', hidden: true }, 'Connect again');
  const fallback = h('div', { id: 'text-fallback', hidden: true },
    h('p', {}, 'Live voice is not available: type your answers instead.'),
    textForm(ui, answerer(ui)));

  let context = null;
  let playback = null;
  let capture = null;
  let client = null;
  let talking = false;
  let sentThisTurn = 0;
  let captionDone = true;
  let stopped = false;

  function setStatus(value, text = STATUS_TEXT[value]) {
    status.dataset.status = value;
    status.textContent = text;
    ptt.disabled = value !== 'connected' || !capture;
    if (value !== 'connected' && talking) release();
  }

  async function setUpAudio() {
    context = audioContext();
    playback = await Playback.create(context);
    playback.onSpeaking = (speaking) => ptt.classList.toggle('ai-speaking', speaking);
    if (ui.stream?.getAudioTracks().length) {
      capture = await MicCapture.create(context, new MediaStream(ui.stream.getAudioTracks()));
      capture.onChunk = (pcm) => {
        if (!client?.send({ type: 'audio_chunk', audio: encodePcm16(pcm), timestamp: Date.now() })) return;
        sentThisTurn += 1;
        window.__micStats.chunksSent += 1;
        window.__micStats.samplesSent += pcm.length;
      };
      capture.onLevel = (rms) => {
        level.value = Math.min(1, rms * 4);
      };
    } else {
      showError(ui.audioError || { code: 'no_microphone' });
    }
    // never wait on a resume: it settles only after a click where autoplay is blocked
    enableAudio.hidden = await running(context);
    context.addEventListener('statechange', () => {
      enableAudio.hidden = context.state === 'running';
    });
  }

  /** Resolves when the interviewer has finished speaking, or after `limitMs`. */
  function playedOut(limitMs) {
    return new Promise((resolve) => {
      if (!playback?.speaking) return resolve();
      const timer = setTimeout(resolve, limitMs);
      playback.onDrained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  function press() {
    if (talking) return;
    if (ptt.disabled || !client?.connected) {
      notify(capture ? 'Not connected: wait until the status says "Connected", then talk.' : '');
      return;
    }
    context.resume().catch(() => {});
    enableAudio.hidden = true;
    if (playback.speaking) {
      const playedMs = playback.flush();
      client.send({ type: 'interrupt', played_ms: playedMs });
      caption.textContent = '';
      captionDone = true;
    }
    talking = true;
    sentThisTurn = 0;
    capture.start();
    ptt.setAttribute('aria-pressed', 'true');
    ptt.textContent = 'Listening… release to send';
  }

  async function release() {
    if (!talking) return;
    talking = false;
    ptt.setAttribute('aria-pressed', 'false');
    ptt.textContent = 'Hold to talk';
    level.value = 0;
    await capture.stop(); // the turn's last chunk has been sent when this resolves
    if (sentThisTurn > 0) client?.send({ type: 'audio_commit' });
  }

  function frame(message) {
    switch (message.type) {
      case 'connected':
        if (message.resumed) {
          playback.flush();
          notify('Reconnected: the interviewer repeats the open question.');
          ui.syncTranscript();
        }
        break;
      case 'ai_audio_chunk':
        if (message.audio) playback.enqueue(message.audio);
        else window.__audioStats.chunksReceived += 1;
        if (message.is_final) {
          playback.end();
          captionDone = true;
        }
        break;
      case 'transcript_delta':
        if (captionDone) caption.textContent = '';
        captionDone = false;
        caption.textContent += message.text;
        break;
      case 'transcript':
        ui.addMessage({ role: message.role, text: message.text, id: message.message_id });
        if (message.role === 'assistant') {
          ui.setQuestion(message.text, null);
          ui.refresh();
        }
        break;
      case 'interview_complete':
        setStatus('closed', 'The interview is complete.');
        // let the closing remark play out before leaving the page
        playedOut(15000).then(() => ui.finish(message.reason));
        break;
      case 'error':
        realtimeError(message);
        break;
      default:
        break;
    }
  }

  function realtimeError(message) {
    const error = { code: message.error, message: message.message };
    showError(error);
    if (message.error === 'REALTIME_UNAVAILABLE') {
      fallback.hidden = false;
      ptt.hidden = true;
      hint.hidden = true;
    } else if (message.error === 'AUTHENTICATION_FAILED') {
      ui.signInAgain();
    } else if (message.error === 'INTERVIEW_NOT_ACTIVE') {
      ui.refresh();
    } else if (message.error === 'SESSION_REPLACED') {
      reconnect.hidden = false;
    }
  }

  function statusChange(value, detail) {
    if (stopped) return;
    let text = STATUS_TEXT[value];
    if (value === 'reconnecting' && detail.delayMs) {
      text = `Connection lost: reconnecting in ${Math.ceil(detail.delayMs / 1000)} s (attempt ${detail.attempt})…`;
    }
    if (value === 'closed' && detail.gaveUp) {
      text = 'Disconnected: the connection could not be restored.';
      showError({ code: 'network_error' });
      reconnect.hidden = false;
    }
    setStatus(value, text);
    if (value === 'connected') reconnect.hidden = true;
  }

  // push-to-talk: pointer on the button, the space bar anywhere but in a text field
  ptt.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    ptt.setPointerCapture?.(event.pointerId);
    press();
  });
  for (const name of ['pointerup', 'pointercancel', 'lostpointercapture']) ptt.addEventListener(name, () => release());
  ptt.addEventListener('contextmenu', (event) => event.preventDefault());
  ptt.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.repeat) return;
    event.preventDefault();
    if (talking) release();
    else press();
  });
  const keydown = (event) => {
    if (event.code !== 'Space' || typingTarget(event.target)) return;
    if (event.target instanceof HTMLButtonElement && event.target !== ptt) return;
    event.preventDefault();
    if (!event.repeat) press();
  };
  const keyup = (event) => {
    if (event.code !== 'Space' || typingTarget(event.target)) return;
    if (event.target instanceof HTMLButtonElement && event.target !== ptt) return;
    event.preventDefault();
    release();
  };
  const blur = () => release();
  document.addEventListener('keydown', keydown);
  document.addEventListener('keyup', keyup);
  window.addEventListener('blur', blur);
  enableAudio.addEventListener('click', () => {
    context?.resume().then(() => {
      enableAudio.hidden = context.state === 'running';
    });
  });
  reconnect.addEventListener('click', () => {
    reconnect.hidden = true;
    client.attempt = 0;
    client.open();
  });

  setUpAudio()
    .catch((error) => {
      showError(error);
      fallback.hidden = false;
    })
    .finally(() => {
      if (stopped) return;
      if (!capture) {
        // no microphone: typed answers instead, without a live session speaking past them
        setStatus('closed', 'No microphone: answer by typing below.');
        fallback.hidden = false;
        ptt.hidden = true;
        hint.hidden = true;
        return;
      }
      client = new RealtimeClient({
        interviewId: ui.id,
        token: () => candidate()?.token,
        onFrame: frame,
        onStatus: statusChange,
      });
      client.open();
    });

  return {
    element: h('div', { class: 'controls', 'data-mode': 'realtime' },
      status,
      h('div', { class: 'row' }, ptt, enableAudio, reconnect),
      hint,
      level,
      h('div', { class: 'caption-box' }, h('span', { class: 'label' }, 'Interviewer (live): '), caption),
      fallback),
    focus: () => ptt.focus(),
    stop() {
      stopped = true;
      document.removeEventListener('keydown', keydown);
      document.removeEventListener('keyup', keyup);
      window.removeEventListener('blur', blur);
      talking = false;
      client?.close();
      capture?.close();
      playback?.close();
      context?.close().catch(() => {});
      ptt.disabled = true;
      setStatus('closed');
    },
  };
}
