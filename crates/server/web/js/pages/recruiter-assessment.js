// The assessment section of a recruiter's interview page: scores as a chart, recommendation,
// reasoning, integrity flags, strengths, growth areas, highlights, versions; and regenerating it.
// Polls while it is produced (202).

import { post, request } from '../api.js';
import { h, sleep, when, words } from '../dom.js';
import { messageOf, notify, showError } from '../errors.js';
import { scoreChart } from '../chart.js';

function claimList(title, items) {
  if (!items?.length) return null;
  return h('div', {},
    h('h3', {}, title),
    h('ul', {}, items.map((claim) => h('li', {}, claim.text,
      claim.evidence?.length ? h('span', { class: 'muted small' }, ` (messages ${claim.evidence.join(', ')})`) : null))));
}

function flags(assessment) {
  const list = h('ul', { id: 'integrity-flags', class: 'flags' });
  if (!assessment.integrity_flags?.length) {
    list.append(h('li', { class: 'muted' }, 'No integrity flags.'));
  }
  for (const flag of assessment.integrity_flags || []) {
    list.append(h('li', { 'data-flag': flag.type, 'data-severity': flag.severity },
      h('span', { class: `tag severity-${flag.severity}` }, words(flag.severity)), ' ',
      h('strong', {}, words(flag.type)), `: ${flag.evidence}`,
      flag.messages?.length ? h('span', { class: 'muted small' }, ` (messages ${flag.messages.join(', ')})`) : null));
  }
  return list;
}

/** The filled assessment section for a `ready` response. */
function ready(body) {
  const a = body.assessment;
  return [
    h('div', { class: 'grid-2' },
      h('div', {},
        h('h3', {}, 'Recommendation'),
        h('p', { id: 'recommendation', class: `recommendation rec-${a.recommendation}`, 'data-recommendation': a.recommendation }, words(a.recommendation)),
        h('p', {}, 'Overall score: ', h('strong', { id: 'overall-score' }, String(a.overall_score)), ' / 100'),
        h('p', {}, `Integrity score: ${a.integrity_score} / 100`),
        a.fallback ? h('p', { class: 'tag' }, 'Conservative fallback judgement (the model\'s reply was unusable)') : null),
      h('div', {}, scoreChart(a.skill_scores, a.overall_score))),
    h('h3', {}, 'Reasoning'),
    h('p', { id: 'reasoning', class: 'reasoning' }, a.ai_reasoning || '—'),
    h('h3', {}, 'Integrity flags'),
    flags(a),
    claimList('Strengths', a.strengths),
    claimList('Growth areas', a.growth_areas),
    claimList('Highlights', a.highlights),
    a.recommended_actions?.length
      ? h('div', {}, h('h3', {}, 'Recommended actions'), h('ul', {}, a.recommended_actions.map((action) => h('li', {}, action))))
      : null,
    h('p', { class: 'muted small' },
      `Version ${a.version} · generated ${when(a.generated_at)} by ${a.generator} (prompt ${a.prompt_version}) · cost $${a.cost_usd}`),
    body.versions?.length > 1
      ? h('details', {}, h('summary', {}, `All ${body.versions.length} versions`),
        h('ul', {}, body.versions.map((version) => h('li', {},
          `v${version.version}: ${version.overall_score} / 100, ${words(version.recommendation)}, ${when(version.generated_at)}`))))
      : null,
  ];
}

/** The #assessment section; `viewer` disables regeneration. */
export function assessmentSection(id, { viewer, signal }) {
  const status = h('p', { id: 'assessment-status', 'data-status': 'pending', role: 'status' }, 'Loading the assessment…');
  const content = h('div', { id: 'assessment-content' });
  const regenerate = h('button', { id: 'regenerate-button', type: 'button', class: 'secondary' }, 'Regenerate the assessment');
  const note = h('p', { id: 'regenerate-note', class: 'hint' });
  if (viewer) {
    regenerate.disabled = true;
    regenerate.setAttribute('aria-describedby', 'regenerate-note');
    note.textContent = 'Viewers can read assessments; regenerating needs a recruiter or admin.';
  }
  let versions = 0;

  async function load({ waitForNewVersion = false } = {}) {
    const started = Date.now();
    while (!signal.aborted) {
      let response;
      try {
        response = await request(`recruiter/interviews/${id}/assessment`, { auth: 'recruiter', signal });
      } catch (error) {
        if (error?.name === 'AbortError') return;
        status.dataset.status = 'failed';
        status.textContent = messageOf(error);
        if (error.code !== 'assessment_not_due') showError(error);
        regenerate.disabled = true;
        return;
      }
      const body = response.data;
      const grew = (body.versions?.length || 0) > versions;
      if (body.status === 'ready' && (!waitForNewVersion || grew)) {
        versions = body.versions?.length || 0;
        status.dataset.status = 'ready';
        status.textContent = waitForNewVersion ? 'A new version of the assessment is ready.' : 'Assessment ready.';
        content.replaceChildren(...ready(body).filter(Boolean));
        regenerate.disabled = viewer;
        return;
      }
      if (body.status === 'failed') {
        status.dataset.status = 'failed';
        status.textContent = `The assessment could not be produced${body.error ? `: ${body.error}` : ''}. Regenerating may help.`;
        regenerate.disabled = viewer;
        return;
      }
      if (Date.now() - started > 3 * 60 * 1000) {
        status.textContent = 'The assessment is taking longer than usual; reload the page later.';
        return;
      }
      status.dataset.status = 'pending';
      status.textContent = waitForNewVersion ? 'A new version is being produced…' : 'The assessment is being produced…';
      await sleep(1500, signal).catch(() => {});
    }
  }

  regenerate.addEventListener('click', async () => {
    regenerate.disabled = true;
    try {
      await post(`recruiter/interviews/${id}/assessment/regenerate`, {}, { auth: 'recruiter' });
      notify('A new version of the assessment was requested.');
      await load({ waitForNewVersion: true });
    } catch (error) {
      showError(error, { viewer: error.code === 'forbidden' });
      note.textContent = messageOf(error, { viewer: error.code === 'forbidden' });
      regenerate.disabled = error.code === 'forbidden' || viewer;
    }
  });

  load();
  return h('section', { id: 'assessment', class: 'card' },
    h('h2', {}, 'Assessment'),
    status,
    content,
    h('div', { class: 'row' }, regenerate),
    note);
}
