/**
 * report.html's funnel charts: for a one-day page, one horizontal bar chart per funnel and
 * caller, a bar per step as long as its visits against step 1's. spark/report_visits.py
 * (`funnel_charts`) draws the same bytes, in integers only.
 */
import { duration, percent } from './figures';
import type { FunnelFigures } from './visits';

const ROW = 40;
const BAR = { left: 8, top: 8, height: 18, width: 600, labelGap: 16 } as const;
const COLOUR = '#0072b2';

export function funnelCharts(
  funnels: readonly FunnelFigures[],
  escapeHtml: (s: string) => string,
  groupDigits: (n: number) => string,
): string[] {
  if (funnels.length === 0) return [];
  const lines = ['<h2>Funnels</h2>'];
  funnels.forEach((funnel, f) => {
    const first = funnel.steps[0].visits;
    const height = BAR.top + funnel.steps.length * ROW + BAR.top;
    const width = BAR.left + BAR.width + BAR.left;
    const title = `Funnel ${escapeHtml(funnel.name)}: ${escapeHtml(funnel.callerid)}`;
    lines.push(
      `<svg class="chart funnel" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
        `aria-labelledby="funnel-${f}-title" xmlns="http://www.w3.org/2000/svg">`,
      `<title id="funnel-${f}-title">${title}</title>`,
    );
    funnel.steps.forEach((step, i) => {
      const y = BAR.top + i * ROW;
      const length = first === 0 ? 0 : Math.floor((step.visits * BAR.width) / first);
      const label =
        `${i + 1}. ${escapeHtml(step.component)}: ${groupDigits(step.visits)} ` +
        `${step.visits === 1 ? 'visit' : 'visits'} (${percent(step.visits, first)}), ` +
        `median ${duration(step.medianMsFromStart)}`;
      lines.push(`<text class="tick" x="${BAR.left}" y="${y + 11}">${label}</text>`);
      lines.push(
        `<rect class="mark" x="${BAR.left}" y="${y + BAR.labelGap}" width="${length}" height="${BAR.height}" ` +
          `fill="${COLOUR}"><title>${escapeHtml(step.component)}: ${groupDigits(step.visits)}</title></rect>`,
      );
    });
    lines.push('</svg>');
  });
  return lines;
}
