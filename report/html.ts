/**
 * The HTML report: one self-contained page (inline CSS, inline SVG charts, no script, nothing
 * fetched). For each caller, busiest first: clicks per day stacked by component, a legend, and
 * the days × components table; callers are never merged, since each is an application of its own.
 *
 * spark/report_job.py (`render_html`) renders the same bytes for its report.html; the golden
 * fixtures and a differential test hold both to it. So the layout uses integer arithmetic only
 * (floor division, no rounding, no floats) and never measures or sorts client strings: the two
 * languages agree on integers and on insertion order, not on string collation or text width.
 *
 * A one-day page also draws the day's funnels (funnel-html.ts); `clicklogger report --html` adds
 * its sections over the days (trend-html.ts), which only it renders.
 */
import { funnelCharts } from './funnel-html';
import type { FunnelFigures } from './visits';
import type { DayTrends } from './trend-html';

/** One day of the page: its report's rows, or null with the reason there is none. */
export interface HtmlDay {
  readonly date: string;
  readonly rows:
    readonly { readonly callerid?: string | null; readonly component: string | null; readonly count: number }[] | null;
  /** Why a day has no rows: "missing" (no report), or what was wrong with its report. */
  readonly problem?: string;
  /** The day's funnels: a one-day page draws them. */
  readonly funnels?: readonly FunnelFigures[];
  /** What `clicklogger report --html` draws over the days (trend-html.ts). */
  readonly trends?: DayTrends;
}

/** Colour-blind-safe (Okabe–Ito) colours for the busiest components, then grey for the rest. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#8c6d1f'];
const OTHER_COLOUR = '#999999';
export const MAX_SERIES = PALETTE.length;

const NO_COMPONENT = '(no component)';
const NO_CALLER = '(no callerid)';
const OTHER = 'all other components';

const CHART = { left: 72, top: 16, plotHeight: 240, right: 16, bottom: 56, maxWidth: 640, labelWidth: 44 } as const;
/** A day without a report: a low mark on the baseline, which a chart of sparse days is not drawn around. */
const MISSING_MARK = 4;
/** At most this many steps up the clicks axis. */
const MAX_TICKS = 5;

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** 1234567 → "1,234,567". */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** The smallest 1, 2 or 5 × 10^k at least `value` (value ≥ 1). */
function niceStep(value: number): number {
  for (let power = 1; ; power *= 10) {
    for (const m of [1, 2, 5]) if (m * power >= value) return m * power;
  }
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);

interface Series {
  readonly label: string;
  readonly colour: string;
  /** The components it stands for. */
  readonly members: readonly string[];
  readonly plain: boolean;
}

type Row = NonNullable<HtmlDay['rows']>[number];
const callerOf = (row: Row) => row.callerid ?? '';
const componentOf = (row: Row) => row.component ?? '';

/** Keys by total clicks, busiest first; ties keep the order they first appear in. */
function byTotal(rows: Iterable<Row>, key: (row: Row) => string): string[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0) + row.count);
  const ranked = [...totals.keys()].map((name, index) => ({ name, index, total: totals.get(name)! }));
  ranked.sort((a, b) => b.total - a.total || a.index - b.index);
  return ranked.map(({ name }) => name);
}

const allRows = (days: readonly HtmlDay[]) => days.flatMap((day) => day.rows ?? []);

function seriesOf(components: readonly string[]): Series[] {
  const named = components.length <= MAX_SERIES + 1 ? components : components.slice(0, MAX_SERIES);
  const series: Series[] = named.map((component, i) => ({
    label: component === '' ? NO_COMPONENT : component,
    colour: PALETTE[i] ?? OTHER_COLOUR,
    members: [component],
    plain: component === '',
  }));
  if (named.length < components.length) {
    series.push({ label: OTHER, colour: OTHER_COLOUR, members: components.slice(MAX_SERIES), plain: true });
  }
  return series;
}

function countsOf(day: HtmlDay, series: readonly Series[]): number[] {
  const byComponent = new Map<string, number>();
  for (const row of day.rows ?? [])
    byComponent.set(componentOf(row), (byComponent.get(componentOf(row)) ?? 0) + row.count);
  return series.map((s) => s.members.reduce((n, member) => n + (byComponent.get(member) ?? 0), 0));
}

const problemOf = (day: HtmlDay) => (day.problem ? day.problem : 'missing');
const clicks = (n: number) => `${groupDigits(n)} ${n === 1 ? 'click' : 'clicks'}`;
const sumOf = (values: readonly number[]) => values.reduce((n, v) => n + v, 0);

/** The label a series shows: client text escaped; the project's own labels in italics. */
const seriesLabel = (s: Series) => (s.plain ? `<i>${escapeHtml(s.label)}</i>` : `<bdi>${escapeHtml(s.label)}</bdi>`);

