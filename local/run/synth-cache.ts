/**
 * The synthesized stack of a config, kept between runs: a synthesis loads cdktf and the AWS
 * provider's bindings, the largest part of a local run's fixed cost. An entry is keyed by the
 * config and a digest of everything the stack is built from (the sources under stacks/,
 * functions/, core/ and spark/, and the lock file that pins cdktf and the provider), so any
 * change to one of them is a new key. Entries live under node_modules/.cache, the place npm
 * tools keep caches: a run leaves nothing in the system temp folder. A checkout that cannot be
 * written (a read-only mount) simply synthesizes every time.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TerraformJson } from '../../stacks/terraform-json';

const ROOT = path.resolve(__dirname, '..', '..');
/** What a synthesis reads: its sources, and the lock file. */
const SOURCE_DIRS = ['stacks', 'functions', 'core', 'spark'];
const LOCK_FILE = 'package-lock.json';
const SKIPPED = new Set(['node_modules', '__pycache__', 'tests', '.build']);
/** Entries kept: one per config a user switches between, the oldest removed first. */
const KEPT_ENTRIES = 8;

export const SYNTH_CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'clicklogger', 'synth');

function listFiles(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !SKIPPED.has(e.name))
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

/** A digest of every file a synthesis reads under `root`: names and contents. */
export function sourceDigest(root = ROOT): string {
  const hash = createHash('sha256');
  const files = [...SOURCE_DIRS.flatMap((dir) => listFiles(path.join(root, dir))), path.join(root, LOCK_FILE)];
  for (const file of files.map((f) => path.relative(root, f)).sort()) {
    hash.update(`${file}\0`);
    try {
      hash.update(fs.readFileSync(path.join(root, file)));
    } catch {
      hash.update('\0missing');
    }
  }
  return hash.digest('hex');
}

export function cacheKey(config: unknown, digest: string): string {
  return createHash('sha256').update(JSON.stringify(config)).update('\0').update(digest).digest('hex').slice(0, 32);
}

/**
 * `synthesize(config)`, or the entry a synthesis of the same config and sources left. An entry
 * that cannot be read or parsed is synthesized again.
 */
export function cachedSynthesis<C>(
  config: C,
  synthesize: (config: C) => TerraformJson,
  options: { readonly dir?: string; readonly root?: string } = {},
): TerraformJson {
  const dir = options.dir ?? SYNTH_CACHE_DIR;
  const file = path.join(dir, `${cacheKey(config, sourceDigest(options.root))}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as TerraformJson;
    if (cached && typeof cached === 'object') return cached;
  } catch {
    // Not there, or not whole: synthesize.
  }
  const json = synthesize(config);
  store(dir, file, json);
  return json;
}

function store(dir: string, file: string, json: TerraformJson): void {
  const draft = `${file}.${process.pid}.partial`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(draft, JSON.stringify(json));
    fs.renameSync(draft, file);
    const entries = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ name, at: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of entries.slice(KEPT_ENTRIES)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    // A read-only checkout: nothing is kept, and the next run synthesizes again.
    try {
      fs.rmSync(draft, { force: true });
    } catch {
      // There was no draft.
    }
  }
}
