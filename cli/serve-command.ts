/**
 * `clicklogger serve`: the public collector on this machine. The ingestion function's own code
 * answers each request, behind the HTTP API's CORS and throttle as the synthesized stack sets
 * them, into the local Firehose. Ctrl-C stops taking requests and reports the days received,
 * as `local` does, with its lock, --keep and ledger.
 */
import * as path from 'node:path';
import { isOrigin, settingsFromEnv } from '../stacks/config';
import { ENGINES, isEngineName } from '../local/emr/engine-names';
import { sparkRuntimeProblem } from '../local/emr/spark-job';
import { type CollectorServer, type HttpAnswer, listenCollector } from '../local/collector/collector-server';
import { demoPage } from '../local/collector/demo-page';
import { RequestQueue } from '../local/collector/request-queue';
import type { CollectorRequest } from '../local/run/run-types';
import type { HandledRequest } from '../functions/ingest/handle';
import { buildTracker } from '../tracker/build';
import { describeError } from '../core/errors';
import { CliError, usageError } from './errors';
import type { Io } from './io';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import { runLocked } from './local-run';
import { ServeLog } from './serve-log';
import { SERVE_USAGE } from './usage';

const DEFAULT_PORT = 8787;
const DEFAULT_HOST = '127.0.0.1';

/** The answer to a request that came after the run stopped taking them. */
const STOPPED: HttpAnswer = {
  statusCode: 503,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Service Unavailable: the collector is stopping' }),
};

function portOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw usageError(`--port must be a port number from 0 to 65535, got "${value}"`);
  return port;
}

async function listen(host: string, port: number): Promise<CollectorServer> {
  try {
    return await listenCollector(host, port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw usageError(`port ${port} on ${host} is taken; choose another with --port`);
    if (code === 'EACCES')
      throw usageError(`port ${port} on ${host} needs privileges; choose one above 1023 with --port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      throw usageError(`cannot listen on --host ${host}: no such address on this machine`);
    throw error;
  }
}

/** The origins that name this server: a page served from it sends from there. */
function ownOrigins(server: CollectorServer, host: string): string[] {
  const { port } = new URL(server.origin);
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  return loopback ? [server.origin, `http://localhost:${port}`, `http://127.0.0.1:${port}`] : [server.origin];
}

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.serve, SERVE_USAGE);
  const port = portOf(values.port);
  const host = values.host ?? DEFAULT_HOST;
  if (host === '') throw usageError('--host must name an address, got ""');
  const allowed = values['allow-origin'] ?? [];
  for (const origin of allowed) {
    if (!isOrigin(origin))
      throw usageError(`--allow-origin must be an origin such as https://shop.example.com (no path), got "${origin}"`);
  }
  if (values.out === '') throw usageError('--out must name a folder, got ""');
  const outDir = path.resolve(values.out ?? '.clicklogger');
  const engine = values.engine ?? 'duckdb';
  if (!isEngineName(engine)) throw usageError(`--engine must be one of ${ENGINES.join(', ')}, got "${engine}"`);
  if (engine === 'spark') {
    const problem = sparkRuntimeProblem();
    if (problem) throw new CliError(problem);
  }

  // The port first: a taken one is said before anything else starts.
  const server = await listen(host, port);
  const queue = new RequestQueue<CollectorRequest>();
  const log = new ServeLog(io);
  try {
    const tracker = (await buildTracker())['clicklogger.min.js'];
    // The collector's settings are the stack's: the public collector, with this server's own origins,
    // the --allow-origin ones, and the environment's collector settings (CLICKLOGGER_COLLECTOR_*).
    const env = settingsFromEnv(process.env);
    const stackContext = {
      collector: 'public',
      collectorOrigins: [...ownOrigins(server, host), ...allowed, ...((env.collectorOrigins as string[]) ?? [])],
      collectorAllowAnyOrigin: env.collectorAllowAnyOrigin,
      collectorRateLimit: env.collectorRateLimit,
      collectorBurstLimit: env.collectorBurstLimit,
    };
    const stopTaking = async (signal: NodeJS.Signals) => {
      log.flush();
      if (io.tty) io.progress('');
      io.err(`clicklogger: ${signal}: no more requests taken; reporting the days received (again to stop at once)`);
      await server.close();
      queue.end();
    };
    return await runLocked(
      {
        command: 'serve',
        events: { requests: queue },
        source: `clicks sent to ${server.origin}/clicks`,
        outDir,
        keep: values.keep === true,
        engine,
        verbose: values.verbose === true,
        stackContext,
        onFirstSignal: (signal) => void stopTaking(signal),
        onReady: (stack) => {
          if (!stack.collector) throw new Error('the synthesized stack has no public collector');
          server.configure({
            settings: stack.collector,
            assets: { tracker, demoPage: demoPage(server.origin) },
            invoke: (event) =>
              queue.hasEnded
                ? Promise.resolve(STOPPED)
                : new Promise((resolve) => {
                    queue.push({
                      event,
                      respond: (handled) => {
                        log.request(event.headers.origin, handled);
                        resolve(handled.answer as HttpAnswer);
                      },
                    });
                  }),
            onThrottled: () => log.throttled(),
            onError: (error) => io.err(`clicklogger: a request failed: ${describeError(error)}`),
          });
          const { rateLimit, burstLimit, allowOrigins } = stack.collector;
          io.out(
            `collecting at ${server.origin}/clicks (demo page ${server.origin}/, tracker ${server.origin}/clicklogger.min.js); ` +
              `origins ${allowOrigins.join(', ')}; throttle ${rateLimit}/s, burst ${burstLimit}; Ctrl-C to stop and report`,
          );
        },
      },
      io,
    );
  } finally {
    log.flush();
    // Requests the run never took (it stopped early) are answered, so that close() can finish.
    for (const request of queue.abandon()) request.respond({ answer: STOPPED } as HandledRequest);
    await server.close();
  }
}
