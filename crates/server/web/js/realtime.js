// The realtime WebSocket (`/api/v1/interviews/{id}/realtime/connect?token=…`): JSON text frames,
// a keep-alive ping, and reconnecting with backoff after a drop (the server then sends
// `connected` with `resumed: true` and the interviewer repeats the open question).
//
// Status (`onStatus`): connecting → connected → reconnecting → connected … → closed. It stays
// closed after `interview_complete`, after a close the page asked for, and after the error codes
// that a new connection would only get again.

/** Error codes after which reconnecting cannot help. */
const FINAL_ERRORS = new Set(['AUTHENTICATION_FAILED', 'INTERVIEW_NOT_ACTIVE', 'REALTIME_UNAVAILABLE', 'SESSION_REPLACED']);

const PING_EVERY_MS = 15000;
const MAX_ATTEMPTS = 10;

export class RealtimeClient {
  /**
   * `token()` returns the candidate's current token; `onFrame(frame)` gets each server frame;
   * `onStatus(status, detail)` each status change (detail: {attempt, delayMs} while reconnecting).
   */
  constructor({ interviewId, token, onFrame, onStatus }) {
    this.interviewId = interviewId;
    this.token = token;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.socket = null;
    this.status = 'closed';
    this.attempt = 0;
    this.final = false;
    this.timer = null;
    this.ping = null;
    this.online = () => {
      if (this.status === 'reconnecting') this.open();
    };
    window.addEventListener('online', this.online);
  }

  get connected() {
    return this.status === 'connected' && this.socket?.readyState === WebSocket.OPEN;
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const token = encodeURIComponent(this.token() || '');
    return `${scheme}://${location.host}/api/v1/interviews/${this.interviewId}/realtime/connect?token=${token}`;
  }

  setStatus(status, detail = {}) {
    this.status = status;
    this.onStatus(status, detail);
  }

  /** Opens the socket (again). */
  open() {
    clearTimeout(this.timer);
    this.final = false;
    if (this.socket) this.detach(this.socket);
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch (error) {
      this.dropped();
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => this.message(event);
    socket.onclose = (event) => this.closed(event);
    socket.onerror = () => {}; // a close follows, which decides
  }

  message(event) {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.type === 'connected') {
      this.attempt = 0;
      this.setStatus('connected', { resumed: Boolean(frame.resumed) });
      clearInterval(this.ping);
      this.ping = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
    } else if (frame.type === 'interview_complete') {
      this.final = true;
    } else if (frame.type === 'error' && FINAL_ERRORS.has(frame.error)) {
      this.final = true;
    }
    this.onFrame(frame);
  }

  closed(event) {
    clearInterval(this.ping);
    if (event.target !== this.socket) return;
    this.socket = null;
    if (this.final || event.code === 1000) {
      this.setStatus('closed', { code: event.code });
      return;
    }
    this.dropped();
  }

  /** An unexpected drop: try again after 0.5 s, 1 s, 2 s … up to 10 s, with jitter. */
  dropped() {
    if (this.attempt >= MAX_ATTEMPTS) {
      this.setStatus('closed', { gaveUp: true });
      return;
    }
    const base = Math.min(10000, 500 * 2 ** this.attempt);
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.setStatus('reconnecting', { attempt: this.attempt, delayMs });
    this.timer = setTimeout(() => this.open(), delayMs);
  }

  /** Sends a frame; false when the socket is not open (the frame is dropped). */
  send(frame) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  detach(socket) {
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
  }

  /** Closes for good (the page is left, or the interview is over). */
  close() {
    this.final = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    window.removeEventListener('online', this.online);
    if (this.socket) this.detach(this.socket);
    this.socket = null;
    if (this.status !== 'closed') this.setStatus('closed', {});
  }
}
