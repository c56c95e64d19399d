// Every error code the API (HTTP and the realtime socket) and the browser can give, as a message a
// person understands and can act on. The page shows the last one in #form-error (role="alert",
// data-error-code = the code) and the per-field messages of a 422 next to their fields.

import { ApiError } from './api.js';

/** `{retry}` becomes " (try again in about N seconds)" when the server said when. */
const MESSAGES = {
  // the browser's own
  network_error: 'The server could not be reached. Check your connection and try again.',
  microphone_denied: 'The microphone is blocked. Allow microphone access in the browser (the icon in the address bar) and try again.',
  camera_denied: 'The camera is blocked. Allow camera access in the browser, or continue without video.',
  no_microphone: 'No microphone was found. Connect one, or answer by text.',
  media_unsupported: 'This browser cannot record audio here. Use a current Chrome or Firefox, or answer by text.',
  recording_failed: 'The recording could not be made. Please try again.',
  playback_failed: 'The interviewer\'s audio could not be played. The question is shown as text.',
  unknown_error: 'Something unexpected happened. Please try again.',

  // accounts and sessions
  validation_failed: 'Some fields need attention: see the messages next to them.',
  email_taken: 'An account with this email already exists. Sign in instead.',
  invalid_credentials: 'The email or password is not right.',
  account_locked: 'Too many failed sign-ins for this email. Please wait before trying again{retry}.',
  unauthorized: 'Your session has ended. Please sign in again.',
  forbidden: 'Your account is not allowed to do this.',
  rate_limited: 'Too many requests from this browser. Please slow down{retry}.',
  link_invalid: 'This link is invalid or has expired. Ask for a new one.',

  // requests
  bad_request: 'The request could not be understood. Reload the page and try again.',
  malformed_json: 'The request could not be understood. Reload the page and try again.',
  invalid_body: 'The form sent something the server did not expect. Reload the page and try again.',
  invalid_query: 'One of the filters is not valid. Check the values and try again.',
  malformed_multipart: 'The upload was damaged on the way. Please send it again.',
  not_found: 'This was not found. It may have been removed, or it belongs to another account.',
  method_not_allowed: 'This action is not available here.',
  payload_too_large: 'The file is too large to send.',
  unsupported_media_type: 'This kind of file is not accepted.',
  uri_too_long: 'The address is too long. Use fewer filters.',
  headers_too_large: 'The request was too large. Sign out and in again.',
  request_refused: 'The server refused the request.',
  range_not_satisfiable: 'The media could not be loaded. Reload the page.',

  // interviews
  conflict: 'Something changed meanwhile (perhaps in another tab). Reload the page and try again.',
  interview_not_active: 'This interview is no longer in progress.',
  interview_not_finished: 'The interview is still in progress; decide once it is finished.',
  already_applied: 'You have already applied to this job.',
  already_interviewed: 'An interview was already started for this job application.',
  budget_exhausted: 'This interview has used its whole budget and ends here.',
  speech_unavailable: 'Voice answers are not available on this server. Please answer by text.',
  realtime_unavailable: 'Live voice is not available on this server right now. Choose recorded voice or text.',
  transcription_unavailable: 'Your recording could not be transcribed just now. Nothing was saved: please send it again{retry}.',
  invalid_audio: 'The recording could not be read (it may be empty or too short). Please record again.',
  ai_unavailable: 'The AI interviewer is briefly unavailable. Nothing was saved: please try again{retry}.',
  ai_rate_limited: 'The AI interviewer is busy. Nothing was saved: please try again{retry}.',
  assessment_not_due: 'There is no assessment for this interview: it is not finished, or it ended before any answer.',

  // video
  consent_required: 'Video is only recorded with your consent; the interview goes on without it.',
  upload_closed: 'Video uploads for this interview are closed.',
  recording_closed: 'The video recording is already finished.',
  chunk_mismatch: 'A piece of the video was sent twice with different content; recording stopped.',
  missing_chunks: 'Some pieces of the video did not arrive; the recording may be incomplete.',
  storage_limit: 'The video recording reached its size limit; recording stopped.',

  // the candidate portal and recruiters
  resume_limit: 'You have reached the maximum number of resumes. Delete one first.',
  feedback_decided: 'This feedback was already approved or rejected.',
  admin_self_change: 'Admins cannot change their own role or deactivate themselves.',
  webhook_limit: 'The organization has reached its number of webhooks.',

  // the server
  storage_unavailable: 'Our storage is briefly unavailable. Please try again{retry}.',
  internal_error: 'Something went wrong on our side. Please try again; if it persists, quote reference {request}.',
  service_unavailable: 'The service is briefly unavailable. Please try again{retry}.',
  bad_gateway: 'The service is briefly unavailable. Please try again{retry}.',
  gateway_timeout: 'The server took too long to answer. Please try again.',

  // the realtime socket's codes (upper case in its frames)
  AUTHENTICATION_FAILED: 'Your session has ended. Please sign in again to continue the interview.',
  INTERVIEW_NOT_ACTIVE: 'This interview is no longer in progress.',
  REALTIME_UNAVAILABLE: 'Live voice is not available right now. Your interview is untouched: continue by typing your answers below.',
  BUDGET_EXHAUSTED: 'This interview has used its whole budget; the interviewer is wrapping up.',
  RATE_LIMIT_EXCEEDED: 'The interviewer is overloaded. Your answer was not saved: please answer again.',
  INVALID_MESSAGE: 'The browser sent something the server did not understand. If it happens again, reload the page.',
  UPSTREAM_ERROR: 'The voice service had a problem. Your answer was not saved: please answer again.',
  SESSION_REPLACED: 'This interview was opened in another tab or window, which has taken over.',
};

