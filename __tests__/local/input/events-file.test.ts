/** Event files as real systems write them, through `clicklogger local --events`. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { main } from '../../../cli/main';
import { type EventChunk, placeOf, readEvents } from '../../../local/input/events-file';
import { CLICK_FIELDS } from '../../../core/click-schema';
import { captureIo } from '../../support/io';
import { eventLine as click } from '../../support/clicks';

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-events-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function run(name: string, content: string | Buffer) {
  const file = path.join(work, name);
  fs.writeFileSync(file, content);
  const io = captureIo();
  const code = await main(['local', '--events', file, '--date', '2023-02-08', '--out', path.join(work, 'out')], io);
  return { code, io };
}

async function written(name: string, content: string): Promise<string> {
  const file = path.join(work, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Where each event of the chunk is, named. */
const places = (chunk: EventChunk) => chunk.events.map((_, i) => placeOf(chunk, i));

async function collect(file: string): Promise<EventChunk[]> {
  const chunks: EventChunk[] = [];
  for await (const chunk of readEvents(file, 2)) chunks.push(chunk);
  return chunks;
}

it('reads a file with a BOM, CRLF line ends and one malformed line, reporting the good ones and naming the bad line', async () => {
  const { code, io } = await run(
    'crlf.jsonl',
    `\ufeff${click(1)}\r\n${click(2)}\r\n{"requestid": oops\r\n${click(3)}\r\n`,
  );
  expect(code).toBe(0);
  expect(io.stdout).toContain('ingested: 3 accepted, 1 rejected, 0 failed (of 4)');
  expect(io.stdout).toContain('  rejected ×1: not valid JSON (line 3)');
  expect(io.stdout).toContain('3 clicks in 1 group.');
});

