/**
 * Where a command finds no deployed stage, it says what to do in one line: deploy (with the
 * outputs file the CLI reads), or, after `npm start`, read the local run's folder instead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadOutputs } from '../../cli/stack-outputs';

let cwd: string;
beforeEach(() => (cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-outputs-'))));
afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

const DEPLOY = 'deploy it with `npx cdktf deploy clicklogger-dev --outputs-file cdktf-outputs.json` (docs/deploy.md)';

it('says how to deploy when nothing was synthesized or deployed', () => {
  expect(() => loadOutputs({ stage: 'dev', cwd }, ['output_bucket'])).toThrow(
    `no outputs for clicklogger-dev: ${DEPLOY}, or set CLICKLOGGER_OUTPUTS_FILE`,
  );
});

it('points at the local run’s folder when there is one', () => {
  fs.mkdirSync(path.join(cwd, '.clicklogger'));
  expect(() => loadOutputs({ stage: 'dev', cwd }, ['output_bucket'])).toThrow(
    `no outputs for clicklogger-dev: ${DEPLOY}, or set CLICKLOGGER_OUTPUTS_FILE; to read the local run's folder instead, give --out .clicklogger`,
  );
});

it('tells a synthesized stack that was never deployed from one that lacks an output', () => {
  fs.mkdirSync(path.join(cwd, 'cdktf.out', 'stacks', 'clicklogger-dev'), { recursive: true });
  // terraform output of a stack without state: no outputs at all.
  const bin = path.join(cwd, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'terraform'), "#!/bin/sh\necho '{}'\n", { mode: 0o755 });
  const saved = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${saved}`;
  try {
    expect(() => loadOutputs({ stage: 'dev', cwd }, ['ingest_function_name'])).toThrow(
      `clicklogger-dev is synthesized but not deployed: ${DEPLOY}`,
    );
  } finally {
    process.env.PATH = saved;
  }
});
