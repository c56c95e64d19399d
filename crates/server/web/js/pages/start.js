// #/start: choose a role or an open job posting and the interview mode, then start it. Also
// lists the candidate's earlier interviews, to continue one or see its results.

import { get, post, query, request } from '../api.js';
import { field, h, select, when, words } from '../dom.js';
import { handleSubmit, showError } from '../errors.js';
import { navigate } from '../router.js';
import { rememberInterview } from '../session.js';

/** The interview roles (`role_type` of POST /interviews/start). */
export const ROLES = [
  ['react', 'React developer'],
  ['python', 'Python developer'],
  ['javascript', 'JavaScript developer'],
  ['fullstack', 'Full-stack developer'],
];

/** The client's modes and the API's names for them. */
export const MODES = {
  realtime: { api: 'realtime', label: 'Live voice conversation' },
  voice: { api: 'legacy_voice', label: 'Recorded voice answers' },
  text: { api: 'text', label: 'Typed answers' },
};

export function uiMode(apiMode) {
  return Object.keys(MODES).find((key) => MODES[key].api === apiMode) || 'text';
}

/** The application to `jobId`: a new one, or the one made earlier (409 already_applied). */
async function applicationFor(jobId) {
  try {
    return await post('applications', { job_posting_id: jobId });
  } catch (error) {
    if (error.code !== 'already_applied') throw error;
    const mine = await get('applications/me');
    const found = mine.find((application) => application.job_posting_id === jobId);
    if (!found) throw error;
    return found;
  }
}

function interviewRow(interview) {
  const finished = interview.status === 'completed' || interview.status === 'abandoned';
  const target = finished ? `#/results/${interview.id}` : `#/interview/${interview.id}`;
  const action = finished ? 'Results' : 'Continue';
  return h('tr', { 'data-interview-id': interview.id },
    h('td', {}, words(interview.role_type)),
    h('td', {}, words(uiMode(interview.mode))),
    h('td', {}, words(interview.status)),
    h('td', {}, when(interview.started_at || interview.created_at)),
    h('td', {}, interview.status === 'scheduled' ? '—' : h('a', { href: target }, action)));
}

export default async function render({ signal }) {
  const [jobs, status, interviews] = await Promise.all([
    get(`job-postings${query({ limit: 100 })}`, { auth: null, signal }).catch(() => ({ items: [] })),
    get('ai/status', { auth: null, signal }).catch(() => null),
    get('interviews', { signal }).catch(() => []),
  ]);

  const role = select({ id: 'role-select', name: 'role_type', autofocus: true }, ROLES, 'python');
  const job = select({ id: 'job-select', name: 'job_posting_id' },
    [['', 'No specific job: interview for the role above'],
      ...jobs.items.map((posting) => [posting.id, `${posting.title} · ${posting.company} (${words(posting.role_category)})`])]);
  const modeHints = {
    voice: status && !status.speech_available ? ' (needs speech on the server)' : '',
    realtime: status && status.provider !== 'openai' ? ' (needs a realtime provider on the server)' : '',
    text: '',
  };
  const mode = select({ id: 'mode-select', name: 'mode' },
    Object.entries(MODES).map(([key, value]) => [key, `${value.label}${modeHints[key]}`]),
    status?.speech_available ? 'realtime' : 'text');
  const submit = h('button', { id: 'start-submit', type: 'submit' }, 'Start the interview');

  const syncRole = () => {
    role.disabled = Boolean(job.value);
  };
  job.addEventListener('change', syncRole);
  syncRole();

  const form = h('form', { class: 'card', novalidate: true },
    field('Role', role, { fieldName: 'role_type' }),
    field('Open job posting (optional)', job, {
      hint: 'Interviewing for a job applies to it: the job decides the role and the skills explored.',
    }),
    field('How will you answer?', mode, { fieldName: 'mode' }),
    submit);

  let application = null;
  handleSubmit(form, submit, async () => {
    application = null;
    const chosen = MODES[mode.value];
    const body = { mode: chosen.api };
    if (job.value) {
      application = await applicationFor(job.value);
      Object.assign(body, { application_id: application.id, role_type: null });
    } else {
      body.role_type = role.value;
    }
    const { data: started } = await request('interviews/start', { method: 'POST', json: body });
    rememberInterview(started.id, {
      mode: mode.value,
      first_question: started.first_question,
      session_state: started.session_state,
    });
    navigate(`/interview/${started.id}/check`);
  }, (error) => {
    if (error.code === 'already_interviewed' && application?.interview_id) {
      navigate(`/interview/${application.interview_id}`);
      return;
    }
    showError(error, { form });
  });

  const earlier = interviews.length
    ? h('table', { id: 'my-interviews' },
      h('caption', {}, 'Your interviews'),
      h('thead', {}, h('tr', {}, ['Role', 'Mode', 'Status', 'Started', ''].map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', {}, interviews.map(interviewRow)))
    : null;

  return h('section', { 'data-page': 'start' },
    h('h1', {}, 'Start an interview'),
    h('p', {}, 'The interviewer adapts to your answers: questions get harder as you do well, and easier when a topic is new to you.'),
    form,
    earlier);
}
