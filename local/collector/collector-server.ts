/**
 * The collector on this machine, as API Gateway's HTTP API fronts the ingestion function: CORS
 * from the allow-list, the stage's throttle (429), and the function's answer passed through. It
 * also serves the tracker and a demo page, so that a newcomer can click and watch.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { COLLECTOR_ROUTE, originAllowed } from '../../core/collector';
import type { CollectorSettings } from '../run/synthesized-stack';
import { httpApiEvent } from './http-api-event';
import { Throttle } from './throttle';

/** API Gateway's own limit on a request body; the function's (smaller) limit is its own to answer. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** The function's answer in its HTTP form. */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface CollectorServerOptions {
  readonly settings: CollectorSettings;
  /** Runs the ingestion function on one event. */
  readonly invoke: (event: ReturnType<typeof httpApiEvent>) => Promise<HttpAnswer>;
  /** The tracker script and the demo page. */
  readonly assets: { readonly tracker: string; readonly demoPage: string };
  /** Hears each request the stage throttled. */
  readonly onThrottled?: () => void;
  /** Hears what went wrong answering a request (it was answered 500). */
  readonly onError?: (error: unknown) => void;
}

export interface CollectorServer {
  /** `http://127.0.0.1:8787`. */
  readonly origin: string;
  /** The settings take effect (the stack is synthesized after the port is taken, to know its origin). */
  configure(options: CollectorServerOptions): void;
  /** Stops taking requests and waits for those in progress to be answered. */
  close(): Promise<void>;
}

type Reply = (status: number, headers: Record<string, string>, body: string) => void;

function json(reply: Reply, status: number, message: string, extra: Record<string, string> = {}): void {
  reply(status, { 'content-type': 'application/json', ...extra }, JSON.stringify({ message }));
}

/** The CORS headers of an answer to `origin`: none for an origin the list does not hold. */
function corsHeaders(settings: CollectorSettings, origin: string | undefined): Record<string, string> {
  if (origin === undefined || !originAllowed(origin, settings.allowOrigins)) return {};
  return { 'access-control-allow-origin': settings.allowOrigins.includes('*') ? '*' : origin, vary: 'origin' };
}

function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(bytes > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function route(
  request: http.IncomingMessage,
  reply: Reply,
  options: CollectorServerOptions,
  throttle: Throttle,
): Promise<void> {
  const { settings } = options;
  const path = (request.url ?? '/').split('?', 1)[0];
  const method = request.method ?? 'GET';
  const origin = request.headers.origin;
  if (method === 'GET' && path === '/')
    return reply(200, { 'content-type': 'text/html; charset=utf-8' }, options.assets.demoPage);
  if (method === 'GET' && path === '/clicklogger.min.js') {
    return reply(
      200,
      { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' },
      options.assets.tracker,
    );
  }
  if (path !== COLLECTOR_ROUTE.path) return json(reply, 404, 'Not Found');
  if (method === 'OPTIONS') {
    // A preflight: API Gateway answers it from the CORS settings, without calling the function.
    const cors = corsHeaders(settings, origin);
    const preflight =
      'access-control-allow-origin' in cors
        ? {
            ...cors,
            'access-control-allow-methods': settings.allowMethods.join(','),
            'access-control-allow-headers': settings.allowHeaders.join(','),
            'access-control-max-age': String(settings.maxAgeSeconds),
          }
        : {};
    return reply(204, preflight, '');
  }
  if (method !== COLLECTOR_ROUTE.method) return json(reply, 404, 'Not Found');
  const cors = corsHeaders(settings, origin);
  if (!throttle.take()) {
    options.onThrottled?.();
    return json(reply, 429, 'Too Many Requests', cors);
  }
  const body = await readBody(request);
  if (body === undefined) return json(reply, 413, 'Request Entity Too Large', cors);
  const event = httpApiEvent({
    method,
    path,
    // Node gives lower-case names, as payload 2.0 does; only set-cookie comes as a list, and a request has none.
    headers: request.headers as Record<string, string | undefined>,
    body,
    sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    receivedAt: new Date(),
  });
  const answer = await options.invoke(event);
  reply(answer.statusCode, { ...answer.headers, ...cors }, answer.body);
}

/** Takes the port (a taken one rejects with EADDRINUSE) before anything else starts. */
export async function listenCollector(host: string, port: number): Promise<CollectorServer> {
  let options: CollectorServerOptions | undefined;
  let throttle: Throttle | undefined;
  const server = http.createServer((request, response) => {
    const reply: Reply = (status, headers, body) => {
      if (!response.headersSent) response.writeHead(status, headers).end(body);
    };
    if (!options || !throttle) return json(reply, 503, 'Service Unavailable: starting');
    route(request, reply, options, throttle).catch((error: unknown) => {
      json(reply, 500, 'Internal Server Error');
      options?.onError?.(error);
    });
  });
  // Keep-alive sockets would hold close() open: idle ones are closed with the server.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    origin: `http://${hostPart}:${address.port}`,
    configure(next) {
      options = next;
      throttle = new Throttle(next.settings.rateLimit, next.settings.burstLimit);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
