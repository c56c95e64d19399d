// #/recruiter/feedback: resume feedback waiting for approval. Approving emails it to the
// candidate now; rejecting means it is never sent.

import { get, post, query } from '../api.js';
import { h, when, words } from '../dom.js';
import { notify, showError } from '../errors.js';
import { recruiter } from '../session.js';

export default async function render({ signal }) {
  const viewer = recruiter()?.role === 'viewer';
  const listElement = h('ul', { id: 'feedback-list', class: 'cards' });
  const count = h('p', { id: 'feedback-count', class: 'muted', role: 'status' });

  async function decide(item, feedback, action, button) {
    for (const control of item.querySelectorAll('button')) control.disabled = true;
    try {
      const decided = await post(`recruiter/resume-feedback/${feedback.id}/${action}`, {}, { auth: 'recruiter' });
      item.dataset.status = decided.status;
      item.querySelector('.feedback-status').textContent = words(decided.status);
      notify(action === 'approve' ? 'Approved: the feedback is being emailed.' : 'Rejected: the feedback will not be sent.');
      for (const control of item.querySelectorAll('button')) control.remove();
    } catch (error) {
      showError(error, { viewer: error.code === 'forbidden' });
      for (const control of item.querySelectorAll('button')) control.disabled = viewer;
      button.focus();
    }
  }

  function card(feedback) {
    const approve = h('button', { type: 'button', 'data-approve': feedback.id, disabled: viewer,
      'aria-label': `Approve the feedback for ${feedback.candidate_name || feedback.candidate_email || 'the candidate'}` }, 'Approve and send');
    const reject = h('button', { type: 'button', class: 'secondary', 'data-reject': feedback.id, disabled: viewer,
      'aria-label': `Reject the feedback for ${feedback.candidate_name || feedback.candidate_email || 'the candidate'}` }, 'Reject');
    const item = h('li', { class: 'card', 'data-feedback-id': feedback.id, 'data-status': feedback.status },
      h('h2', {}, feedback.candidate_name || 'Candidate', feedback.candidate_email ? h('span', { class: 'muted small' }, ` ${feedback.candidate_email}`) : null),
      h('p', { class: 'muted small' }, `Written ${when(feedback.generated_at)} · sent automatically ${when(feedback.auto_send_at)} unless decided · `,
        h('span', { class: 'feedback-status' }, words(feedback.status))),
      h('p', { class: 'feedback-text' }, feedback.feedback_content),
      feedback.improvement_areas?.length
        ? h('ul', {}, feedback.improvement_areas.map((area) => h('li', {}, area.area ? `${words(area.area)}: ${area.suggestion || ''}` : JSON.stringify(area))))
        : null,
      h('div', { class: 'row' }, approve, reject));
    approve.addEventListener('click', () => decide(item, feedback, 'approve', approve));
    reject.addEventListener('click', () => decide(item, feedback, 'reject', reject));
    return item;
  }

  try {
    const rows = await get(`recruiter/resume-feedback${query({ status: 'pending_approval', limit: 100 })}`, { auth: 'recruiter', signal });
    listElement.replaceChildren(...rows.map(card));
    count.textContent = rows.length ? `${rows.length} waiting for approval.` : 'No feedback is waiting for approval.';
  } catch (error) {
    showError(error);
  }

  return h('section', { 'data-page': 'recruiter-feedback' },
    h('h1', {}, 'Resume feedback to approve'),
    viewer ? h('p', { class: 'hint' }, 'Viewers can read feedback; approving needs a recruiter or admin.') : null,
    count,
    listElement);
}
