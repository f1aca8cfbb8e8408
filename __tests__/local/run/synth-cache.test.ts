/**
 * The synthesis cache: an entry is reused only for the same config and the same sources, and a
 * cache that cannot be read or written costs a synthesis, never a wrong stack.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedSynthesis, sourceDigest } from '../../../local/run/synth-cache';
import type { TerraformJson } from '../../../stacks/terraform-json';

let root: string;
let dir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-synth-cache-'));
  dir = path.join(root, 'node_modules', '.cache', 'synth');
  for (const [file, text] of Object.entries({
    'stacks/stack.ts': 'export const a = 1;',
    'functions/ingest/handler.ts': 'export const b = 2;',
    'core/contracts.ts': 'export const c = 3;',
    'spark/day_clicks.sql': 'SELECT 1',
    'package-lock.json': '{"lockfileVersion": 3}',
  })) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A synthesis that says which config and which call made it. */
function counting() {
  let calls = 0;
  const synthesize = (config: { stage: string }) => {
    calls += 1;
    return { resource: { made: { [config.stage]: calls } } } as unknown as TerraformJson;
  };
  return { synthesize, calls: () => calls };
}

it('reuses an entry for the same config and sources', () => {
  const synth = counting();
  const first = cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root });
  const again = cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root });
  expect(again).toEqual(first);
  expect(synth.calls()).toBe(1);
});

it('synthesizes again for another config', () => {
  const synth = counting();
  cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root });
  const prod = cachedSynthesis({ stage: 'prod' }, synth.synthesize, { dir, root });
  expect(prod).toEqual({ resource: { made: { prod: 2 } } });
});

it.each([
  'stacks/stack.ts',
  'functions/ingest/handler.ts',
  'core/contracts.ts',
  'spark/day_clicks.sql',
  'package-lock.json',
])('synthesizes again once %s changes', (file) => {
  const synth = counting();
  cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root });
  fs.appendFileSync(path.join(root, file), '\n// changed');
  expect(cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root })).toEqual({
    resource: { made: { dev: 2 } },
  });
});

it('synthesizes again once a source file is added or renamed', () => {
  const before = sourceDigest(root);
  fs.writeFileSync(path.join(root, 'stacks', 'new.ts'), '');
  const added = sourceDigest(root);
  fs.renameSync(path.join(root, 'stacks', 'new.ts'), path.join(root, 'stacks', 'other.ts'));
  expect(new Set([before, added, sourceDigest(root)]).size).toBe(3);
});

it('synthesizes again when an entry is not whole', () => {
  const synth = counting();
  cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root });
  for (const name of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, name), '{"resource": {"ma');
  expect(cachedSynthesis({ stage: 'dev' }, synth.synthesize, { dir, root })).toEqual({
    resource: { made: { dev: 2 } },
  });
});

it('synthesizes every time where nothing can be written, and says nothing', () => {
  const synth = counting();
  const blocked = path.join(root, 'a-file');
  fs.writeFileSync(blocked, '');
  const options = { dir: path.join(blocked, 'synth'), root };
  cachedSynthesis({ stage: 'dev' }, synth.synthesize, options);
  expect(cachedSynthesis({ stage: 'dev' }, synth.synthesize, options)).toEqual({ resource: { made: { dev: 2 } } });
});

it('keeps a few entries, the newest', () => {
  const synth = counting();
  for (let n = 0; n < 12; n++) cachedSynthesis({ stage: `s${n}` }, synth.synthesize, { dir, root });
  expect(fs.readdirSync(dir).length).toBe(8);
});
