// #/recruiter/interviews/{id}: one interview for its organization's recruiters: summary,
// transcript with each message's audio, the video recording, the assessment (recruiter-
// assessment.js) and the hiring decision. Audio and video need the recruiter's token, so they are
// fetched into blob: URLs (revoked when the page is left). Viewers read only: regenerate and
// decide are disabled for them, and a 403 says why.

import { blobUrl, get, post } from '../api.js';
import { field, h, select, when, words } from '../dom.js';
import { clearError, messageOf, notify, showError } from '../errors.js';
import { recruiter, updateRecruiterRole } from '../session.js';
import { uiMode } from './start.js';
import { assessmentSection } from './recruiter-assessment.js';

/** Above this the recording is loaded only when asked (it is held in memory as a blob). */
const AUTO_VIDEO_BYTES = 64 * 1024 * 1024;
const ROLE_LABEL = { ai_question: 'Interviewer', candidate_response: 'Candidate' };

function decisionText(decision, forJob) {
  if (!decision) return 'No decision yet.';
  const note = decision.note ? ` Note: ${decision.note}` : '';
  const application = forJob ? ` (application ${words(decision.application_status)})` : '';
  return `Decision: ${words(decision.decision)}${application}, ${when(decision.decided_at)}.${note}`;
}

/** Loads `jobs` (functions returning promises) two at a time. */
async function twoAtATime(jobs) {
  const queue = [...jobs];
  const worker = async () => {
    while (queue.length) await queue.shift()();
  };
  await Promise.all([worker(), worker()]);
}

