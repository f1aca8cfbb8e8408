import { escapeHtml, groupDigits, type HtmlDay, MAX_SERIES, renderHtml } from '../../report/html';
import { NASTY_STRINGS } from '../support/nasty-strings';

const day = (date: string, rows: Record<string, number> | null, problem?: string): HtmlDay => ({
  date,
  rows: rows === null ? null : Object.entries(rows).map(([component, count]) => ({ component, count })),
  problem,
});

/** The stacked marks of each day: date → [series, y, height] of each rect. */
function marks(html: string): Map<string, { series: number; y: number; height: number }[]> {
  const byDay = new Map<string, { series: number; y: number; height: number }[]>();
  for (const group of html.matchAll(/<g class="day" data-date="([^"]+)"[^>]*>([\s\S]*?)<\/g>/g)) {
    byDay.set(
      group[1],
      [
        ...group[2].matchAll(
          /<rect class="mark" x="\d+" y="(\d+)" width="\d+" height="(\d+)"[^>]*data-series="(\d+)"/g,
        ),
      ].map((m) => ({ y: Number(m[1]), height: Number(m[2]), series: Number(m[3]) })),
    );
  }
  return byDay;
}
const barHeight = (html: string, date: string) => (marks(html).get(date) ?? []).reduce((n, m) => n + m.height, 0);

it('escapes the five characters that matter in text and attributes', () => {
  expect(escapeHtml(`<a href="x">it's & </a>`)).toBe('&lt;a href=&quot;x&quot;&gt;it&#39;s &amp; &lt;/a&gt;');
});

it('groups digits by thousands', () => {
  expect([0, 999, 1000, 1234567].map(groupDigits)).toEqual(['0', '999', '1,000', '1,234,567']);
});

it.each(NASTY_STRINGS)('never lets the client value %j become markup', (value) => {
  const html = renderHtml([day('2023-02-08', { [value]: 3, plain: 1 })]);
  const escaped = escapeHtml(value);
  // The value appears only escaped: in the legend, the table head and the mark's title.
  expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(3);
  if (escaped !== value) expect(html).not.toContain(value);
  expect(html.match(/<script/gi)).toBeNull();
  expect(html.match(/<img/gi)).toBeNull();
  // Text from clients is isolated, so right-to-left text cannot reorder what follows it.
  expect(html).toContain(`<bdi>${escaped}</bdi>`);
});

it('draws each day as a bar as tall as its clicks, stacked by component', () => {
  const html = renderHtml([
    day('2023-02-07', { checkout: 10, search: 10 }),
    day('2023-02-08', { checkout: 40 }),
    day('2023-02-09', { search: 5 }),
  ]);
  expect(barHeight(html, '2023-02-08')).toBe(240); // the busiest day reaches the top tick (40)
  expect(barHeight(html, '2023-02-07')).toBe(120);
  expect(barHeight(html, '2023-02-09')).toBe(30);
  // Stacked: each mark starts where the one below it ends.
  const [first, second] = marks(html).get('2023-02-07')!;
  expect(second.y + second.height).toBe(first.y);
  expect(html).toContain('data-total="20"');
});

it('marks a day without a report as missing, never as zero', () => {
  const html = renderHtml([
    day('2023-02-07', { a: 1 }),
    day('2023-02-08', null),
    day('2023-02-09', null, 'not valid JSON'),
  ]);
  expect(html).toContain(
    '<g class="day missing" data-date="2023-02-08"><title>2023-02-08: no report (missing)</title>',
  );
  expect(html).toContain('<td colspan="2">no report: not valid JSON</td>');
  expect(html).toContain('1 click on 1 reported day; 2 days have no report.');
  expect(marks(html).has('2023-02-08')).toBe(false);
});

it('has the totals per component and overall, and the axis labels and titles', () => {
  const html = renderHtml([day('2023-02-07', { a: 1500, b: 2 }), day('2023-02-08', { a: 1, '': 4 })]);
  expect(html).toContain(
    '<tfoot><tr><th scope="row">Total</th><td>1,501</td><td>4</td><td>2</td><td>1,507</td></tr></tfoot>',
  );
  expect(html).toContain('<i>(no component)</i>');
  expect(html).toContain('>Clicks</text>');
  expect(html).toContain('>Day (UTC, MM-DD)</text>');
  expect(html).toContain('aria-labelledby="chart-1-title chart-1-desc"');
});

