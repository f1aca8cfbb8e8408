/**
 * Packing clicks into Firehose records loses and doubles nothing: under random partial failures
 * (entries answered as failed, throttled calls), every click is answered once, as delivered or
 * as failed; each delivered click reached Firehose exactly once, and no failed one did; and no
 * record holds more than 500 clicks or passes the record limit.
 */
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import fc from 'fast-check';
import { encodeRecord } from '../../../functions/ingest/batches';
import { deliver, type FirehoseSender } from '../../../functions/ingest/deliver';

/** A Firehose that fails entries and calls as `plan` says, and keeps what it took. */
class FlakyFirehose implements FirehoseSender {
  readonly taken: string[] = [];
  readonly recordSizes: { clicks: number; bytes: number }[] = [];
  private call = 0;

  constructor(private readonly plan: { throttleCalls: number[]; entryFailure: number; seed: number }) {}

  send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
    const call = this.call++;
    if (this.plan.throttleCalls.includes(call)) {
      return Promise.reject(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ServiceUnavailableException',
          $metadata: { httpStatusCode: 503 },
        }),
      );
    }
    const records = command.input.Records ?? [];
    const responses = records.map((record, entry) => {
      const text = new TextDecoder().decode(record.Data);
      const lines = text.split('\n').filter(Boolean);
      this.recordSizes.push({ clicks: lines.length, bytes: record.Data!.byteLength });
      // A deterministic coin per (call, entry): some entries fail.
      const coin = ((call * 7919 + entry * 104729 + this.plan.seed) % 1000) / 1000;
      if (coin < this.plan.entryFailure)
        return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
      this.taken.push(...lines.map((line) => (JSON.parse(line) as { requestid: string }).requestid));
      return { RecordId: `r-${call}-${entry}` };
    });
    return Promise.resolve({
      $metadata: {},
      FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length,
      RequestResponses: responses,
    });
  }
}

it('answers every click once, and delivers exactly the delivered ones, once, in records of at most 500', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1_600 }),
      fc.record({
        throttleCalls: fc.array(fc.nat(12), { maxLength: 4 }),
        entryFailure: fc.double({ min: 0, max: 0.9, noNaN: true }),
        seed: fc.nat(),
      }),
      fc.integer({ min: 50, max: 2_000 }),
      async (count, plan, padding) => {
        const clicks = Array.from({ length: count }, (_, i) =>
          encodeRecord(i, { requestid: `click-${i}`, pad: 'x'.repeat((i * padding) % 2_000) }),
        );
        const firehose = new FlakyFirehose(plan);
        const result = await deliver(firehose, clicks, {
          streamName: 's',
          deadline: Number.POSITIVE_INFINITY,
          maxAttempts: 4,
          sleep: () => Promise.resolve(),
          random: () => 0,
        });
        const delivered = [...result.delivered].sort((a, b) => a - b);
        const failed = result.failed.map((f) => f.index).sort((a, b) => a - b);
        // Every click answered once.
        expect([...delivered, ...failed].sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
        // Firehose took each delivered click exactly once, and none that failed.
        expect([...firehose.taken].sort()).toEqual(delivered.map((i) => `click-${i}`).sort());
        // Firehose's own limits, written out: deaggregation splits at most 500, a record holds 1,000 KiB.
        for (const size of firehose.recordSizes) {
          expect(size.clicks).toBeLessThanOrEqual(500);
          expect(size.bytes).toBeLessThanOrEqual(1000 * 1024);
        }
      },
    ),
    { numRuns: 150, seed: 20261130 },
  );
});
