// #/interview/{id}/check: the microphone level meter, the camera preview and the video consent.
// Continuing stores the check (POST tech-check) and the consent decision (POST consent).

import { get, post } from '../api.js';
import { h } from '../dom.js';
import { handleSubmit, messageOf, showError } from '../errors.js';
import { closeMedia, describe, levelMeter, openMedia } from '../media.js';
import { navigate } from '../router.js';
import { interviewInfo } from '../session.js';
import { uiMode } from './start.js';

export default async function render({ params, signal, onCleanup }) {
  const { id } = params;
  const interview = await get(`interviews/${id}`, { signal });
  if (interview.status === 'completed' || interview.status === 'abandoned') {
    navigate(`/results/${id}`, { replace: true });
    return h('section', { 'data-page': 'tech-check' });
  }
  const mode = interviewInfo(id).mode || uiMode(interview.mode);
  const needsMicrophone = mode !== 'text';

  const meter = h('meter', { id: 'mic-level', min: '0', max: '1', low: '0.1', high: '0.7', optimum: '0.4', value: '0' }, '0%');
  const micStatus = h('p', { id: 'mic-status', class: 'hint', 'aria-live': 'polite' }, 'Asking for the microphone…');
  const preview = h('video', { id: 'camera-preview', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Camera preview' });
  preview.muted = true;
  const cameraStatus = h('p', { id: 'camera-status', class: 'hint', 'aria-live': 'polite' }, 'Asking for the camera…');
  const consent = h('input', { id: 'consent-checkbox', type: 'checkbox', name: 'video_recording_consent' });
  if (interview.video_recording_consent) consent.checked = true;
  const next = h('button', { id: 'tech-check-continue', type: 'submit' }, 'Continue to the interview');

  let heard = 0;
  let stream = null;
  let stopMeter = () => {};
  onCleanup(() => {
    stopMeter();
    closeMedia(stream);
  });

  const media = await openMedia({ audio: true, video: true });
  stream = media.stream;
  if (signal.aborted) closeMedia(stream);
  const hasAudio = Boolean(stream?.getAudioTracks().length);
  const hasVideo = Boolean(stream?.getVideoTracks().length);
  if (hasAudio) {
    micStatus.textContent = 'Say something: the bar should move while you speak.';
    try {
      stopMeter = levelMeter(stream, meter, (level) => {
        heard = Math.max(heard, level);
        if (level > 0.05) micStatus.textContent = 'The microphone works.';
      }, () => {
        micStatus.textContent = 'Click anywhere on the page (or press a key) to start the level meter, then say something.';
      });
    } catch (error) {
      micStatus.textContent = messageOf(error);
    }
  } else {
    micStatus.textContent = messageOf(media.audioError);
    if (needsMicrophone) showError(media.audioError);
  }
  if (hasVideo) {
    preview.srcObject = new MediaStream(stream.getVideoTracks());
    preview.play().catch(() => {});
    cameraStatus.textContent = 'You should see yourself. Video is recorded only if you agree below.';
  } else {
    cameraStatus.textContent = `${messageOf(media.videoError)} The interview works without video.`;
    consent.checked = false;
    consent.disabled = true;
  }

  const form = h('form', { class: 'card', novalidate: true },
    h('fieldset', {},
      h('legend', {}, 'Microphone'),
      h('div', { class: 'field' }, h('label', { for: 'mic-level' }, 'Microphone level'), meter, micStatus)),
    h('fieldset', {},
      h('legend', {}, 'Camera'),
      preview,
      cameraStatus),
    h('fieldset', {},
      h('legend', {}, 'Video recording'),
      h('div', { class: 'check' },
        consent,
        h('label', { for: 'consent-checkbox' },
          'I agree that video of me is recorded during this interview and kept for the recruiters who review it. I can withdraw by unticking this before I continue.'))),
    next);

  handleSubmit(form, next, async () => {
    const devices = describe(stream);
    await post(`interviews/${id}/tech-check`, {
      audio_test_passed: hasAudio,
      camera_test_passed: hasVideo,
      audio_metadata: devices.audio ? { ...devices.audio, level: Number(heard.toFixed(3)), duration: 0 } : null,
      camera_metadata: devices.video,
      browser_info: {
        user_agent: navigator.userAgent.slice(0, 300),
        language: navigator.language,
        mode,
      },
    });
    await post(`interviews/${id}/consent`, { video_recording_consent: consent.checked && hasVideo });
    navigate(`/interview/${id}`);
  });

  return h('section', { 'data-page': 'tech-check' },
    h('h1', {}, 'Check your microphone and camera'),
    h('p', {}, needsMicrophone
      ? 'You will answer by voice: make sure the level bar moves when you speak.'
      : 'You will answer by typing; the microphone is only checked.'),
    form);
}
