/** `clicklogger serve` as a child process, for the tests that talk to it over HTTP. */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'clicklogger.js');

export interface ServeProcess {
  /** `http://127.0.0.1:NNNN` */
  readonly origin: string;
  readonly port: number;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGINT, then the exit code once it has reported. */
  stop(): Promise<number | null>;
}

export interface ServeResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `serve` to its end (a refusal), without waiting for it to collect. */
export function runServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeResult> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Starts `serve` and resolves once it collects (its "collecting at" line). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let started = false;
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const origin = /collecting at (http:\/\/[^/\s]+)\/clicks/.exec(stdout)?.[1];
      if (!origin || started) return;
      started = true;
      clearTimeout(timer);
      resolve({
        origin,
        port: Number(new URL(origin).port),
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: () => {
          child.kill('SIGINT');
          return closed;
        },
      });
    });
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it collected:\n${stdout}\n${stderr}`));
    });
  });
}

/**
 * Each report row's count by component, summed over every report.json under `outDir`: all the
 * rows, where the printed response.md lists at most reportRowsPerCaller of a caller's.
 */
export function storedReportCounts(outDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const files = fs
    .readdirSync(outDir, { recursive: true })
    .map(String)
    .filter((f) => path.basename(f) === 'report.json');
  for (const file of files) {
    const { rows } = JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8')) as {
      rows: { component: string; count: number }[];
    };
    for (const row of rows) counts.set(row.component, (counts.get(row.component) ?? 0) + row.count);
  }
  return counts;
}

/** Each report row's count by component, summed over every report the output prints. */
export function reportedCounts(stdout: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of stdout.matchAll(/^\| \d{4}-\d{2}-\d{2} \| [^|]+ \| ([^|]+) \| (\d+) \|$/gm)) {
    const component = match[1].trim();
    counts.set(component, (counts.get(component) ?? 0) + Number(match[2]));
  }
  return counts;
}