it('rejects a line with invalid UTF-8 as one event, naming it, and never replaces the bytes', async () => {
  const bad = Buffer.concat([Buffer.from(click(2).slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
  const { code, io } = await run(
    'utf8.jsonl',
    Buffer.concat([Buffer.from(`${click(1)}\n`), bad, Buffer.from(`${click(3)}\n`)]),
  );
  expect(code).toBe(0);
  expect(io.stdout).toContain('  rejected ×1: not valid UTF-8 (line 2)');
  expect(io.stdout).toContain('2 clicks in 1 group.');
});

it('says where a schema rejection is: its line, or its index in an array', async () => {
  const lines = await run('lines.jsonl', `${click(1)}\n\n${click(2, { callerid: 7 })}\n`);
  expect(lines.io.stdout).toContain('  rejected ×1: callerid: must be a string (line 3)');
  const array = await run('array.json', `[${click(1)}, ${click(2, { callerid: 7 })}]`);
  expect(array.io.stdout).toContain('  rejected ×1: callerid: must be a string (index 1)');
});

it('groups 2,000 oversize events into one line with the first few places and a count', async () => {
  const big = 'x'.repeat(200);
  const body = Array.from({ length: 2_000 }, (_, i) => click(i, { callerid: `${big}${'y'.repeat(i % 7)}` })).join('\n');
  const { io } = await run('oversize.jsonl', body);
  const rejected = io.stdout.filter((l) => l.startsWith('  rejected'));
  expect(rejected).toEqual([
    '  rejected ×2000: callerid: is N bytes, over the 128-byte limit (line 1, line 2, line 3 and 1997 more)',
  ]);
});

it('takes the events of a JSON array up to where it breaks, and names the break by line and column', async () => {
  const { code, io } = await run('broken.json', `[\n${click(1)},\n${click(2)}\n,]`);
  expect(code).toBe(0);
  expect(io.stdout).toContain('ingested: 2 accepted, 1 rejected, 0 failed (of 3)');
  expect(io.stdout).toContain(
    `  rejected ×1: not valid JSON at line 4, column 2 (ValueExpected); nothing after it in ${path.join(work, 'broken.json')} is read (index 2)`,
  );
});

it('names an array element that is not JSON by its index, line and column, and reads on', async () => {
  const chunks = await collect(await written('bad-element.json', `[${click(1)},\n  {"requestid": tru},\n${click(2)}]`));
  expect(chunks.flatMap(places)).toEqual(['index 0', 'index 2']);
  expect(chunks.flatMap((c) => c.unreadable)).toEqual([
    { where: 'index 1', reason: 'not valid JSON at line 2, column 17 (ValueExpected)' },
  ]);
});

it('says where an array that is cut short ends, after taking its whole elements', async () => {
  const chunks = await collect(await written('cut.json', `[${click(1)}, ${click(2)}`));
  expect(chunks.flatMap(places)).toEqual(['index 0', 'index 1']);
  expect(chunks.flatMap((c) => c.unreadable)).toEqual([
    {
      where: 'index 2',
      reason: expect.stringMatching(/^not valid JSON at line 1, column \d+ \(CloseBracketExpected\)/),
    },
  ]);
});

it('drops the fields a click does not have as it reads, so a large unknown field is not held', async () => {
  const chunks = await collect(
    await written('extra.jsonl', JSON.stringify({ requestid: 'r', blob: 'x'.repeat(1000) })),
  );
  expect(chunks.flatMap((c) => c.events)).toEqual([{ requestid: 'r' }]);
});

it('closes a chunk at 6 MiB of events, however few they are', async () => {
  const big = JSON.stringify({ requestid: 'r', component: 'c'.repeat(1024 * 1024) });
  const file = await written('heavy.jsonl', Array.from({ length: 20 }, () => big).join('\n'));
  const sizes: number[] = [];
  for await (const chunk of readEvents(file, 10_000)) sizes.push(chunk.events.length);
  expect(sizes).toEqual([6, 6, 6, 2]);
});

it('gives one error for a file without events, empty or an empty array alike', async () => {
  const names = { 'empty.jsonl': '', 'blank.jsonl': '\ufeff\r\n  \n', 'empty.json': '[]' };
  for (const [name, content] of Object.entries(names)) {
    const { code, io } = await run(name, content);
    expect({ name, code, stderr: io.stderr }).toEqual({
      name,
      code: 1,
      stderr: [`clicklogger: ${path.join(work, name)} holds no events`],
    });
  }
});

it('streams JSON Lines in chunks, with line numbers, across chunk and read boundaries', async () => {
  const file = path.join(work, 'many.jsonl');
  fs.writeFileSync(file, [click(1), '', 'nope', click(2), click(3)].join('\n'));
  const chunks = await collect(file);
  expect(chunks.map((c) => [places(c), c.unreadable.map((u) => u.where)])).toEqual([
    [['line 1'], ['line 3']],
    [['line 4', 'line 5'], []],
  ]);
});

it('skips a line longer than any event without holding it in memory, and names it', async () => {
  const file = path.join(work, 'long.jsonl');
  fs.writeFileSync(file, `${click(1)}\n"${'z'.repeat(9 * 1024 * 1024)}"\n${click(2)}\n`);
  const chunks = await collect(file);
  expect(chunks.flatMap(places)).toEqual(['line 1', 'line 3']);
  expect(chunks.flatMap((c) => c.unreadable)).toEqual([{ where: 'line 2', reason: 'longer than 8 MiB' }]);
});

/** An event as ingestion reads it: only the click's fields count, so the reader keeps only them. */
const KNOWN = new Set<string>(CLICK_FIELDS.map((f) => f.name));
const clickFieldsOf = (event: unknown) =>
  typeof event === 'object' && event !== null && !Array.isArray(event)
    ? Object.fromEntries(Object.entries(event).filter(([key]) => KNOWN.has(key)))
    : event;

/** What JSON Lines mean, line by line: the model the streaming reader must agree with. */
function linesModel(bytes: Buffer): {
  events: unknown[];
  where: string[];
  unreadable: { where: string; reason: string }[];
} {
  const model = {
    events: [] as unknown[],
    where: [] as string[],
    unreadable: [] as { where: string; reason: string }[],
  };
  const parts: Buffer[] = [];
  for (let from = 0; from <= bytes.length;) {
    const at = bytes.indexOf(0x0a, from);
    parts.push(bytes.subarray(from, at === -1 ? bytes.length : at));
    if (at === -1) break;
    from = at + 1;
  }
  parts.forEach((part, i) => {
    const where = `line ${i + 1}`;
    const line = part.at(-1) === 0x0d ? part.subarray(0, -1) : part;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(line); // drops one leading BOM
    } catch {
      model.unreadable.push({ where, reason: 'not valid UTF-8' });
      return;
    }
    if (text.trim() === '') return;
    try {
      model.events.push(clickFieldsOf(JSON.parse(text)));
      model.where.push(where);
    } catch {
      model.unreadable.push({ where, reason: 'not valid JSON' });
    }
  });
  return model;
}

it('reads any mix of lines as the line-by-line model does, however the input is cut into reads', async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const line = fc.oneof(
    fc
      .record({ requestid: fc.string(), note: fc.string({ unit: 'binary' }) })
      .map((o) => Buffer.from(JSON.stringify(o))),
    fc.constantFrom('', '  ', '\t', '{"a":', 'nope', '"\\ud800"', '[1]').map((t) => Buffer.from(t)),
    fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b).filter((x) => x !== 0x0a)),
    fc.constant(Buffer.from([0x7b, 0xff, 0x7d])),
  );
  const decorated = fc
    .tuple(line, fc.boolean(), fc.boolean())
    .map(([body, withBom, withCr]) =>
      Buffer.concat([withBom ? bom : Buffer.alloc(0), body, withCr ? Buffer.from('\r') : Buffer.alloc(0)]),
    );
  await fc.assert(
    fc.asyncProperty(
      fc.array(decorated, { maxLength: 40 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
      async (lines, lastNewline, cuts) => {
        // The first line is an event: the input is JSON Lines, not an array or another encoding.
        const bytes = Buffer.concat([
          Buffer.from(click(0)),
          ...lines.flatMap((l) => [Buffer.from('\n'), l]),
          Buffer.from(lastNewline ? '\n' : ''),
        ]);
        const reads: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length];
          reads.push(bytes.subarray(at, at + size));
          at += size;
        }
        const chunks: EventChunk[] = [];
        for await (const chunk of readEvents('-', 3, Readable.from(reads))) chunks.push(chunk);
        const expected = linesModel(bytes);
        expect(chunks.flatMap((c) => c.events)).toEqual(expected.events);
        expect(chunks.flatMap(places)).toEqual(expected.where);
        expect(chunks.flatMap((c) => c.unreadable)).toEqual(expected.unreadable);
      },
    ),
    { numRuns: 300 },
  );
});

