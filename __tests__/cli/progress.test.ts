import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { progress } from '../../cli/progress';
import { captureIo } from '../support/io';

describe('progress', () => {
  afterEach(() => jest.useRealTimers());

  it('piped: a line on standard error every few seconds, saying where the run is, none after it stops', () => {
    jest.useFakeTimers({ now: 0 });
    const io = captureIo();
    const shown = progress(io, 5_000, () => Date.now());
    shown.show('ingesting: 10 events');
    jest.advanceTimersByTime(4_999);
    expect(io.stderr).toEqual([]);
    jest.advanceTimersByTime(1);
    shown.show('reporting: PlanDates');
    jest.advanceTimersByTime(5_000);
    shown.stop();
    jest.advanceTimersByTime(20_000);
    expect(io.stderr).toEqual(['ingesting: 10 events (5 s)', 'reporting: PlanDates (10 s)']);
  });

  it('on a terminal: one line rewritten in place, cleared at the end, nothing else written', () => {
    const lines: string[] = [];
    const io = { ...captureIo(), tty: true, progress: (text: string) => void lines.push(text) };
    const shown = progress(io);
    shown.show('a');
    shown.show('b');
    shown.stop();
    expect(lines).toEqual(['a', 'b', '']);
    expect(io.stderr).toEqual([]);
  });
});

it('a local run on a terminal shows its report phase too, not only ingestion, and clears the line', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-progress-'));
  try {
    const lines: string[] = [];
    const io = { ...captureIo(), tty: true, progress: (text: string) => void lines.push(text) };
    expect(await main(['local', '--out', out, '--date', '2023-02-08'], io)).toBe(0);
    expect(lines[0]).toBe('ingesting: 0 of 8 events');
    expect(lines).toContain('ingesting: 8 of 8 events');
    expect(lines).toContain('reporting: PlanDates');
    expect(lines).toContain('reporting: the duckdb report job is RUNNING');
    expect(lines.at(-1)).toBe('');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
