import { escapeCell, renderJson, renderMarkdown, summaryLine } from '../../report/markdown';

const row = (callerid: string, component: string, count: number, duplicates = 0) => ({
  createdTime: '2023-02-08',
  callerid,
  component,
  count,
  duplicates,
});
const read = { files: 1, rows: 2, newest: '2023-02-09T00:05:00.000Z', digest: 'd'.repeat(64) };

it.each([
  ['a|b', 'a\\|b'],
  ['a\\b', 'a\\\\b'],
  ['\\|', '\\\\\\|'],
  ['one\ntwo', 'one two'],
  ['one\r\ntwo', 'one two'],
  ['one\rtwo', 'one two'],
  ['tab\tstays', 'tab\tstays'],
  ['日本 🛒', '日本 🛒'],
])('escapes %j as %j', (input, output) => {
  expect(escapeCell(input)).toBe(output);
});

it('renders the title, summary and the exact table', () => {
  expect(renderMarkdown('2023-02-08', [row('OrderingApplication', 'checkout', 2), row('A|B', 'x', 1)])).toBe(
    [
      '# Click report for 2023-02-08',
      '',
      '3 clicks in 2 groups.',
      '',
      '| createdTime | callerid | component | count |',
      '| --- | --- | --- | --- |',
      '| 2023-02-08 | OrderingApplication | checkout | 2 |',
      '| 2023-02-08 | A\\|B | x | 1 |',
      '',
    ].join('\n'),
  );
});

it('says when there were no clicks, and keeps the header', () => {
  const md = renderMarkdown('2023-02-10', []);
  expect(md).toContain('No clicks on 2023-02-10.');
  expect(md.endsWith('| createdTime | callerid | component | count |\n| --- | --- | --- | --- |\n')).toBe(true);
});

it('uses singulars for one click in one group', () => {
  expect(summaryLine('2023-02-08', [row('a', 'b', 1)])).toBe('1 click in 1 group.');
});

it('says how many duplicate deliveries were not counted, when there were any', () => {
  expect(summaryLine('2023-02-08', [row('a', 'b', 5, 2), row('a', 'c', 3, 1)])).toBe(
    '8 clicks in 2 groups; 3 duplicate deliveries not counted.',
  );
  expect(summaryLine('2023-02-08', [row('a', 'b', 2, 1)])).toBe(
    '2 clicks in 1 group; 1 duplicate delivery not counted.',
  );
});

it('writes report.json as one line with the figures: clicks, duplicates, and what was read', () => {
  expect(renderJson('2023-02-08', [row('a', 'b', 2, 1)], read)).toBe(
    '{"date":"2023-02-08","total":2,"duplicates":1,"rows":[{"createdTime":"2023-02-08","callerid":"a","component":"b","count":2,"duplicates":1}],' +
      '"funnels":[],"visits":[],' +
      `"read":{"files":1,"rows":2,"newest":"2023-02-09T00:05:00.000Z","digest":"${'d'.repeat(64)}"}}\n`,
  );
});

describe('at most so many rows a caller', () => {
  // A: four rows, two tied at 5 clicks (the earlier wins); B: one row; C|D: three rows.
  const rows = [
    row('A', 'a', 1),
    row('A', 'b', 5),
    row('A', 'c', 9),
    row('A', 'd', 5),
    row('B', 'x', 2),
    row('C|D', 'p', 1),
    row('C|D', 'q', 1),
    row('C|D', 'r', 1),
  ];

  it('lists those with the most clicks, in the report’s order, and says what is left out', () => {
    expect(renderMarkdown('2023-02-08', rows, undefined, 2)).toBe(
      [
        '# Click report for 2023-02-08',
        '',
        '25 clicks in 8 groups.',
        '',
        '| createdTime | callerid | component | count |',
        '| --- | --- | --- | --- |',
        '| 2023-02-08 | A | b | 5 |',
        '| 2023-02-08 | A | c | 9 |',
        '| 2023-02-08 | B | x | 2 |',
        '| 2023-02-08 | C\\|D | p | 1 |',
        '| 2023-02-08 | C\\|D | q | 1 |',
        '',
        'Listed: at most 2 rows a caller, those with the most clicks; report.json has every row. Not listed: A, 2 rows (6 clicks); C\\|D, 1 row (1 click).',
        '',
      ].join('\n'),
    );
    // report.json keeps every row.
    expect(JSON.parse(renderJson('2023-02-08', rows, read)).rows).toHaveLength(8);
  });

  it('lists every row of a caller within the limit, and says nothing more', () => {
    expect(renderMarkdown('2023-02-08', rows, undefined, 4)).not.toContain('Listed:');
    expect(renderMarkdown('2023-02-08', rows, undefined, 3)).toContain('Not listed: A, 1 row (1 click).');
  });
});