it('reads any valid JSON array as JSON.parse does, element by element, however the input is cut into reads', async () => {
  // Elements that hold what a naive splitter trips on: commas, brackets and quotes inside strings,
  // escapes, nesting, astral characters, and whitespace between the tokens.
  const tricky = fc.constantFrom(',', ']', '[', '{', '}', '"', '\\', '\\"', '😀', 'é', '\n');
  const text = fc.array(fc.oneof(tricky, fc.string()), { maxLength: 5 }).map((parts) => parts.join(''));
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
    node: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('requestid', 'component', 'x', '"', ','), tie('node'), { maxKeys: 3 }),
    ),
  })).node;
  await fc.assert(
    fc.asyncProperty(
      fc.array(value, { minLength: 1, maxLength: 20 }),
      fc.constantFrom(undefined, 1, '\t'),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
      async (elements, indent, cuts) => {
        const bytes = Buffer.from(JSON.stringify(elements, null, indent));
        const reads: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          reads.push(bytes.subarray(at, at + cuts[i % cuts.length]));
          at += cuts[i % cuts.length];
        }
        const chunks: EventChunk[] = [];
        for await (const chunk of readEvents('-', 3, Readable.from(reads))) chunks.push(chunk);
        const parsed = JSON.parse(bytes.toString()) as unknown[];
        expect(chunks.flatMap((c) => c.unreadable)).toEqual([]);
        expect(chunks.flatMap((c) => c.events)).toEqual(parsed.map(clickFieldsOf));
        expect(chunks.flatMap(places)).toEqual(parsed.map((_, i) => `index ${i}`));
      },
    ),
    { numRuns: 300 },
  );
});

