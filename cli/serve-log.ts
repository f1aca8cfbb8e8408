/**
 * What `clicklogger serve` says about the requests it answers: one line per batch received, or a
 * running count on a terminal. Under load that is thousands of lines a second, and a write each
 * would cost the collector more than the requests do: the lines of one turn of the event loop go
 * out in one write.
 */
import { plural } from '../core/plural';
import type { HandledRequest } from '../functions/ingest/handle';
import type { Io } from './io';

/** `20 clicks from http://127.0.0.1:5000: 20 accepted` */
export function describeBatch(origin: string | undefined, handled: HandledRequest): string {
  const from = origin ?? 'no origin';
  const { response, summary } = handled;
  if (!summary) return `refused (${response.statusCode}) a request from ${from}: ${response.error}`;
  const parts = [`${summary.accepted} accepted`];
  if (summary.rejected.length > 0) parts.push(`${summary.rejected.length} rejected`);
  if (summary.failed.length > 0) parts.push(`${summary.failed.length} failed`);
  return `${plural(handled.events, 'click')} from ${from}: ${parts.join(', ')}`;
}

export class ServeLog {
  private lines: string[] = [];
  private pending?: NodeJS.Immediate;
  private requests = 0;
  private accepted = 0;
  private throttledSoFar = 0;

  constructor(private readonly io: Io) {}

  request(origin: string | undefined, handled: HandledRequest): void {
    this.requests++;
    this.accepted += handled.summary?.accepted ?? 0;
    this.say(() => describeBatch(origin, handled));
  }

  throttled(): void {
    this.throttledSoFar++;
    const n = this.throttledSoFar;
    this.say(() => `throttled a request (429): ${n} so far`);
  }

  /** Writes what is pending now. */
  flush(): void {
    clearImmediate(this.pending);
    this.pending = undefined;
    if (this.io.tty) {
      const throttled = this.throttledSoFar ? `, ${this.throttledSoFar} throttled (429)` : '';
      this.io.progress(`${plural(this.requests, 'request')}, ${plural(this.accepted, 'click')} accepted${throttled}`);
    } else if (this.lines.length > 0) {
      this.io.out(this.lines.join('\n'));
    }
    this.lines = [];
  }

  private say(line: () => string): void {
    if (!this.io.tty) this.lines.push(line());
    this.pending ??= setImmediate(() => this.flush());
  }
}
