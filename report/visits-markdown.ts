/**
 * response.md's sections on visits, after the counts table: a funnel table per funnel and caller,
 * then one visits table. spark/report_visits.py renders the same bytes.
 */
import { duration, NONE, percent } from './figures';
import { escapeCell } from './markdown-cell';
import type { ComponentVisits, DayVisits } from './visits';

const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const top = (list: readonly ComponentVisits[]) =>
  list.length === 0 ? NONE : `${escapeCell(list[0].component)} (${list[0].visits})`;

export const FUNNEL_COLUMNS = ['step', 'visits', '% of step 1', '% of previous step', 'median time from step 1'];
export const VISIT_COLUMNS = [
  'callerid',
  'visits',
  'users',
  'clicks',
  'one-click visits',
  'median clicks',
  'median length',
  'top entry',
  'top exit',
];

export function visitsMarkdown(visits: DayVisits): string[] {
  const lines: string[] = [];
  for (const funnel of visits.funnels) {
    const first = funnel.steps[0].visits;
    lines.push(`## Funnel ${funnel.name}: ${escapeCell(funnel.callerid)}`, '', line(FUNNEL_COLUMNS));
    lines.push(line(FUNNEL_COLUMNS.map(() => '---')));
    funnel.steps.forEach((step, i) => {
      const previous = i === 0 ? NONE : percent(step.visits, funnel.steps[i - 1].visits);
      const name = `${i + 1}. ${escapeCell(step.component)}`;
      lines.push(line([name, step.visits, percent(step.visits, first), previous, duration(step.medianMsFromStart)]));
    });
    lines.push('');
  }
  if (visits.visits.length > 0) {
    lines.push('## Visits', '', line(VISIT_COLUMNS), line(VISIT_COLUMNS.map(() => '---')));
    for (const v of visits.visits) {
      lines.push(
        line([
          escapeCell(v.callerid),
          v.visits,
          v.users,
          v.clicks,
          v.singleClickVisits,
          v.medianClicksPerVisit,
          duration(v.medianVisitMs),
          top(v.entries),
          top(v.exits),
        ]),
      );
    }
    lines.push('');
  }
  return lines;
}
