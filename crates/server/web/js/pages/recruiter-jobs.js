// #/recruiter/jobs: the organization's job postings (every status) and a form to post one.
// Recruiters and admins post, publish and close; viewers read.

import { get, query, request } from '../api.js';
import { field, h, select, when, words } from '../dom.js';
import { clearError, messageOf, notify, showError } from '../errors.js';
import { recruiter } from '../session.js';
import { ROLES } from './start.js';

const list = (text) => text.split(',').map((item) => item.trim()).filter(Boolean);

export default async function render({ signal }) {
  const viewer = recruiter()?.role === 'viewer';
  const body = h('tbody', {});
  const table = h('table', { id: 'job-list' },
    h('caption', { class: 'visually-hidden' }, 'Job postings'),
    h('thead', {}, h('tr', {}, ['Title', 'Role', 'Setup', 'Level', 'Status', 'Posted', ''].map((title) => h('th', { scope: 'col' }, title)))),
    body);

  async function setStatus(posting, status, button) {
    button.disabled = true;
    try {
      await request(`recruiter/job-postings/${posting.id}`, { method: 'PATCH', json: { status }, auth: 'recruiter' });
      notify(`"${posting.title}" is now ${status}.`);
      await load();
    } catch (error) {
      showError(error, { viewer: error.code === 'forbidden' });
      button.disabled = false;
    }
  }

  function row(posting) {
    const actions = h('td', {});
    for (const [status, label] of [['open', 'Publish'], ['closed', 'Close']]) {
      if (posting.status === status) continue;
      const button = h('button', { type: 'button', class: 'secondary small', 'data-status': status, disabled: viewer,
        'aria-label': `${label} ${posting.title}` }, label);
      button.addEventListener('click', () => setStatus(posting, status, button));
      actions.append(button, ' ');
    }
    return h('tr', { 'data-job-id': posting.id },
      h('th', { scope: 'row' }, posting.title, h('div', { class: 'muted small' }, posting.company)),
      h('td', {}, words(posting.role_category)),
      h('td', {}, words(posting.work_setup)),
      h('td', {}, words(posting.experience_level)),
      h('td', {}, h('span', { class: `tag status-${posting.status}` }, words(posting.status))),
      h('td', {}, when(posting.created_at)),
      actions);
  }

  async function load() {
    try {
      const page = await get(`recruiter/job-postings${query({ limit: 100 })}`, { auth: 'recruiter', signal });
      body.replaceChildren(...page.items.map(row));
      if (!page.items.length) body.append(h('tr', {}, h('td', { colspan: '7', class: 'muted' }, 'No job postings yet.')));
    } catch (error) {
      showError(error);
    }
  }

  const controls = {
    title: h('input', { id: 'job-title', name: 'title', required: true }),
    company: h('input', { id: 'job-company', name: 'company', required: true }),
    description: h('textarea', { id: 'job-description', name: 'description', rows: '4', required: true }),
    role_category: select({ id: 'job-role', name: 'role_category' }, ROLES, 'react'),
    tech_stack: h('input', { id: 'job-tech-stack', name: 'tech_stack' }),
    required_skills: h('input', { id: 'job-skills', name: 'required_skills' }),
    employment_type: select({ id: 'job-employment', name: 'employment_type' },
      [['permanent', 'Permanent'], ['part_time', 'Part time'], ['contract', 'Contract']], 'permanent'),
    work_setup: select({ id: 'job-setup', name: 'work_setup' }, [['remote', 'Remote'], ['hybrid', 'Hybrid'], ['onsite', 'On site']], 'remote'),
    experience_level: select({ id: 'job-level', name: 'experience_level' },
      ['entry', 'junior', 'mid', 'senior', 'lead', 'principal'].map((level) => [level, words(level)]), 'mid'),
    location: h('input', { id: 'job-location', name: 'location' }),
    status: select({ id: 'job-status', name: 'status' }, [['open', 'Open (published)'], ['draft', 'Draft']], 'open'),
  };
  const submit = h('button', { id: 'job-submit', type: 'submit', disabled: viewer }, 'Post the job');
  const form = h('form', { id: 'job-form', class: 'card', novalidate: true },
    h('h2', {}, 'Post a job'),
    viewer ? h('p', { class: 'hint' }, 'Viewers can read job postings; posting needs a recruiter or admin.') : null,
    field('Title', controls.title, { fieldName: 'title' }),
    field('Company', controls.company, { fieldName: 'company' }),
    field('Description', controls.description, { fieldName: 'description' }),
    field('Interview role', controls.role_category, { fieldName: 'role_category' }),
    field('Tech stack', controls.tech_stack, { fieldName: 'tech_stack', hint: 'Comma separated, e.g. React, TypeScript' }),
    field('Required skills', controls.required_skills, { fieldName: 'required_skills', hint: 'Comma separated; the interview explores these.' }),
    field('Employment', controls.employment_type, { fieldName: 'employment_type' }),
    field('Work setup', controls.work_setup, { fieldName: 'work_setup' }),
    field('Experience level', controls.experience_level, { fieldName: 'experience_level' }),
    field('Location (optional)', controls.location, { fieldName: 'location' }),
    field('Status', controls.status, { fieldName: 'status' }),
    submit);
  if (viewer) for (const control of Object.values(controls)) control.disabled = true;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(form);
    submit.disabled = true;
    try {
      const posting = await request('recruiter/job-postings', {
        method: 'POST',
        auth: 'recruiter',
        json: {
          title: controls.title.value.trim(),
          company: controls.company.value.trim(),
          description: controls.description.value.trim(),
          role_category: controls.role_category.value,
          tech_stack: list(controls.tech_stack.value),
          required_skills: list(controls.required_skills.value),
          employment_type: controls.employment_type.value,
          work_setup: controls.work_setup.value,
          experience_level: controls.experience_level.value,
          location: controls.location.value.trim() || null,
          status: controls.status.value,
        },
      });
      notify(`"${posting.data.title}" was posted.`);
      form.reset();
      await load();
    } catch (error) {
      showError(error, { form, viewer: error.code === 'forbidden' });
      if (error.code === 'forbidden') form.querySelector('.hint')?.replaceChildren(messageOf(error, { viewer: true }));
    } finally {
      submit.disabled = viewer;
    }
  });

  await load();
  return h('section', { 'data-page': 'recruiter-jobs' },
    h('h1', {}, 'Job postings'),
    h('div', { class: 'table-wrap' }, table),
    form);
}
