// #/results/{id}: the candidate's assessment. GET /interviews/{id}/assessment answers 202 while it
// is produced (polled, honouring Retry-After), then 200 with the scores per skill, highlights and
// growth areas.

import { request } from '../api.js';
import { h, sleep, words } from '../dom.js';
import { messageOf, showError } from '../errors.js';

const POLL_LIMIT_MS = 5 * 60 * 1000;

function claims(id, title, items, empty) {
  return h('section', { class: 'card' },
    h('h2', {}, title),
    items?.length
      ? h('ul', { id }, items.map((claim) => h('li', {}, claim.text)))
      : h('ul', { id }, h('li', { class: 'muted' }, empty)));
}

function skillScore(skill) {
  const score = Math.max(0, Math.min(100, Number(skill.score) || 0));
  const bar = h('span', { class: 'bar' }, h('span', { class: 'fill' }));
  bar.firstChild.style.width = `${score}%`;
  return h('li', { class: 'skill-score', 'data-skill': skill.skill, 'data-score': String(score) },
    h('span', { class: 'skill-name' }, words(skill.skill)),
    bar,
    h('span', { class: 'skill-value' }, `${score}`),
    h('span', { class: 'skill-level muted' },
      skill.level_reached ? `solid up to ${words(skill.level_reached)}` : 'no level answered solidly',
      skill.boundary ? h('span', { class: 'tag' }, 'limit found') : null));
}

export function scoreList(skills) {
  if (!skills?.length) return h('p', { class: 'muted' }, 'No skill was assessed: the interview ended before any answer.');
  return h('ul', { class: 'skills' }, skills.map(skillScore));
}

export default async function render({ params, signal }) {
  const { id } = params;
  const status = h('p', { id: 'assessment-status', 'data-status': 'pending', role: 'status' }, 'Your assessment is being prepared…');
  const body = h('div', { id: 'assessment-body' });
  const root = h('section', { 'data-page': 'results', 'data-interview-id': id },
    h('h1', {}, 'Your results'),
    status,
    body,
    h('p', {}, h('a', { href: '#/start' }, 'Start another interview')));

  const show = (assessment) => {
    status.dataset.status = 'ready';
    status.textContent = 'Your assessment is ready.';
    body.replaceChildren(
      h('section', { class: 'card score-card' },
        h('h2', {}, 'Overall'),
        h('p', { class: 'overall' }, h('span', { id: 'overall-score' }, String(assessment.overall_score)), h('span', { class: 'muted' }, ' / 100'))),
      h('section', { class: 'card' }, h('h2', {}, 'Skills'), scoreList(assessment.skill_assessments)),
      claims('highlights', 'Highlights', assessment.highlights, 'No highlights were noted.'),
      claims('growth-areas', 'Growth areas', assessment.growth_areas, 'No growth areas were noted.'));
  };
  const fail = (text, error = null) => {
    status.dataset.status = 'failed';
    status.textContent = text;
    if (error) showError(error);
  };

  (async () => {
    const started = Date.now();
    while (!signal.aborted) {
      let response;
      try {
        response = await request(`interviews/${id}/assessment`, { signal });
      } catch (error) {
        if (error?.name === 'AbortError') return;
        if (error.retryable && Date.now() - started < POLL_LIMIT_MS) {
          showError(error);
          await sleep(Math.max(2, error.retryAfter ?? 5) * 1000, signal).catch(() => {});
          continue;
        }
        fail(messageOf(error), error);
        return;
      }
      const { status: code, data, headers } = response;
      if (code === 200 && data.status === 'ready') {
        show(data);
        return;
      }
      if (data?.status === 'failed') {
        fail('Your assessment could not be produced. The recruiters still see your interview.');
        return;
      }
      if (Date.now() - started > POLL_LIMIT_MS) {
        status.textContent = 'Your assessment is taking longer than usual. Come back to this page later.';
        return;
      }
      const wait = Number(headers.get('Retry-After')) || 2;
      await sleep(Math.min(10, Math.max(1, wait)) * 1000, signal).catch(() => {});
    }
  })();

  return root;
}
