// The assessment's scores as an inline SVG bar chart (no library): one horizontal bar per skill
// and one for the overall score, 0 to 100, with the value written at the end of each bar.

import { svg, words } from './dom.js';

const WIDTH = 640;
const LABEL = 180;
const ROW = 30;
const BAR = 18;

/** `<svg id="score-chart">` for [{skill, score}] and the overall score. */
export function scoreChart(skills, overall) {
  const rows = [...(skills || []).map((skill) => ({ name: words(skill.skill), score: skill.score, overall: false }))];
  if (overall !== undefined && overall !== null) rows.push({ name: 'Overall', score: overall, overall: true });
  const height = Math.max(1, rows.length) * ROW + 24;
  const scale = (WIDTH - LABEL - 50) / 100;
  const description = rows.map((row) => `${row.name}: ${row.score} out of 100`).join('; ');
  const chart = svg('svg', {
    id: 'score-chart',
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-labelledby': 'score-chart-title score-chart-desc',
    class: 'chart',
  },
  svg('title', { id: 'score-chart-title' }, 'Scores by skill'),
  svg('desc', { id: 'score-chart-desc' }, description || 'No scores'));
  // grid lines at 0, 50 and 100
  for (const mark of [0, 50, 100]) {
    const x = LABEL + mark * scale;
    chart.append(
      svg('line', { x1: x, x2: x, y1: 0, y2: height - 20, class: 'grid' }),
      svg('text', { x, y: height - 6, class: 'axis', 'text-anchor': 'middle' }, String(mark)));
  }
  rows.forEach((row, index) => {
    const y = index * ROW + 4;
    const score = Math.max(0, Math.min(100, Number(row.score) || 0));
    chart.append(
      svg('text', { x: LABEL - 8, y: y + BAR - 4, class: 'label', 'text-anchor': 'end' }, row.name),
      svg('rect', { x: LABEL, y, width: Math.max(1, score * scale), height: BAR, rx: 3,
        class: row.overall ? 'chart-bar overall' : 'chart-bar', 'data-skill': row.overall ? 'overall' : row.name }),
      svg('text', { x: LABEL + score * scale + 6, y: y + BAR - 4, class: 'value' }, String(score)));
  });
  return chart;
}
