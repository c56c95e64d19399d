// #/recruiter/interviews: the organization's interviews with the list endpoint's filters (kept in
// the address, so Back and a reload keep them) and keyset pages ("Show more").

import { get, query } from '../api.js';
import { field, h, select, when, words } from '../dom.js';
import { clearError, showError } from '../errors.js';
import { navigate } from '../router.js';
import { ROLES } from './start.js';

const FILTERS = ['status', 'role', 'job_posting_id', 'recommendation', 'min_score', 'max_score', 'integrity_flagged', 'from', 'to'];

function row(item) {
  const link = h('a', { href: `#/recruiter/interviews/${item.interview_id}` }, item.candidate_name || item.candidate_email);
  return h('tr', { 'data-interview-id': item.interview_id },
    h('th', { scope: 'row' }, link, h('div', { class: 'muted small' }, item.candidate_email)),
    h('td', {}, words(item.role)),
    h('td', {}, item.job_title || '—'),
    h('td', {}, h('span', { class: `tag status-${item.status}` }, words(item.status))),
    h('td', {}, when(item.started_at || item.created_at)),
    h('td', { class: 'number' }, String(item.questions_answered ?? 0)),
    h('td', { class: 'number' }, item.overall_score ?? '—'),
    h('td', {}, item.recommendation ? words(item.recommendation) : '—'),
    h('td', { class: 'number' }, item.integrity_flags ?? '—'));
}

/** A date input's value as RFC 3339 (the start of that day, local time). */
function day(value, end = false) {
  if (!value) return '';
  const date = new Date(`${value}T00:00:00`);
  if (end) date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export default async function render({ query: current, signal }) {
  const jobs = await get(`recruiter/job-postings${query({ limit: 100 })}`, { auth: 'recruiter', signal }).catch(() => ({ items: [] }));
  const any = ['', 'Any'];
  const controls = {
    status: select({ id: 'filter-status', name: 'status' },
      [any, ['in_progress', 'In progress'], ['completed', 'Completed'], ['abandoned', 'Abandoned'], ['scheduled', 'Scheduled']], current.status),
    role: select({ id: 'filter-role', name: 'role' }, [any, ...ROLES], current.role),
    job_posting_id: select({ id: 'filter-job', name: 'job_posting_id' },
      [any, ...jobs.items.map((job) => [job.id, job.title])], current.job_posting_id),
    recommendation: select({ id: 'filter-recommendation', name: 'recommendation' },
      [any, ['strong_yes', 'Strong yes'], ['yes', 'Yes'], ['maybe', 'Maybe'], ['no', 'No']], current.recommendation),
    min_score: h('input', { id: 'filter-min-score', name: 'min_score', type: 'number', min: '0', max: '100', inputmode: 'numeric', value: current.min_score || '' }),
    max_score: h('input', { id: 'filter-max-score', name: 'max_score', type: 'number', min: '0', max: '100', inputmode: 'numeric', value: current.max_score || '' }),
    integrity_flagged: select({ id: 'filter-integrity', name: 'integrity_flagged' },
      [any, ['true', 'With integrity flags'], ['false', 'Without flags']], current.integrity_flagged),
    from: h('input', { id: 'filter-from', name: 'from', type: 'date', value: current.from_day || '' }),
    to: h('input', { id: 'filter-to', name: 'to', type: 'date', value: current.to_day || '' }),
  };
  const form = h('form', { id: 'filter-form', class: 'card filters', role: 'search', novalidate: true },
    field('Status', controls.status),
    field('Role', controls.role),
    field('Job', controls.job_posting_id),
    field('Recommendation', controls.recommendation),
    field('Score from', controls.min_score),
    field('Score to', controls.max_score),
    field('Integrity', controls.integrity_flagged),
    field('Started from', controls.from),
    field('Started until', controls.to),
    h('div', { class: 'row' },
      h('button', { type: 'submit', id: 'filter-submit' }, 'Apply filters'),
      h('button', { type: 'reset', class: 'secondary', id: 'filter-reset' }, 'Clear')));

  const body = h('tbody', {});
  const table = h('table', { id: 'interview-list' },
    h('caption', { class: 'visually-hidden' }, 'Interviews'),
    h('thead', {}, h('tr', {}, ['Candidate', 'Role', 'Job', 'Status', 'Started', 'Answers', 'Score', 'Recommendation', 'Flags']
      .map((title) => h('th', { scope: 'col' }, title)))),
    body);
  const summary = h('p', { id: 'interview-count', role: 'status', class: 'muted' });
  const more = h('button', { id: 'load-more', type: 'button', class: 'secondary', hidden: true }, 'Show more');
  let cursor = null;
  let shown = 0;

  const params = () => ({
    status: current.status,
    role: current.role,
    job_posting_id: current.job_posting_id,
    recommendation: current.recommendation,
    min_score: current.min_score,
    max_score: current.max_score,
    integrity_flagged: current.integrity_flagged,
    from: day(current.from_day),
    to: day(current.to_day, true),
  });

  async function load() {
    more.disabled = true;
    try {
      const page = await get(`recruiter/interviews${query({ ...params(), limit: 25, cursor })}`, { auth: 'recruiter', signal });
      body.append(...page.items.map(row));
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      summary.textContent = shown ? `${shown} interview${shown === 1 ? '' : 's'} shown${cursor ? ' (more available)' : ''}.` : 'No interview matches these filters.';
    } catch (error) {
      showError(error, { form });
    } finally {
      more.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearError(form);
    const next = {};
    for (const name of FILTERS) {
      const value = controls[name].value;
      if (!value) continue;
      next[name === 'from' ? 'from_day' : name === 'to' ? 'to_day' : name] = value;
    }
    navigate(`/recruiter/interviews${query(next)}`);
  });
  form.addEventListener('reset', () => setTimeout(() => navigate('/recruiter/interviews'), 0));
  more.addEventListener('click', load);
  await load();

  return h('section', { 'data-page': 'recruiter-interviews' },
    h('h1', {}, 'Interviews'),
    form,
    summary,
    h('div', { class: 'table-wrap' }, table),
    more);
}
