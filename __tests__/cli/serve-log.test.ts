import { ServeLog } from '../../cli/serve-log';
import type { HandledRequest } from '../../functions/ingest/handle';
import type { IngestSummary } from '../../functions/ingest/ingest';
import { fromError, fromSummary } from '../../functions/ingest/response';
import { captureIo } from '../support/io';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function handled(accepted: number, rejected = 0): HandledRequest {
  const summary: IngestSummary = {
    accepted,
    rejected: Array.from({ length: rejected }, (_, index) => ({ index, errors: ['bad'] })),
    failed: [],
    suppressed: 0,
    calls: 1,
    records: 1,
  };
  const response = fromSummary(summary);
  return { answer: response, response, summary, events: accepted + rejected };
}

it('writes one line a request, the lines of one turn of the event loop in one write', async () => {
  // Prepare
  const captured = captureIo();
  const writes: string[] = [];
  const io = {
    ...captured,
    out: (text: string) => {
      writes.push(text);
      captured.out(text);
    },
  };
  const log = new ServeLog(io);

  // Act
  log.request('http://127.0.0.1:5000', handled(20));
  log.request(undefined, handled(1, 2));
  log.throttled();
  await nextTurn();
  const refusal = fromError(403, 'origin "http://evil.example" may not send clicks here');
  log.request('http://evil.example', { answer: refusal, response: refusal, events: 0 });
  await nextTurn();

  // Assert
  expect(captured.stdout).toEqual([
    '20 clicks from http://127.0.0.1:5000: 20 accepted',
    '3 clicks from no origin: 1 accepted, 2 rejected',
    'throttled a request (429): 1 so far',
    'refused (403) a request from http://evil.example: origin "http://evil.example" may not send clicks here',
  ]);
  expect(writes).toHaveLength(2);
});

it('keeps a running count on a terminal instead of lines', async () => {
  // Prepare
  const progress: string[] = [];
  const io = { ...captureIo(), tty: true, progress: (text: string) => void progress.push(text) };
  const log = new ServeLog(io);

  // Act
  log.request('http://a', handled(1));
  log.request('http://a', handled(20));
  log.throttled();
  await nextTurn();

  // Assert
  expect(io.stdout).toEqual([]);
  expect(progress).toEqual(['2 requests, 21 clicks accepted, 1 throttled (429)']);
});

it('writes what is pending when flushed, before the turn ends', () => {
  // Prepare
  const io = captureIo();
  const log = new ServeLog(io);
  log.request('http://a', handled(1));

  // Act
  log.flush();

  // Assert
  expect(io.stdout).toEqual(['1 click from http://a: 1 accepted']);
});