it('draws each caller apart, busiest first, and never merges two applications of the same component', () => {
  const rows = (callerid: string, counts: Record<string, number>) =>
    Object.entries(counts).map(([component, count]) => ({ callerid, component, count }));
  const html = renderHtml([
    { date: '2023-02-07', rows: [...rows('Shop', { checkout: 2 }), ...rows('Admin', { checkout: 5, login: 1 })] },
    { date: '2023-02-08', rows: rows('Shop', { checkout: 3 }) },
  ]);
  expect(html).toContain('11 clicks from 2 callers on 2 reported days.');
  expect([...html.matchAll(/<h2 class="caller"><bdi>([^<]+)<\/bdi><\/h2>/g)].map((m) => m[1])).toEqual([
    'Admin',
    'Shop',
  ]);
  expect(html).toContain('<title id="chart-1-title">Clicks per day by component from Admin</title>');
  expect(html).toContain('<title id="chart-2-title">Clicks per day by component from Shop</title>');
  const totals = [...html.matchAll(/<tfoot><tr><th scope="row">Total<\/th>(.*?)<\/tr><\/tfoot>/g)].map((m) => m[1]);
  expect(totals).toEqual(['<td>5</td><td>1</td><td>6</td>', '<td>5</td><td>5</td>']);
  // Admin sent nothing on 02-08: a reported day of zero clicks in its chart, not a missing one.
  expect(html).toContain('<g class="day" data-date="2023-02-08" data-total="0">');
});

it('marks a missing day lightly: a low mark on the baseline, not a bar the height of the chart', () => {
  const html = renderHtml([day('2023-02-07', { a: 10 }), day('2023-02-08', null)]);
  const mark =
    /<g class="day missing" data-date="2023-02-08">.*\n<rect x="\d+" y="(\d+)" width="\d+" height="(\d+)"\/>/.exec(
      html,
    );
  expect(mark).not.toBeNull();
  expect(Number(mark![2])).toBeLessThanOrEqual(4);
  expect(Number(mark![1]) + Number(mark![2])).toBe(256); // ends on the baseline
  expect(html).toContain('.chart .missing rect{fill:#d9d9d9}');
  expect(html).not.toContain('#b00020');
});

it('keeps the busiest components apart and folds the rest into one series', () => {
  const rows = Object.fromEntries(Array.from({ length: MAX_SERIES + 3 }, (_, i) => [`c${i}`, 100 - i]));
  const html = renderHtml([day('2023-02-07', rows)]);
  expect(html.match(/<th scope="col">/g)).toHaveLength(1 + MAX_SERIES + 1 + 1);
  expect(html).toContain('<i>all other components</i>');
  expect(html).not.toContain(`<bdi>c${MAX_SERIES}</bdi>`);
});

it('orders components by total, ties by first appearance', () => {
  const html = renderHtml([day('2023-02-07', { z: 1, y: 5 }), day('2023-02-08', { x: 5, w: 1 })]);
  const legend = [...html.matchAll(/<li><span[^>]*><\/span><bdi>([^<]*)<\/bdi><\/li>/g)].map((m) => m[1]);
  expect(legend).toEqual(['y', 'x', 'z', 'w']);
});

it('fetches nothing: no script, no external reference', () => {
  const html = renderHtml([day('2023-02-07', { a: 1 })]);
  expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
  expect(html.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg']); // the SVG namespace, a name
});

it('fits a year of days, labelling only some', () => {
  const days = Array.from({ length: 366 }, (_, i) => {
    const date = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    return day(date, { a: i });
  });
  const html = renderHtml(days);
  expect(marks(html).size).toBe(366);
  expect(barHeight(html, '2024-12-31')).toBeGreaterThan(barHeight(html, '2024-06-30'));
  const dateLabels = html.match(/text-anchor="middle">\d\d-\d\d</g)!;
  expect(dateLabels.length).toBeLessThan(366 / 5);
});

it('refuses to render no days', () => {
  expect(() => renderHtml([])).toThrow('at least one day');
});