export default async function render({ params, signal, onCleanup }) {
  const { id } = params;
  const me = await get('recruiter/auth/me', { auth: 'recruiter', signal }).catch(() => null);
  if (me?.role) updateRecruiterRole(me.role);
  const role = me?.role || recruiter()?.role;
  const viewer = role === 'viewer';
  const detail = await get(`recruiter/interviews/${id}`, { auth: 'recruiter', signal });
  const { interview, costs, decision, integrity_events: events, session_state: session } = detail;

  const urls = [];
  onCleanup(() => urls.forEach((url) => URL.revokeObjectURL(url)));

  // transcript, with each message's audio
  const audioJobs = [];
  const transcript = h('ol', { id: 'transcript', class: 'transcript' }, detail.transcript.map((message) => {
    const role = message.message_type === 'candidate_response' ? 'user' : 'assistant';
    const item = h('li', { 'data-role': role, 'data-sequence': message.sequence_number, 'data-message-id': message.id },
      h('span', { class: 'speaker' }, `${ROLE_LABEL[message.message_type] || 'Interviewer'} (#${message.sequence_number}): `),
      h('span', { class: 'text' }, message.content_text));
    if (message.audio_url) {
      const player = h('audio', { controls: true, preload: 'none', 'aria-label': `Audio of message ${message.sequence_number}` });
      item.append(h('div', { class: 'player' }, player));
      audioJobs.push(async () => {
        try {
          const url = await blobUrl(message.audio_url, { auth: 'recruiter', signal });
          urls.push(url);
          player.src = url;
        } catch (error) {
          if (error?.name !== 'AbortError') item.append(h('p', { class: 'hint' }, `Audio: ${messageOf(error)}`));
        }
      });
    }
    return item;
  }));
  twoAtATime(audioJobs);

  // the recording
  const video = h('video', { id: 'recording', controls: true, preload: 'metadata', playsinline: true, 'aria-label': 'Video recording of the interview' });
  const videoNote = h('p', { id: 'recording-status', class: 'hint', 'aria-live': 'polite' }, 'Looking for a recording…');
  // MediaRecorder's WebM has no duration in its header: seeking far ahead makes the browser find
  // it, so the player can show and seek the whole recording
  video.addEventListener('loadedmetadata', () => {
    if (video.duration !== Infinity) return;
    video.addEventListener('durationchange', () => {
      video.currentTime = 0;
    }, { once: true });
    video.currentTime = Number.MAX_SAFE_INTEGER;
  });
  const loadVideo = h('button', { id: 'load-recording', type: 'button', class: 'secondary', hidden: true }, 'Load the recording');
  async function fetchVideo(url) {
    loadVideo.hidden = true;
    videoNote.textContent = 'Loading the recording…';
    try {
      const blob = await blobUrl(url, { auth: 'recruiter', signal });
      urls.push(blob);
      video.src = blob;
      videoNote.textContent = '';
    } catch (error) {
      if (error?.name !== 'AbortError') videoNote.textContent = messageOf(error);
    }
  }
  get(`videos/${id}`, { auth: 'recruiter', signal }).then((recording) => {
    if (!recording.video_recording_url) {
      videoNote.textContent = recording.deleted_at
        ? `The recording was deleted (${words(recording.deletion_reason || 'deleted')}).`
        : 'The recording is not finished yet.';
      return;
    }
    const megabytes = (recording.file_size_bytes / 1048576).toFixed(1);
    if (recording.file_size_bytes <= AUTO_VIDEO_BYTES) {
      fetchVideo(recording.video_recording_url);
    } else {
      videoNote.textContent = `The recording is ${megabytes} MB.`;
      loadVideo.hidden = false;
      loadVideo.addEventListener('click', () => fetchVideo(recording.video_recording_url), { once: true });
    }
  }).catch((error) => {
    if (error?.name === 'AbortError') return;
    videoNote.textContent = error.code === 'not_found' ? 'No video was recorded (no consent, or no camera).' : messageOf(error);
  });

  // the decision
  const decisionStatus = h('p', { id: 'decision-status', role: 'status' }, decisionText(decision, Boolean(interview.job_posting_id)));
  const choice = select({ id: 'decision-select', name: 'decision' },
    [['advance', 'Advance'], ['hold', 'Hold'], ['reject', 'Reject']], decision?.decision || 'advance');
  const notes = h('textarea', { id: 'decision-notes', name: 'note', rows: '3', maxlength: '2000' });
  const submit = h('button', { id: 'decision-submit', type: 'submit' }, 'Record the decision');
  const decisionForm = h('form', { id: 'decision-form', novalidate: true },
    field('Decision', choice, { fieldName: 'decision' }),
    field('Notes (optional)', notes, { fieldName: 'note' }),
    submit);
  const decisionNote = h('p', { id: 'decision-note', class: 'hint' });
  let locked = viewer;
  if (viewer) {
    for (const control of [choice, notes, submit]) control.disabled = true;
    decisionNote.textContent = 'Viewers can read decisions; recording one needs a recruiter or admin.';
  }
  if (interview.status === 'in_progress' || interview.status === 'scheduled') {
    submit.disabled = true;
    decisionNote.textContent = 'The interview is still in progress: decide once it is finished.';
  }
  decisionForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(decisionForm);
    submit.disabled = true;
    try {
      const recorded = await post(`recruiter/interviews/${id}/decision`,
        { decision: choice.value, note: notes.value.trim() || null }, { auth: 'recruiter' });
      decisionStatus.textContent = decisionText(recorded, Boolean(interview.job_posting_id));
      decisionStatus.dataset.decision = recorded.decision;
      notes.value = '';
      notify('The decision was recorded.');
    } catch (error) {
      const forbidden = error.code === 'forbidden';
      showError(error, { form: decisionForm, viewer: forbidden });
      if (forbidden) {
        locked = true;
        decisionNote.textContent = messageOf(error, { viewer: true });
      }
    } finally {
      submit.disabled = locked;
    }
  });
  if (decision) decisionStatus.dataset.decision = decision.decision;

  const summary = h('dl', { class: 'facts' },
    h('dt', {}, 'Status'), h('dd', { id: 'interview-status' }, words(interview.status)),
    h('dt', {}, 'Mode'), h('dd', {}, words(uiMode(interview.mode))),
    h('dt', {}, 'Started'), h('dd', {}, when(interview.started_at)),
    h('dt', {}, 'Duration'), h('dd', {}, interview.duration_seconds ? `${Math.round(interview.duration_seconds / 60)} min` : '—'),
    h('dt', {}, 'Level reached'), h('dd', {}, words(session.current_difficulty)),
    h('dt', {}, 'Questions'), h('dd', {}, String(session.questions_asked_count)),
    h('dt', {}, 'Cost'), h('dd', {}, `$${costs.total_usd}`),
    h('dt', {}, 'Candidate'), h('dd', { class: 'small' }, interview.candidate_id));

  const browserEvents = events?.length
    ? h('ul', { id: 'integrity-events' }, events.map((item) => h('li', {}, `${words(item.type)} × ${item.count} at ${when(item.timestamp)}`)))
    : h('p', { id: 'integrity-events', class: 'muted' }, 'The browser reported nothing unusual.');

  return h('section', { 'data-page': 'recruiter-interview', 'data-interview-id': id },
    h('p', {}, h('a', { href: '#/recruiter/interviews' }, '← All interviews')),
    h('h1', {}, `Interview: ${words(interview.role_type)}`),
    h('div', { class: 'card' }, summary),
    assessmentSection(id, { viewer, signal }),
    h('section', { class: 'card', id: 'decision' }, h('h2', {}, 'Decision'), decisionStatus, decisionForm, decisionNote),
    h('section', { class: 'card' }, h('h2', {}, 'Recording'), video, videoNote, loadVideo),
    h('section', { class: 'card' }, h('h2', {}, 'Transcript'), transcript),
    h('section', { class: 'card' }, h('h2', {}, 'Browser events'), browserEvents));
}
