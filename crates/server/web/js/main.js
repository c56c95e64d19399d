// The entry point: the page map, the navigation bar, signing out, and what happens when a token
// stops working. Pages load on demand (dynamic import), so the first paint needs only this file
// and the few modules it imports.

import { onUnauthorized, post } from './api.js';
import { h } from './dom.js';
import { carryError, showError } from './errors.js';
import { Router, currentLocation, navigate } from './router.js';
import * as session from './session.js';

// test hooks (plain counters, harmless in production): see docs/web-client.md
window.__audioStats = window.__audioStats || { chunksReceived: 0, samplesPlayed: 0 };
window.__micStats = window.__micStats || { chunksSent: 0, samplesSent: 0, recordedBytes: 0 };
window.__videoStats = window.__videoStats || { chunksUploaded: 0 };

/** Candidate pages need a candidate token; recruiter pages a recruiter's. */
function needs(audience) {
  return ({ path }) => {
    const signedIn = audience === 'recruiter' ? session.recruiter() : session.candidate();
    if (signedIn) return null;
    const login = audience === 'recruiter' ? '/recruiter/login' : '/login';
    return `${login}?next=${encodeURIComponent(path)}`;
  };
}

function home() {
  if (session.recruiter()) return '/recruiter/interviews';
  if (session.candidate()) return '/start';
  return '/login';
}

const candidate = needs('candidate');
const recruiter = needs('recruiter');

const routes = [
  { path: '/', guard: () => home(), load: null },
  { path: '/register', load: () => import('./pages/register.js') },
  { path: '/login', load: () => import('./pages/login.js') },
  { path: '/start', guard: candidate, load: () => import('./pages/start.js') },
  { path: '/interview/:id/check', guard: candidate, load: () => import('./pages/tech-check.js') },
  { path: '/interview/:id', guard: candidate, load: () => import('./pages/interview.js') },
  { path: '/results/:id', guard: candidate, load: () => import('./pages/results.js') },
  { path: '/recruiter', guard: () => (session.recruiter() ? '/recruiter/interviews' : '/recruiter/login'), load: null },
  { path: '/recruiter/login', load: () => import('./pages/recruiter-login.js') },
  { path: '/recruiter/interviews', guard: recruiter, load: () => import('./pages/recruiter-interviews.js') },
  { path: '/recruiter/interviews/:id', guard: recruiter, load: () => import('./pages/recruiter-interview.js') },
  { path: '/recruiter/jobs', guard: recruiter, load: () => import('./pages/recruiter-jobs.js') },
  { path: '/recruiter/feedback', guard: recruiter, load: () => import('./pages/recruiter-feedback.js') },
];

function notFound(path) {
  return h('section', { 'data-page': 'not-found' },
    h('h1', {}, 'Page not found'),
    h('p', {}, `There is no page at ${path}.`),
    h('p', {}, h('a', { href: '#/' }, 'Go to the start')));
}

function link(href, label) {
  const current = `#${currentLocation().path}`;
  const active = current === href || (href !== '#/' && current.startsWith(`${href}/`));
  return h('li', {}, h('a', { href, 'aria-current': active ? 'page' : null }, label));
}

/** The navigation bar for whoever is signed in in this tab. */
function renderNav() {
  const links = document.getElementById('nav-links');
  const user = document.getElementById('nav-user');
  const logout = document.getElementById('logout-button');
  const onRecruiterPage = currentLocation().path.startsWith('/recruiter');
  const who = onRecruiterPage ? session.recruiter() : session.candidate();
  const items = [];
  if (onRecruiterPage && who) {
    items.push(link('#/recruiter/interviews', 'Interviews'), link('#/recruiter/jobs', 'Job postings'),
      link('#/recruiter/feedback', 'Resume feedback'));
  } else if (!onRecruiterPage && who) {
    items.push(link('#/start', 'New interview'));
  } else if (onRecruiterPage) {
    items.push(link('#/login', 'Candidate sign-in'));
  } else {
    items.push(link('#/login', 'Sign in'), link('#/register', 'Create account'),
      link('#/recruiter/login', 'Recruiters'));
  }
  links.replaceChildren(...items);
  user.textContent = who ? `${who.email || ''}${who.role ? ` (${who.role})` : ''}` : '';
  logout.hidden = !who;
  logout.dataset.audience = onRecruiterPage ? 'recruiter' : 'candidate';
}

async function signOut() {
  const audience = document.getElementById('logout-button').dataset.audience || 'candidate';
  const path = audience === 'recruiter' ? 'recruiter/auth/logout' : 'auth/logout';
  try {
    await post(path, {}, { auth: audience });
  } catch (error) {
    // the token is dropped here whatever the server said; a failure only means it expires later
    if (error?.code !== 'unauthorized') console.warn('[interview] sign-out', error);
  }
  session.signOut(audience);
  navigate(audience === 'recruiter' ? '/recruiter/login' : '/login');
}

onUnauthorized((audience, error) => {
  session.signOut(audience);
  carryError(error);
  const path = currentLocation().path;
  const login = audience === 'recruiter' ? '/recruiter/login' : '/login';
  if (!path.endsWith('/login')) navigate(`${login}?next=${encodeURIComponent(path)}`, { replace: true });
});

window.addEventListener('unhandledrejection', (event) => {
  if (event.reason?.name === 'AbortError') {
    event.preventDefault();
    return;
  }
  showError(event.reason);
});

document.getElementById('logout-button').addEventListener('click', signOut);
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main').focus();
});

const router = new Router(routes, {
  outlet: document.getElementById('main'),
  afterRender: renderNav,
  notFound,
});
router.start();