/** Messages for a role that may not do what it asked: recruiters' viewers. */
const FORBIDDEN_FOR_VIEWER = 'Your role (viewer) can only read: regenerating assessments, decisions and job postings need a recruiter or admin.';

function retryHint(seconds) {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 90) return ` (try again in about ${Math.max(1, seconds)} second${seconds === 1 ? '' : 's'})`;
  const minutes = Math.ceil(seconds / 60);
  return ` (try again in about ${minutes} minutes)`;
}

/** The human message of an error (ApiError, a realtime {code}, or anything thrown). */
export function messageOf(error, { viewer = false } = {}) {
  const code = codeOf(error);
  if (code === 'forbidden' && viewer) return FORBIDDEN_FOR_VIEWER;
  let template = MESSAGES[code];
  if (!template) {
    const status = error?.status ?? 0;
    if (error?.message && status && status < 500) template = `${capitalise(error.message)}.`;
    else if (status >= 500) template = MESSAGES.service_unavailable;
    else template = MESSAGES.unknown_error;
  }
  return template
    .replace('{retry}', retryHint(error?.retryAfter))
    .replace('{request}', error?.requestId || 'unknown');
}

function capitalise(text) {
  const trimmed = String(text).trim().replace(/\.$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/** The stable code of an error. */
export function codeOf(error) {
  if (error instanceof ApiError) return error.code;
  if (error && typeof error.code === 'string') return error.code;
  return 'unknown_error';
}

function banner() {
  return document.getElementById('form-error');
}

/** Shows `error` as the page's last error; also fills the fields of a 422 inside `form`. */
export function showError(error, { form = null, viewer = false } = {}) {
  if (error?.name === 'AbortError') return;
  const element = banner();
  if (!element) return;
  const code = codeOf(error);
  element.textContent = messageOf(error, { viewer });
  element.dataset.errorCode = code;
  element.hidden = false;
  if (form) showFieldErrors(form, error);
  if (!(error instanceof ApiError) || error.status >= 500 || error.status === 0) {
    console.warn('[interview]', code, error);
  }
}

/** Clears the page's error and every per-field message inside `form`. */
export function clearError(form = null) {
  const element = banner();
  if (element) {
    element.textContent = '';
    delete element.dataset.errorCode;
    element.hidden = true;
  }
  if (form) {
    for (const slot of form.querySelectorAll('[data-field-error]')) slot.textContent = '';
    for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  }
}

/** The 422 details `{fields: [{field, message}]}` next to their fields (data-field-error). */
export function showFieldErrors(form, error) {
  const fields = error?.details?.fields;
  if (!Array.isArray(fields)) return;
  let first = null;
  for (const { field, message } of fields) {
    const slot = form.querySelector(`[data-field-error="${CSS.escape(field)}"]`);
    if (!slot) continue;
    slot.textContent = sentence(message);
    const control = form.querySelector(`[aria-describedby~="${CSS.escape(slot.id)}"]`);
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      first ??= control;
    }
  }
  first?.focus();
}

function sentence(message) {
  const text = capitalise(message || 'is invalid');
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** A passing notice (role=status), such as "Decision recorded". */
export function notify(text) {
  const element = document.getElementById('notice');
  if (!element) return;
  element.textContent = text;
  element.hidden = !text;
}

let carried = null;

/** Keeps `error` to show on the next page (a redirect to sign-in after a 401, say). */
export function carryError(error) {
  carried = error;
}

/** Shows the error carried over from the previous page, if any. */
export function showCarriedError() {
  if (carried) showError(carried);
  carried = null;
}

/**
 * Runs `action` on each submit of `form`: the page's error cleared first, `button` disabled and
 * the form marked busy while it runs; a failure goes to `onError` (shown on the form by default).
 */
export function handleSubmit(form, button, action, onError = (error) => showError(error, { form })) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(form);
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await action();
    } catch (error) {
      onError(error);
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}
