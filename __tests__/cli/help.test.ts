/**
 * The help explains: each command's --help names every flag its parser takes (derived from the
 * parser's own list), with what it takes and its default, and examples that parse; `help
 * <command>` is the same; --version prints the version; a mistyped command or flag gets the
 * nearest one suggested.
 */
import { main } from '../../cli/main';
import { COMMAND_FLAGS, type CommandName } from '../../cli/command-flags';
import { parseFlags } from '../../cli/flags';
import { nearest } from '../../cli/suggest';
import { captureIo } from '../support/io';

const COMMANDS = Object.keys(COMMAND_FLAGS) as CommandName[];

async function run(argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe.each(COMMANDS)('clicklogger %s --help', (command) => {
  it('describes every flag the parser takes, and gives examples that parse', async () => {
    const { code, out, err } = await run([command, '--help']);
    expect([code, err]).toEqual([0, '']);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^usage: clicklogger ${command} `));
    for (const [flag, option] of Object.entries(COMMAND_FLAGS[command])) {
      // Each flag on a line of its own, with what it takes when it takes a value, and a text.
      const line = lines.find((l) => l.startsWith(`  --${flag} `) || l === `  --${flag}`);
      expect(line).toBeDefined();
      expect(line!.trim().length).toBeGreaterThan(`--${flag}`.length + 10);
      if (option.type === 'string') expect(line).toMatch(new RegExp(`^ {2}--${flag} [A-Z|a-z0-9-]+ `));
    }
    const examples = lines.slice(lines.indexOf('examples:') + 1).filter((l) => l.startsWith('  clicklogger '));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      const [, name, ...args] = example.trim().split(/\s+/);
      expect(name).toBe(command);
      expect(() => parseFlags(args, COMMAND_FLAGS[command], 'usage')).not.toThrow();
    }
  });

  it('is what `clicklogger help %s` prints', async () => {
    expect(await run(['help', command])).toEqual(await run([command, '--help']));
  });
});

it('states the defaults of the flags that have one', async () => {
  const { out } = await run(['serve', '--help']);
  expect(out).toMatch(/--port PORT +the port to listen on \(default: 8787\)/);
  expect((await run(['local', '--help'])).out).toMatch(/--engine duckdb\|spark .*\(default: duckdb\)/);
});

it('lists every command, and the exit codes, in the overall help', async () => {
  const { code, out } = await run(['help']);
  expect(code).toBe(0);
  for (const command of COMMANDS) expect(out).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
  expect(out).toContain('Exit codes: 0 done, 1 failed, 2 a usage error.');
  expect((await run([])).code).toBe(2);
});

it('prints the version', async () => {
  const { version } = jest.requireActual<{ version: string }>('../../package.json');
  expect(await run(['--version'])).toEqual({ code: 0, out: `clicklogger ${version}`, err: '' });
});

it.each([
  [['locl'], 'clicklogger: unknown command "locl" (did you mean "local"?); run `clicklogger help`'],
  [['help', 'reprot'], 'clicklogger: unknown command "reprot" (did you mean "report"?); run `clicklogger help`'],
  [['frobnicate'], 'clicklogger: unknown command "frobnicate"; run `clicklogger help`'],
])('suggests the nearest command: %j', async (argv, message) => {
  expect(await run(argv)).toEqual({ code: 2, out: '', err: message });
});

it('suggests the nearest flag', async () => {
  const { code, err } = await run(['local', '--evnts', 'x.jsonl']);
  expect(code).toBe(2);
  expect(err).toMatch(/^clicklogger: Unknown option '--evnts' \(did you mean --events\?\) \(usage: clicklogger local /);
  expect((await run(['cost', '--clicks-per-dya', '5'])).err).toContain('(did you mean --clicks-per-day?)');
  expect((await run(['local', '--zzz'])).err).not.toContain('did you mean');
});

it('suggests only a near name', () => {
  expect(nearest('srve', ['serve', 'send'])).toBe('serve');
  expect(nearest('ocst', ['cost'])).toBe('cost'); // two neighbours swapped: one edit
  expect(nearest('run', ['report'])).toBeUndefined();
  expect(nearest('x', ['run', 'report'])).toBeUndefined();
});

it('runs `npm run synth` without cdktf calling home (whose failure offline prints a red error)', () => {
  const { scripts } = jest.requireActual<{ scripts: Record<string, string> }>('../../package.json');
  expect(scripts.synth).toBe('CHECKPOINT_DISABLE=1 cdktf synth');
});