/** One caller's section: `id` tells its chart apart on the page, `caller` names it (none on a page without clicks). */
interface Section {
  readonly id: number;
  readonly caller?: string;
}

const callerLabel = (caller: string) => (caller === '' ? `<i>${NO_CALLER}</i>` : `<bdi>${escapeHtml(caller)}</bdi>`);

function chart(
  days: readonly HtmlDay[],
  series: readonly Series[],
  counts: readonly number[][],
  section: Section,
): string[] {
  const n = days.length;
  const slot = Math.max(4, Math.min(80, floorDiv(CHART.maxWidth, n)));
  const bar = slot - Math.max(1, floorDiv(slot, 4));
  const width = CHART.left + n * slot + CHART.right;
  const height = CHART.top + CHART.plotHeight + CHART.bottom;
  const baseline = CHART.top + CHART.plotHeight;
  const busiest = Math.max(0, ...counts.map(sumOf));
  // The fewest nice steps that reach the busiest day: its bar ends near the top.
  const step = niceStep(Math.max(1, Math.ceil(busiest / MAX_TICKS)));
  const ticks = Math.max(1, Math.ceil(busiest / step));
  const yMax = step * ticks;
  const y = (clicks: number) => baseline - floorDiv(clicks * CHART.plotHeight, yMax);
  const labelEvery = Math.max(1, Math.ceil(CHART.labelWidth / slot));

  const lines = [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-${section.id}-title chart-${section.id}-desc" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="chart-${section.id}-title">Clicks per day by component${section.caller === undefined ? '' : ` from ${escapeHtml(section.caller === '' ? NO_CALLER : section.caller)}`}</title>`,
    `<desc id="chart-${section.id}-desc">Stacked bars, one a day from ${days[0].date} to ${days[n - 1].date}; the busiest day has ${clicks(busiest)}.</desc>`,
  ];
  for (let tick = 0; tick <= ticks; tick++) {
    const ty = y(tick * step);
    lines.push(
      `<line class="grid" x1="${CHART.left}" y1="${ty}" x2="${width - CHART.right}" y2="${ty}"/>`,
      `<text class="tick" x="${CHART.left - 6}" y="${ty + 4}" text-anchor="end">${groupDigits(tick * step)}</text>`,
    );
  }
  days.forEach((day, i) => {
    const x = CHART.left + i * slot + floorDiv(slot - bar, 2);
    const total = sumOf(counts[i]);
    if (day.rows === null) {
      lines.push(
        `<g class="day missing" data-date="${day.date}"><title>${day.date}: no report (${escapeHtml(problemOf(day))})</title>`,
        `<rect x="${x}" y="${baseline - MISSING_MARK}" width="${bar}" height="${MISSING_MARK}"/></g>`,
      );
    } else {
      lines.push(
        `<g class="day" data-date="${day.date}" data-total="${total}"><title>${day.date}: ${clicks(total)}</title>`,
      );
      let below = 0;
      counts[i].forEach((count, s) => {
        if (count === 0) return;
        const top = y(below + count);
        lines.push(
          `<rect class="mark" x="${x}" y="${top}" width="${bar}" height="${y(below) - top}" fill="${series[s].colour}" data-series="${s}"><title>${day.date} · ${escapeHtml(series[s].label)}: ${groupDigits(count)}</title></rect>`,
        );
        below += count;
      });
      lines.push('</g>');
    }
    if (i % labelEvery === 0) {
      lines.push(
        `<text class="tick" x="${x + floorDiv(bar, 2)}" y="${baseline + 16}" text-anchor="middle">${day.date.slice(5)}</text>`,
      );
    }
  });
  lines.push(
    `<line class="axis" x1="${CHART.left}" y1="${baseline}" x2="${width - CHART.right}" y2="${baseline}"/>`,
    `<text class="axis-title" x="${CHART.left + floorDiv(n * slot, 2)}" y="${height - 12}" text-anchor="middle">Day (UTC, MM-DD)</text>`,
    `<text class="axis-title" x="16" y="${CHART.top + floorDiv(CHART.plotHeight, 2)}" text-anchor="middle" transform="rotate(-90 16 ${CHART.top + floorDiv(CHART.plotHeight, 2)})">Clicks</text>`,
    '</svg>',
  );
  return lines;
}

