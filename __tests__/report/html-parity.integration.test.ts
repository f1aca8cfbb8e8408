/**
 * The Spark job writes each day's report.html with its own renderer (spark/report_page.py,
 * render_html); the local engine and `clicklogger report --html` use report/html.ts. This holds
 * the two to the same bytes over generated pages: client strings from the nasty list and from
 * all of Unicode, missing days, many components, large counts and up to a year of days.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { type HtmlDay, renderHtml } from '../../report/html';
import { pythonEnvBin, pythonEnvHas, pythonEnvVariables } from '../../local/emr/python-env';
import { requireTool } from '../support/ci';
import { NASTY_STRINGS } from '../support/nasty-strings';

const PAGES = 300;
const DAY_MS = 86_400_000;

const component = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS, '', 'checkout', 'search'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, '')),
);
const counts = fc.oneof(fc.nat(50), fc.nat(2_000_000_000));
/** A few callers, as most pages have, or any client string. */
const callerid = fc.oneof(fc.constantFrom('Shop', 'Admin', ''), component);
/** A one-day page's funnels: steps reached by fewer visits each, times from none to a day. */
const funnels = fc.array(
  fc.record({
    name: fc.constantFrom('checkout', 'sign up', 'a-b_c.d'),
    callerid: component,
    steps: fc
      .array(fc.record({ component, visits: counts, ms: fc.option(fc.nat(86_399_999)) }), {
        minLength: 2,
        maxLength: 10,
      })
      .map((steps) => {
        let most = Number.MAX_SAFE_INTEGER;
        return steps.map(({ component, visits, ms }, i) => {
          most = Math.min(most, i === 0 ? Math.max(visits, 1) : visits);
          const reached = ms === null && i > 0 ? 0 : most;
          return {
            component,
            visits: reached,
            medianMsFromStart: reached === 0 ? null : i === 0 ? 0 : (ms ?? 0),
            p90MsFromStart: reached === 0 ? null : i === 0 ? 0 : (ms ?? 0),
          };
        });
      }),
  }),
  { maxLength: 3 },
);
const page: fc.Arbitrary<HtmlDay[]> = fc
  .record({
    start: fc.integer({ min: 0, max: 3000 }),
    days: fc.array(
      fc.option(
        fc.array(fc.record({ callerid: fc.oneof(callerid, fc.constant(null)), component, count: counts }), {
          maxLength: 12,
        }),
        { freq: 5 },
      ),
      {
        minLength: 1,
        maxLength: 40,
      },
    ),
    long: fc.boolean(),
    problem: fc.constantFrom(undefined, 'missing', 'not valid JSON: <b>"x"</b>'),
    funnels,
  })
  .map(({ start, days, long, problem, funnels }) => {
    const list = long ? Array.from({ length: 366 }, (_, i) => days[i % days.length]) : days;
    return list.map((rows, i) => ({
      date: new Date(Date.UTC(2020, 0, 1) + (start + i) * DAY_MS).toISOString().slice(0, 10),
      rows,
      ...(rows === null && problem !== undefined ? { problem } : {}),
      // A report's page (one day) draws its funnels.
      ...(rows !== null && list.length === 1 ? { funnels } : {}),
    }));
  });

const hasPython = requireTool("the project's Python environment", pythonEnvHas());
(hasPython ? it : it.skip)(
  `renders the same bytes in TypeScript and in the Spark job for ${PAGES} generated pages`,
  () => {
    const pages = fc.sample(page, { seed: 20261130, numRuns: PAGES });
    const python = spawnSync(
      pythonEnvBin('python'),
      ['-c', 'import json, sys, report_page as r; print(json.dumps([r.render_html(p) for p in json.load(sys.stdin)]))'],
      {
        cwd: path.resolve(__dirname, '..', '..', 'spark'),
        input: JSON.stringify(pages),
        env: pythonEnvVariables(),
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    expect({ status: python.status, stderr: python.stderr }).toEqual({ status: 0, stderr: '' });
    const fromPython = JSON.parse(python.stdout) as string[];
    expect(fromPython).toHaveLength(PAGES);
    pages.forEach((days, i) => expect({ page: i, html: fromPython[i] }).toEqual({ page: i, html: renderHtml(days) }));
    // The generator reached what this test is about.
    const all = fromPython.join('');
    for (const piece of [
      'no report',
      'all other components',
      '(no component)',
      '&lt;script&gt;',
      ',000,',
      'class="chart funnel"',
      'median –',
      ' h ',
      ' min ',
    ]) {
      expect(all).toContain(piece);
    }
  },
);
