/** What the benchmark's sections share: where things are, the table's rows, and small helpers. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const CACHE = process.env.CLICKLOGGER_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'clicklogger-bench');
export const DATE = '2023-02-08';

export interface Row {
  measure: string;
  value: string;
  peer?: string;
  note?: string;
}
export const rows: Row[] = [];

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function log(line: string) {
  process.stderr.write(`bench: ${line}\n`);
}

export async function timed<T>(work: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

export async function medianOf(runs: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(work))[0]);
  return median(times);
}

/**
 * The CLI's environment as a user's shell gives it: npm run bench turns the compile caches off
 * for itself, and a user's run has them on. `cold` removes them first, as on a fresh clone.
 */
export function cliEnv(cold = false): NodeJS.ProcessEnv {
  if (cold) fs.rmSync(path.join(ROOT, 'node_modules', '.cache', 'clicklogger'), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  delete env.TSX_DISABLE_CACHE;
  return env;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}
