import {
  PutRecordBatchCommand,
  type PutRecordBatchCommandOutput,
  type PutRecordBatchResponseEntry,
} from '@aws-sdk/client-firehose';
import { CoalescingFirehose } from '../../../local/collector/coalescing-firehose';
import type { FirehoseSender } from '../../../functions/ingest/deliver';

/** A sink that records each call and answers when released; records whose data starts with `bad` fail. */
class HeldSink implements FirehoseSender {
  readonly calls: PutRecordBatchCommand[] = [];
  private releases: (() => void)[] = [];
  failWith?: Error;

  send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
    this.calls.push(command);
    return new Promise((resolve, reject) => {
      this.releases.push(() => {
        if (this.failWith) return reject(this.failWith);
        const answers: PutRecordBatchResponseEntry[] = (command.input.Records ?? []).map((r, i) =>
          Buffer.from(r.Data as Uint8Array)
            .toString()
            .startsWith('bad')
            ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' }
            : { RecordId: `${this.calls.length}-${i}` },
        );
        resolve({
          $metadata: {},
          FailedPutCount: answers.filter((a) => a.ErrorCode).length,
          RequestResponses: answers,
        });
      });
    });
  }

  /** Answers the calls made so far. */
  async release(): Promise<void> {
    const releases = this.releases;
    this.releases = [];
    for (const release of releases) release();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const command = (stream: string, ...data: string[]) =>
  new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: data.map((d) => ({ Data: Buffer.from(d) })) });

it('sends the calls that arrive while one is written as one call, and gives each caller its own answers', async () => {
  // Prepare
  const sink = new HeldSink();
  const firehose = new CoalescingFirehose(sink);

  // Act: the first call goes at once; three more wait for it.
  const first = firehose.send(command('s', 'a1'));
  const waiting = [
    firehose.send(command('s', 'b1', 'bad-b2')),
    firehose.send(command('s', 'c1')),
    firehose.send(command('s', 'bad-d1', 'd2', 'd3')),
  ];
  await sink.release();
  await sink.release();
  const answers = await Promise.all([first, ...waiting]);

  // Assert
  expect(sink.calls.map((c) => (c.input.Records ?? []).length)).toEqual([1, 6]);
  expect(answers.map((a) => a.RequestResponses?.map((r) => r.RecordId ?? r.ErrorCode))).toEqual([
    ['1-0'],
    ['2-0', 'ServiceUnavailableException'],
    ['2-2'],
    ['ServiceUnavailableException', '2-4', '2-5'],
  ]);
  expect(answers.map((a) => a.FailedPutCount)).toEqual([0, 1, 0, 1]);
});

it("never merges past Firehose's 500 records a call, nor calls to two streams", async () => {
  // Prepare
  const sink = new HeldSink();
  const firehose = new CoalescingFirehose(sink);
  const many = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

  // Act
  const sends = [
    firehose.send(command('s', 'first')),
    firehose.send(command('s', ...many(300))),
    firehose.send(command('s', ...many(200))),
    firehose.send(command('s', ...many(1))),
    firehose.send(command('other', 'x')),
    firehose.send(command('s', 'y')),
  ];
  for (let i = 0; i < 5; i++) await sink.release();
  await Promise.all(sends);

  // Assert
  expect(sink.calls.map((c) => [c.input.DeliveryStreamName, (c.input.Records ?? []).length])).toEqual([
    ['s', 1],
    ['s', 500],
    ['s', 1],
    ['other', 1],
    ['s', 1],
  ]);
});

it('fails every caller of a failed call, and takes the next calls as before', async () => {
  // Prepare
  const sink = new HeldSink();
  const firehose = new CoalescingFirehose(sink);
  const first = firehose.send(command('s', 'a'));
  const second = firehose.send(command('s', 'b'));
  const third = firehose.send(command('s', 'c'));
  const outcomes = Promise.allSettled([first, second, third]);

  // Act
  await sink.release();
  sink.failWith = new Error('disk full');
  await sink.release();

  // Assert
  expect((await outcomes).map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual([
    'fulfilled',
    'Error: disk full',
    'Error: disk full',
  ]);
  sink.failWith = undefined;
  const later = firehose.send(command('s', 'd'));
  await sink.release();
  await expect(later).resolves.toMatchObject({ FailedPutCount: 0 });
});
