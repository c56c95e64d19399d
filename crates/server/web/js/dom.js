// Small DOM helpers: elements are built with h(), never from HTML strings, so no text the API
// returns is ever parsed as markup (and the Content-Security-Policy needs no inline styles).

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(element, attributes) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'text') {
      element.textContent = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** An HTML element: h('button', {type: 'button', onClick}, 'Label'). */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  apply(element, attributes);
  append(element, children);
  return element;
}

/** An SVG element (for the score chart). */
export function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attributes);
  append(element, children);
  return element;
}

/** A labelled form control: the label, the control and its per-field error element. */
export function field(label, control, { hint, fieldName } = {}) {
  const id = control.id;
  const parts = [h('label', { for: id }, label), control];
  const describedBy = [];
  if (hint) {
    const hintId = `${id}-hint`;
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
    describedBy.push(hintId);
  }
  if (fieldName) {
    const errorId = `${id}-error`;
    parts.push(h('p', { class: 'field-error', id: errorId, 'data-field-error': fieldName }));
    describedBy.push(errorId);
  }
  if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
  return h('div', { class: 'field' }, parts);
}

/** A <select> with [value, label] options. */
export function select(attributes, options, selected) {
  const element = h('select', attributes);
  for (const [value, label] of options) {
    const option = h('option', { value }, label);
    if (String(value) === String(selected ?? '')) option.selected = true;
    element.append(option);
  }
  return element;
}

/** Shows or hides an element. */
export function show(element, visible) {
  if (element) element.hidden = !visible;
}

/** A human date and time, in the browser's locale. */
export function when(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Words from snake_case: "strong_yes" → "strong yes". */
export function words(value) {
  return String(value ?? '').replaceAll('_', ' ');
}

/** A random UUID (v4), for Idempotency-Key; crypto.randomUUID needs a secure context. */
export function uuid() {
  if (globalThis.crypto?.randomUUID && globalThis.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Resolves after `ms` milliseconds, or rejects when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
