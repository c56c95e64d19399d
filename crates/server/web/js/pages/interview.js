// #/interview/{id}: the interview. The page holds what every mode shares (the current question,
// progress, transcript, video recording, browser events, Finish) and mounts the mode's controls:
// modes/live.js (realtime), modes/voice.js (recorded voice) or modes/text.js.

import { get, post, query } from '../api.js';
import { h, words } from '../dom.js';
import { carryError, messageOf, showError } from '../errors.js';
import { closeMedia, openMedia } from '../media.js';
import { navigate } from '../router.js';
import { interviewInfo, rememberInterview, signOut } from '../session.js';
import { VideoRecorder } from '../video.js';
import { uiMode } from './start.js';

/** The server's default `interview.max_questions`, until an answer says how many to expect. */
const DEFAULT_TOTAL = 12;
const MODES = {
  realtime: () => import('../modes/live.js'),
  voice: () => import('../modes/voice.js'),
  text: () => import('../modes/text.js'),
};
const ROLE_LABEL = { assistant: 'Interviewer', user: 'You' };

export default async function render({ params, signal, onCleanup }) {
  const { id } = params;
  const [interview, status, page] = await Promise.all([
    get(`interviews/${id}`, { signal }),
    get(`interviews/${id}/status`, { signal }),
    get(`interviews/${id}/messages${query({ limit: 200 })}`, { signal }),
  ]);
  if (status.status === 'completed' || status.status === 'abandoned') {
    navigate(`/results/${id}`, { replace: true });
    return h('section', { 'data-page': 'interview' });
  }
  const info = interviewInfo(id);
  const mode = info.mode || uiMode(interview.mode);

  const question = h('p', { id: 'question', class: 'question', 'aria-live': 'polite' });
  const progress = h('p', { id: 'progress', class: 'progress-text' });
  const bar = h('progress', { id: 'progress-bar', max: String(DEFAULT_TOTAL), value: '0', 'aria-labelledby': 'progress' });
  const transcript = h('ol', { id: 'transcript', class: 'transcript', 'aria-live': 'polite', 'aria-label': 'Transcript' });
  const busy = h('p', { id: 'busy', class: 'busy', role: 'status', hidden: true }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { class: 'busy-text' }, 'Working…'));
  const complete = h('button', { id: 'complete-button', type: 'button', class: 'secondary' }, 'Finish the interview');
  const videoNote = h('p', { id: 'video-status', class: 'hint', 'aria-live': 'polite' });

  const seenIds = new Set();
  const seenSequences = new Set();
  let busyCount = 0;
  let controls = null;
  let video = null;
  let stream = null;
  let events = [];
  let eventTimer = null;

  const ui = {
    id,
    signal,
    mode,
    sequence: status.last_question?.sequence_number ?? null,
    totalQuestions: info.total_questions || DEFAULT_TOTAL,
    questionAudio: status.last_question?.audio_url ?? null,
    stream: null,
    audioError: null,
    finished: false,

    setQuestion(text, sequence) {
      question.textContent = text;
      if (sequence) ui.sequence = sequence;
    },

    setProgress(session, number) {
      if (!session) return;
      const n = number || session.questions_asked_count || 1;
      const m = Math.max(ui.totalQuestions, n);
      progress.textContent = `Question ${n} of about ${m} · ${words(session.current_difficulty)}`;
      progress.dataset.question = String(n);
      progress.dataset.level = session.current_difficulty;
      bar.max = m;
      bar.value = n;
      rememberInterview(id, { total_questions: ui.totalQuestions });
    },

    /** Adds a stored message once (by id or sequence number). */
    addMessage({ role, text, id: messageId, sequence }) {
      if ((messageId && seenIds.has(messageId)) || (sequence && seenSequences.has(sequence))) return;
      if (messageId) seenIds.add(messageId);
      if (sequence) seenSequences.add(sequence);
      const item = h('li', { 'data-role': role, 'data-message-id': messageId, 'data-sequence': sequence },
        h('span', { class: 'speaker' }, `${ROLE_LABEL[role] || role}: `),
        h('span', { class: 'text' }, text));
      transcript.append(item);
      item.scrollIntoView?.({ block: 'nearest' });
    },

    /** Missed messages (after a reconnect) from the API. */
    async syncTranscript() {
      try {
        const latest = await get(`interviews/${id}/messages${query({ limit: 200 })}`, { signal });
        for (const message of latest.messages) addStored(message);
      } catch (error) {
        if (error?.name !== 'AbortError') console.warn('[interview] transcript', error);
      }
    },

    /** The question and progress as the API has them; leaves for the results when it is over. */
    async refresh() {
      try {
        const now = await get(`interviews/${id}/status`, { signal });
        if (now.status === 'completed' || now.status === 'abandoned') {
          ui.finish(now.completion_reason);
          return;
        }
        if (now.last_question) ui.setQuestion(now.last_question.content_text, now.last_question.sequence_number);
        ui.setProgress(now.session_state);
      } catch (error) {
        if (error?.name !== 'AbortError') showError(error);
      }
    },

    /** Runs `task` with #busy shown (saying `label`). */
    async busy(task, label = 'Working…') {
      busyCount += 1;
      busy.querySelector('.busy-text').textContent = label;
      busy.hidden = false;
      try {
        return await task();
      } finally {
        busyCount -= 1;
        if (busyCount === 0) busy.hidden = true;
      }
    },

    /** A browser event for the integrity signals. */
    event(type) {
      if (ui.finished) return;
      events.push({ type, timestamp: Date.now(), count: 1 });
    },

    signInAgain() {
      signOut('candidate');
      carryError({ code: 'unauthorized' });
      navigate(`/login?next=${encodeURIComponent(`/interview/${id}`)}`);
    },

    /** The interview is over: stop the mode, upload the rest of the video, show the results. */
    async finish() {
      if (ui.finished) return;
      ui.finished = true;
      complete.disabled = true;
      controls?.stop();
      await ui.busy(async () => {
        await flushEvents();
        if (video) {
          videoNote.textContent = 'Saving the video…';
          await video.finish();
        }
      }, 'Saving…');
      closeMedia(stream);
      if (signal.aborted) return;
      navigate(`/results/${id}`);
    },
  };

  function addStored(message) {
    const role = message.message_type === 'candidate_response' ? 'user' : 'assistant';
    ui.addMessage({ role, text: message.content_text, id: message.id, sequence: message.sequence_number });
  }

  async function flushEvents() {
    if (!events.length) return;
    const batch = events.splice(0, 100);
    try {
      await post(`interviews/${id}/events`, { events: batch });
    } catch (error) {
      if (error?.code !== 'interview_not_active') console.warn('[interview] events', error);
    }
  }

  for (const message of page.messages) addStored(message);
  if (status.last_question) ui.setQuestion(status.last_question.content_text, status.last_question.sequence_number);
  ui.setProgress(status.session_state);

  complete.addEventListener('click', async () => {
    complete.disabled = true;
    try {
      await ui.busy(() => post(`interviews/${id}/complete`), 'Finishing…');
      await ui.finish();
    } catch (error) {
      showError(error);
      if (error.code === 'interview_not_active') await ui.finish();
      else complete.disabled = false;
    }
  });

  const visibility = () => {
    if (document.visibilityState === 'hidden') ui.event('tab_hidden');
  };
  const blurred = () => ui.event('focus_lost');
  document.addEventListener('visibilitychange', visibility);
  window.addEventListener('blur', blurred);
  eventTimer = setInterval(flushEvents, 15000);

  onCleanup(() => {
    clearInterval(eventTimer);
    document.removeEventListener('visibilitychange', visibility);
    window.removeEventListener('blur', blurred);
    if (!ui.finished) {
      controls?.stop();
      video?.abandon();
      flushEvents();
    }
    closeMedia(stream);
  });

  // devices: the microphone for voice, the camera when the candidate agreed to be filmed
  const wantsVideo = Boolean(interview.video_recording_consent) && typeof MediaRecorder !== 'undefined';
  const media = await openMedia({ audio: mode !== 'text' || wantsVideo, video: wantsVideo });
  stream = media.stream;
  ui.stream = stream;
  ui.audioError = media.audioError;
  if (signal.aborted) {
    closeMedia(stream);
    return h('section', { 'data-page': 'interview' });
  }
  if (wantsVideo && stream?.getVideoTracks().length) {
    try {
      video = new VideoRecorder({
        interviewId: id,
        stream,
        onProblem: (error) => {
          videoNote.textContent = `Video: ${messageOf(error)}`;
        },
      });
      const recording = await video.start();
      videoNote.textContent = recording ? 'Video is being recorded (you agreed to it).' : '';
      if (!recording) video = null;
    } catch (error) {
      video = null;
      videoNote.textContent = 'Video cannot be recorded in this browser; the interview goes on without it.';
    }
  } else if (wantsVideo) {
    videoNote.textContent = 'No camera: the interview goes on without video.';
  }

  const module = await MODES[mode]();
  controls = module.default(ui);

  const root = h('section', { 'data-page': 'interview', 'data-mode': mode, 'data-interview-id': id },
    h('h1', {}, `Interview: ${words(interview.role_type)}`),
    h('div', { class: 'progress-box' }, progress, bar),
    h('div', { class: 'card question-card' }, h('h2', { class: 'label' }, 'Current question'), question),
    controls.element,
    busy,
    h('div', { class: 'row end' }, videoNote, complete),
    h('h2', {}, 'Transcript'),
    transcript);
  return root;
}
