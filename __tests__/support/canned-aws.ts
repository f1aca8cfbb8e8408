/**
 * A loopback HTTP server that answers AWS API calls with canned HTTP responses, so that the
 * real SDK v3 clients (their retry strategies and error deserializers) meet faults exactly as
 * they would on the wire: error bodies and headers, status codes, dropped sockets, slow answers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body: string }
  | { readonly reset: true }
  | { readonly delayMs: number; readonly then: Answer }
  /** An answer made from the request's body (an endpoint that takes whatever is sent). */
  | { readonly respond: (body: string) => Answer };

export interface SeenRequest {
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly at: number;
}

/** The operation a request calls: the x-amz-target action (JSON protocols) or a REST route. */
function operationOf(req: http.IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop()!;
  const url = req.url ?? '';
  if (/\/functions\/[^/]+\/invocations/.test(url)) return 'Invoke';
  if (/^\/applications\/[^/]+\/jobruns\/[^/?]+/.test(url) && req.method === 'GET') return 'GetJobRun';
  if (/^\/applications\/[^/]+\/jobruns\/[^/?]+/.test(url) && req.method === 'DELETE') return 'CancelJobRun';
  if (/^\/applications\/[^/]+\/jobruns/.test(url) && req.method === 'POST') return 'StartJobRun';
  if (req.method === 'GET') return 'GetObject';
  return `${req.method} ${url}`;
}

export const json = (body: unknown, status = 200): Answer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** An error as the JSON protocols send it: the type in a header and in the body. */
export const jsonError = (status: number, type: string | undefined, message: string): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) },
  body: JSON.stringify(type ? { __type: type, message } : { message }),
});

/** An error as S3 (REST-XML) sends it. */
export const xmlError = (status: number, code: string, message: string): Answer => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>r</RequestId></Error>`,
});

export const RESET: Answer = { reset: true };

export class CannedAws {
  readonly requests: SeenRequest[] = [];
  private readonly answers = new Map<string, Answer[]>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  endpoint = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the next calls of `operation` in order; the last answer repeats. */
  answer(operation: string, ...answers: Answer[]): this {
    this.answers.set(operation, answers);
    return this;
  }

  calls(operation: string): SeenRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  reset(): void {
    this.requests.length = 0;
    this.answers.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = operationOf(req);
      const body = Buffer.concat(chunks).toString();
      this.requests.push({ operation, method: req.method ?? '', url: req.url ?? '', body, at: Date.now() });
      const queue = this.answers.get(operation);
      const canned = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      const answer = canned && 'respond' in canned ? canned.respond(body) : canned;
      this.send(res, answer ?? jsonError(500, 'NoCannedAnswer', `no canned answer for ${operation}`));
    });
  }

  private send(res: http.ServerResponse, answer: Answer): void {
    if ('respond' in answer) throw new Error('a respond answer cannot be delayed');
    if ('reset' in answer) {
      res.socket?.destroy();
      return;
    }
    if ('delayMs' in answer) {
      const timer = setTimeout(() => !res.destroyed && this.send(res, answer.then), answer.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body);
  }
}

/** A GetJobRun answer for job run `run-1` in `applicationId`, with `more` of its fields. */
export const jobRunAnswer = (state: string, applicationId = 'app', more: Record<string, unknown> = {}): Answer =>
  json({
    jobRun: {
      applicationId,
      jobRunId: 'run-1',
      arn: `arn:aws:emr-serverless:us-east-1:123456789012:/applications/${applicationId}/jobruns/run-1`,
      createdBy: 'x',
      createdAt: 1_700_000_000,
      updatedAt: 1_700_000_000,
      executionRole: 'arn:aws:iam::123456789012:role/r',
      releaseLabel: 'emr-7.5.0',
      jobDriver: { sparkSubmit: { entryPoint: 's3://b/spark/report_job.py' } },
      state,
      stateDetails: '',
      ...more,
    },
  });