it('streams a JSON array and events with large unknown fields in bounded memory: a 48 MB heap reads 80 MB', () => {
  // Prepare: an 80 MB array of clicks, and 80 MB of JSON Lines whose events carry a 100 KB unknown field.
  const array = path.join(work, 'big.json');
  const lines = path.join(work, 'wide.jsonl');
  const clicks = Array.from({ length: 1000 }, (_, i) => click(i)).join(',\n');
  const arrayOut = fs.openSync(array, 'w');
  fs.writeSync(arrayOut, '[\n');
  for (let i = 0; i < 560; i++) fs.writeSync(arrayOut, `${i > 0 ? ',\n' : ''}${clicks}`);
  fs.writeSync(arrayOut, '\n]\n');
  fs.closeSync(arrayOut);
  const blob = 'x'.repeat(100_000);
  const linesOut = fs.openSync(lines, 'w');
  for (let i = 0; i < 800; i++) fs.writeSync(linesOut, `${JSON.stringify({ requestid: `r${i}`, blob })}\n`);
  fs.closeSync(linesOut);
  const count = `const { readEvents } = require(${JSON.stringify(path.resolve(__dirname, '../../../local/input/events-file.ts'))});
(async () => {
  let n = 0;
  for await (const chunk of readEvents(process.argv[1], 10000)) n += chunk.events.length + chunk.unreadable.length;
  process.stdout.write(String(n));
})();`;

  // Act: read each in a process whose heap is far smaller than the file.
  const read = (file: string) =>
    spawnSync(process.execPath, ['--max-old-space-size=48', '--import', 'tsx', '-e', count, file], {
      encoding: 'utf8',
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
  const results = [read(array), read(lines)].map((r) => ({
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr.slice(0, 300),
  }));

  // Assert: every event counted, no heap exhausted.
  expect(fs.statSync(array).size).toBeGreaterThan(80_000_000);
  expect(results).toEqual([
    { status: 0, stdout: '560000', stderr: '' },
    { status: 0, stdout: '800', stderr: '' },
  ]);
}, 60_000);

it('lists days that do not follow one another as a list, not as a range', async () => {
  const lines = [
    click(1, { createdtime: '2023-02-01T10:00:00.000Z' }),
    click(2, { createdtime: '2023-02-05T10:00:00.000Z' }),
  ];
  const file = await written('gaps.jsonl', lines.join('\n'));
  const io = captureIo();
  expect(await main(['local', '--events', file, '--out', path.join(work, 'out')], io)).toBe(0);
  expect(io.stdout).toContain('reported 2023-02-01, 2023-02-05');
});

it('says where clicks went that were stored under a day it did not report', async () => {
  // No createdtime: each click is dated when it arrives, not on --date.
  const undated = [1, 2].map((i) => JSON.stringify({ ...JSON.parse(click(i)), createdtime: undefined }));
  const { code, io } = await run('undated.jsonl', undated.join('\n'));
  expect(code).toBe(0);
  expect(io.stdout).toContainEqual(
    expect.stringMatching(
      // Two days only if the clock passes midnight between the two clicks.
      /^not reported: 2 clicks stored under \d{4}-\d\d-\d\d \(\d\)(, \d{4}-\d\d-\d\d \(1\))?; events without a createdtime are dated when they arrive: report with --date \d{4}-\d\d-\d\d$/,
    ),
  );
});

it('reports a file of more dates than one execution takes (366), in as many executions', async () => {
  const start = Date.parse('2023-01-01T12:00:00.000Z');
  const lines = Array.from({ length: 400 }, (_, i) =>
    click(i, { createdtime: new Date(start + i * 86_400_000).toISOString() }),
  );
  const file = await written('400-days.jsonl', lines.join('\n'));
  const io = captureIo();
  const code = await main(['local', '--events', file, '--out', path.join(work, 'out')], io);
  expect({ code, stderr: io.stderr }).toEqual({ code: 0, stderr: [] });
  expect(io.stdout).toContain('reported 2023-01-01 to 2024-02-04 (400 days)');
  expect(io.stdout).toContainEqual(
    expect.stringMatching(/^reconciled: 400 accepted = 400 stored = 400 counted \+ 0 duplicates /),
  );
  expect(io.stdout).toContainEqual(
    expect.stringMatching(/^report workflow: SUCCEEDED \(local-[\w-]+, local-[\w-]+\) in /),
  );
}, 120_000);
