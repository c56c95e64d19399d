// The hash router: "#/interview/{id}/check?x=1" → the page module for "/interview/:id/check",
// rendered into <main>. A page is `export default async function render(ctx)` returning its root
// element (which carries data-page); ctx.signal aborts and ctx.onCleanup callbacks run when the
// page is left, so a page stops its microphone, sockets and timers itself.

import { h } from './dom.js';
import { clearError, notify, showCarriedError, showError } from './errors.js';

function compile(path) {
  const names = [];
  const pattern = path.replace(/:([a-z_]+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${pattern}$`), names };
}

/** The current hash as {path, query}. */
export function currentLocation() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)) };
}

/** Goes to `path` ("/start", "/results/…"); replaces the history entry when asked. */
export function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = target;
  }
}

export class Router {
  /**
   * `routes`: [{path: '/interview/:id', load: () => import(...), guard?: (location) => redirect}].
   * `outlet`: the element pages render into; `afterRender(page)` runs after each navigation.
   */
  constructor(routes, { outlet, afterRender = () => {}, notFound }) {
    this.routes = routes.map((route) => ({ ...route, ...compile(route.path) }));
    this.outlet = outlet;
    this.afterRender = afterRender;
    this.notFound = notFound;
    this.sequence = 0;
    this.leave = null;
  }

  start() {
    window.addEventListener('hashchange', () => this.render());
    this.render();
  }

  match(path) {
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (found) {
        const params = {};
        route.names.forEach((name, index) => {
          params[name] = decodeURIComponent(found[index + 1]);
        });
        return { route, params };
      }
    }
    return null;
  }

  async render() {
    const sequence = ++this.sequence;
    this.leave?.();
    this.leave = null;
    clearError();
    notify('');
    const { path, query } = currentLocation();
    const matched = this.match(path);
    if (!matched) {
      this.mount(this.notFound(path), sequence);
      return;
    }
    const redirect = matched.route.guard?.({ path, query });
    if (redirect) {
      navigate(redirect, { replace: true });
      return;
    }
    const controller = new AbortController();
    const cleanups = [];
    this.leave = () => {
      controller.abort(new DOMException('page left', 'AbortError'));
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          cleanup();
        } catch (error) {
          console.warn('[interview] cleanup failed', error);
        }
      }
    };
    const ctx = {
      params: matched.params,
      query,
      signal: controller.signal,
      onCleanup: (fn) => cleanups.push(fn),
      isCurrent: () => sequence === this.sequence,
    };
    try {
      const module = await matched.route.load();
      const element = await module.default(ctx);
      if (sequence !== this.sequence) return;
      this.mount(element, sequence);
    } catch (error) {
      if (error?.name === 'AbortError' || sequence !== this.sequence) return;
      showError(error);
      this.mount(
        h('section', { 'data-page': 'error' },
          h('h1', { tabindex: '-1' }, 'This page could not be shown'),
          h('p', {}, h('a', { href: '#/' }, 'Go to the start'))),
        sequence,
      );
    }
  }

  mount(element, sequence) {
    if (sequence !== this.sequence) return;
    this.outlet.replaceChildren(element);
    const heading = element.querySelector('h1');
    document.title = heading ? `${heading.textContent} · AI Interview` : 'AI Interview';
    if (heading && !element.querySelector('[autofocus]')) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    } else {
      element.querySelector('[autofocus]')?.focus();
    }
    showCarriedError();
    this.afterRender(element);
  }
}
