import { escapeHtml, groupDigits, renderHtml } from '../../report/html';
import { type DayTrends, trendSections } from '../../report/trend-html';

const funnel = (callerid: string, first: number, last: number) => ({
  name: 'checkout',
  callerid,
  steps: [{ visits: first }, { visits: Math.floor((first + last) / 2) }, { visits: last }],
});
const day = (date: string, trends?: DayTrends) => ({ date, trends });

const days = [
  day('2023-02-06', { funnels: [funnel('shop', 200, 50)], visits: [{ callerid: 'shop', visits: 1234 }] }),
  day('2023-02-07', {
    funnels: [funnel('shop', 3, 1), funnel('<app>', 10, 10)],
    visits: [{ callerid: '<app>', visits: 10 }],
  }),
  // No report this day: a gap, not a zero.
  day('2023-02-08'),
  day('2023-02-09', { funnels: [funnel('shop', 8, 0)], visits: [{ callerid: 'shop', visits: 8 }] }),
];

it("draws each funnel's conversion per day, with a gap where a day has no report", () => {
  const html = trendSections(days, escapeHtml, groupDigits).join('\n');
  const points = [...html.matchAll(/<title>(\d{4}-\d\d-\d\d): ([\d.]+%)<\/title>/g)].map((m) => `${m[1]} ${m[2]}`);
  // shop: 50 of 200, 1 of 3 (per-mille, rounded down), 0 of 8; <app>: 10 of 10.
  expect(points).toEqual(['2023-02-06 25.0%', '2023-02-07 33.3%', '2023-02-09 0.0%', '2023-02-07 100.0%']);
  // shop's line is broken at 2023-02-08: one segment for the first two days, the last day alone.
  expect(html.match(/<polyline/g)).toHaveLength(1);
  expect(html).toContain('Funnel checkout: &lt;app&gt;, last step of first');
});

it('tabulates the visits per day and caller; a day without a report shows no figure', () => {
  const html = trendSections(days, escapeHtml, groupDigits).join('\n');
  expect(html).toContain(
    '<thead><tr><th scope="col">Day</th><th scope="col"><bdi>shop</bdi></th><th scope="col"><bdi>&lt;app&gt;</bdi></th></tr></thead>',
  );
  expect(html).toContain('<tr><th scope="row">2023-02-06</th><td>1,234</td><td>0</td></tr>');
  expect(html).toContain('<tr><th scope="row">2023-02-08</th><td>–</td><td>–</td></tr>');
});

it('adds nothing to a one-day page, and the sections before </body> of a longer one', () => {
  expect(trendSections(days.slice(0, 1), escapeHtml, groupDigits)).toEqual([]);
  const page = renderHtml(
    days.map((d) => ({ date: d.date, rows: d.trends ? [{ component: 'a', count: 1 }] : null })),
    trendSections(days, escapeHtml, groupDigits),
  );
  expect(page.indexOf('<h2>Funnel conversion per day</h2>')).toBeGreaterThan(page.indexOf('</table>'));
  expect(page.endsWith('</div>\n</body>\n</html>\n')).toBe(true);
});
