/**
 * `clicklogger report --html` over several days: a line per funnel and caller of its conversion
 * (visits that reached the last step, of those that reached the first), and the visits per day
 * and caller. Only the CLI draws these (from each day's report.json), so only TypeScript does.
 * Days without a report, or without that funnel, leave a gap: they are not drawn as zero.
 */
import { percent } from './figures';

/** What a day's report.json says of its visits, as far as these sections need. */
export interface DayTrends {
  readonly funnels: readonly {
    readonly name: string;
    readonly callerid: string;
    readonly steps: readonly { readonly visits: number }[];
  }[];
  readonly visits: readonly { readonly callerid: string; readonly visits: number }[];
}

interface TrendDay {
  readonly date: string;
  readonly trends?: DayTrends;
}

const CHART = { left: 56, top: 16, height: 160, right: 16, bottom: 40, maxWidth: 640 } as const;
const COLOUR = '#0072b2';

/** Per-mille conversion of each day, or null where the day has no such funnel. */
function conversions(days: readonly TrendDay[], name: string, callerid: string): (number | null)[] {
  return days.map((day) => {
    const funnel = day.trends?.funnels.find((f) => f.name === name && f.callerid === callerid);
    if (!funnel || funnel.steps[0].visits === 0) return null;
    return Math.floor((funnel.steps[funnel.steps.length - 1].visits * 1000) / funnel.steps[0].visits);
  });
}

function lineChart(id: number, title: string, days: readonly TrendDay[], values: (number | null)[]): string[] {
  const slot = Math.max(4, Math.min(80, Math.floor(CHART.maxWidth / days.length)));
  const width = CHART.left + days.length * slot + CHART.right;
  const height = CHART.top + CHART.height + CHART.bottom;
  const baseline = CHART.top + CHART.height;
  const y = (perMille: number) => baseline - Math.floor((perMille * CHART.height) / 1000);
  const x = (i: number) => CHART.left + i * slot + Math.floor(slot / 2);
  const lines = [
    `<svg class="chart trend" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
      `aria-labelledby="trend-${id}-title" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="trend-${id}-title">${title}</title>`,
  ];
  for (const tick of [0, 500, 1000]) {
    lines.push(`<line class="grid" x1="${CHART.left}" y1="${y(tick)}" x2="${width - CHART.right}" y2="${y(tick)}"/>`);
    lines.push(`<text class="tick" x="${CHART.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick / 10}%</text>`);
  }
  // One polyline per run of days with a value: a day without one breaks the line.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1)
      lines.push(`<polyline fill="none" stroke="${COLOUR}" stroke-width="2" points="${run.join(' ')}"/>`);
    run = [];
  };
  values.forEach((value, i) => {
    if (value === null) return flush();
    run.push(`${x(i)},${y(value)}`);
    lines.push(
      `<circle class="mark" cx="${x(i)}" cy="${y(value)}" r="3" fill="${COLOUR}" data-date="${days[i].date}">` +
        `<title>${days[i].date}: ${percent(value, 1000)}</title></circle>`,
    );
  });
  flush();
  lines.push(
    `<text class="tick" x="${x(0)}" y="${baseline + 16}" text-anchor="middle">${days[0].date.slice(5)}</text>`,
    `<text class="tick" x="${x(days.length - 1)}" y="${baseline + 16}" text-anchor="middle">${days[days.length - 1].date.slice(5)}</text>`,
    '</svg>',
  );
  return lines;
}

export function trendSections(
  days: readonly TrendDay[],
  escapeHtml: (s: string) => string,
  groupDigits: (n: number) => string,
): string[] {
  if (days.length < 2) return [];
  const seen = <T>(pick: (t: DayTrends) => readonly T[], key: (t: T) => string) => {
    const keys = new Map<string, T>();
    for (const day of days)
      for (const item of day.trends ? pick(day.trends) : []) if (!keys.has(key(item))) keys.set(key(item), item);
    return [...keys.values()];
  };
  const funnels = seen(
    (t) => t.funnels,
    (f) => JSON.stringify([f.name, f.callerid]),
  );
  const callers = seen(
    (t) => t.visits,
    (v) => v.callerid,
  ).map((v) => v.callerid);
  const lines: string[] = [];
  if (funnels.length > 0) {
    lines.push('<h2>Funnel conversion per day</h2>');
    funnels.forEach((f, i) => {
      const title = `Funnel ${escapeHtml(f.name)}: ${escapeHtml(f.callerid)}, last step of first`;
      lines.push(...lineChart(i, title, days, conversions(days, f.name, f.callerid)));
    });
  }
  if (callers.length > 0) {
    const head = callers.map((c) => `<th scope="col"><bdi>${escapeHtml(c)}</bdi></th>`).join('');
    lines.push(
      '<h2>Visits per day</h2>',
      '<div class="table-wrap">',
      '<table>',
      '<caption>Visits per day and caller</caption>',
    );
    lines.push(`<thead><tr><th scope="col">Day</th>${head}</tr></thead>`, '<tbody>');
    for (const day of days) {
      const cells = callers.map((c) => {
        if (!day.trends) return '<td>–</td>';
        const figures = day.trends.visits.find((v) => v.callerid === c);
        return `<td>${groupDigits(figures?.visits ?? 0)}</td>`;
      });
      lines.push(`<tr><th scope="row">${day.date}</th>${cells.join('')}</tr>`);
    }
    lines.push('</tbody>', '</table>', '</div>');
  }
  return lines;
}
