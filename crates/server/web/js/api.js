// The HTTP side of the API: JSON and multipart requests with the right bearer token, the API's
// error body turned into an ApiError (code, message, details, Retry-After, request id), and
// media the API serves only with a token fetched into blob: URLs for <audio> and <video>.

import { token } from './session.js';

export const API = '/api/v1';

/** An error the API (or the network) gave: `code` is the API's stable code. */
export class ApiError extends Error {
  constructor({ status = 0, code = 'unknown_error', message = '', details = null, retryAfter = null, requestId = null }) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }

  /** Worth retrying as it is: the network, a 5xx, or a 429 (after Retry-After). */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

let unauthorizedHandler = () => {};

/** Called with (audience, error) when a request made with a token gets 401: the token is gone. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** Seconds from a Retry-After header (delta seconds or an HTTP date), or null. */
function retryAfterSeconds(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

const STATUS_CODES = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
  405: 'method_not_allowed', 409: 'conflict', 413: 'payload_too_large',
  415: 'unsupported_media_type', 422: 'validation_failed', 429: 'rate_limited',
  500: 'internal_error', 502: 'bad_gateway', 503: 'service_unavailable', 504: 'gateway_timeout',
};

/** The ApiError of a failed response, from the API's body `{error: {code, message, …}}`. */
async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = body?.error && typeof body.error === 'object' ? body.error : {};
  const detail = typeof body?.detail === 'string' ? body.detail : null;
  return new ApiError({
    status: response.status,
    code: error.code || STATUS_CODES[response.status] || (response.status >= 500 ? 'service_unavailable' : 'request_refused'),
    message: error.message || detail || '',
    details: error.details ?? null,
    retryAfter: retryAfterSeconds(response.headers.get('Retry-After')),
    requestId: error.request_id || response.headers.get('X-Request-Id'),
  });
}

/**
 * One request. `auth` is 'candidate', 'recruiter' or null; `json` a body to send as JSON, `form`
 * a FormData; `headers` extra headers (Idempotency-Key). Resolves to {status, data, headers};
 * rejects with an ApiError (code `network_error` when the server was not reached).
 */
export async function request(path, { method, json, form, auth = 'candidate', headers = {}, signal, as = 'json' } = {}) {
  const init = { method: method || (json || form ? 'POST' : 'GET'), headers: { Accept: 'application/json', ...headers }, signal };
  const bearer = auth ? token(auth) : null;
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form; // the browser writes the multipart boundary
  }
  let response;
  try {
    response = await fetch(path.startsWith('/') ? path : `${API}/${path}`, init);
  } catch (cause) {
    if (cause?.name === 'AbortError') throw cause;
    throw new ApiError({ status: 0, code: 'network_error', message: String(cause?.message || cause) });
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && bearer) unauthorizedHandler(auth, error);
    throw error;
  }
  let data = null;
  if (as === 'blob') data = await response.blob();
  else if (response.status !== 204) {
    const text = await response.text();
    data = text ? JSON.parse(text) : null;
  }
  return { status: response.status, data, headers: response.headers };
}

/** GET, resolving to the body. */
export async function get(path, options = {}) {
  return (await request(path, options)).data;
}

/** POST with a JSON body, resolving to the body. */
export async function post(path, json = {}, options = {}) {
  return (await request(path, { ...options, method: 'POST', json })).data;
}

/**
 * Media the API serves only with a token (message audio, recordings): fetched with the
 * Authorization header into a blob: URL. The caller revokes it (URL.revokeObjectURL) when done.
 */
export async function blobUrl(path, { auth = 'candidate', signal } = {}) {
  const { data } = await request(path, { auth, signal, as: 'blob', headers: { Accept: '*/*' } });
  return URL.createObjectURL(data);
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