function table(days: readonly HtmlDay[], series: readonly Series[], counts: readonly number[][]): string[] {
  const head = series.map((s) => `<th scope="col">${seriesLabel(s)}</th>`).join('');
  const lines = [
    '<div class="table-wrap">',
    '<table>',
    '<caption>Clicks per day and component</caption>',
    `<thead><tr><th scope="col">Day</th>${head}<th scope="col">Total</th></tr></thead>`,
    '<tbody>',
  ];
  days.forEach((day, i) => {
    if (day.rows === null) {
      lines.push(
        `<tr class="missing"><th scope="row">${day.date}</th><td colspan="${series.length + 1}">no report: ${escapeHtml(problemOf(day))}</td></tr>`,
      );
    } else {
      const cells = counts[i].map((count) => `<td>${groupDigits(count)}</td>`).join('');
      lines.push(`<tr><th scope="row">${day.date}</th>${cells}<td>${groupDigits(sumOf(counts[i]))}</td></tr>`);
    }
  });
  const totals = series.map((_, s) => sumOf(counts.map((row) => row[s])));
  lines.push(
    '</tbody>',
    `<tfoot><tr><th scope="row">Total</th>${totals.map((t) => `<td>${groupDigits(t)}</td>`).join('')}<td>${groupDigits(sumOf(totals))}</td></tr></tfoot>`,
    '</table>',
    '</div>',
  );
  return lines;
}

const STYLE = [
  ':root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff}',
  'body{margin:0 auto;padding:1rem;max-width:60rem}',
  'h1{font-size:1.4rem;margin:0 0 .25rem}',
  'h2{font-size:1.1rem;margin:1.5rem 0 .5rem}',
  '.summary{margin:0 0 1rem;color:#444}',
  '.chart{display:block;width:100%;height:auto;max-height:24rem}',
  '.chart .grid{stroke:#e3e3e3}.chart .axis{stroke:#1b1b1b}',
  '.chart .tick{font-size:11px;fill:#444}.chart .axis-title{font-size:12px;fill:#1b1b1b}',
  '.chart .missing rect{fill:#d9d9d9}',
  '.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0 1rem}',
  '.legend li{display:flex;align-items:center;gap:.35rem;max-width:100%;min-width:0}',
  '.swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px}',
  // Client strings: one line clipped to a width, and accents stacked past the line box hidden.
  'bdi{unicode-bidi:isolate;display:inline-block;max-width:min(16rem,80vw);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}',
  '.table-wrap{overflow-x:auto}',
  'table{border-collapse:collapse;font-variant-numeric:tabular-nums}',
  'caption{text-align:left;font-weight:600;margin-bottom:.25rem}',
  'th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}',
  'th[scope=row]{text-align:left}',
  'tr.missing td{text-align:left;color:#767676}',
  'tfoot th,tfoot td{font-weight:600;border-top:2px solid #1b1b1b}',
  '@media (max-width:40rem){body{padding:.5rem}th,td{padding:.2rem .35rem}}',
  '@media print{body{max-width:none;padding:0}.chart{max-height:none;break-inside:avoid}.table-wrap{overflow:visible}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}',
].join('\n');

/**
 * The page for `days` (in date order, at least one). Days without a report (rows null) are
 * marked as such, never drawn as zero.
 */
export function renderHtml(days: readonly HtmlDay[], sections: readonly string[] = []): string {
  if (days.length === 0) throw new Error('renderHtml needs at least one day');
  const first = days[0].date;
  const last = days[days.length - 1].date;
  const title = first === last ? `Clicks on ${first}` : `Clicks from ${first} to ${last}`;
  const callers = byTotal(allRows(days), callerOf);
  const reported = days.filter((day) => day.rows !== null).length;
  const missing = days.length - reported;
  const total = sumOf(allRows(days).map((row) => row.count));
  const summary =
    `${clicks(total)}${callers.length > 1 ? ` from ${callers.length} callers` : ''} on ${reported} reported ${reported === 1 ? 'day' : 'days'}` +
    (missing > 0 ? `; ${missing} ${missing === 1 ? 'day has' : 'days have'} no report.` : '.');
  const bySection: Section[] = callers.length === 0 ? [{ id: 1 }] : callers.map((caller, i) => ({ id: i + 1, caller }));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>clicklogger: ${title}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${title}</h1>`,
    `<p class="summary">${summary}</p>`,
    ...bySection.flatMap((section) => callerSection(days, section)),
    ...(days.length === 1 ? funnelCharts(days[0].funnels ?? [], escapeHtml, groupDigits) : []),
    ...sections,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** One caller's chart, legend and table, over that caller's rows of each day. */
function callerSection(days: readonly HtmlDay[], section: Section): string[] {
  const own =
    section.caller === undefined
      ? days
      : days.map((day) => ({ ...day, rows: day.rows && day.rows.filter((row) => callerOf(row) === section.caller) }));
  const series = seriesOf(byTotal(allRows(own), componentOf));
  const counts = own.map((day) => countsOf(day, series));
  const legend = series.map(
    (s) => `<li><span class="swatch" style="background:${s.colour}"></span>${seriesLabel(s)}</li>`,
  );
  return [
    ...(section.caller === undefined ? [] : [`<h2 class="caller">${callerLabel(section.caller)}</h2>`]),
    ...chart(own, series, counts, section),
    `<ul class="legend" aria-label="Components">`,
    ...legend,
    '</ul>',
    ...table(own, series, counts),
  ];
}
