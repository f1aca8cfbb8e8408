/**
 * Many requests' PutRecordBatch calls as one call to the local Firehose: while one call is being
 * written to disk, the calls that arrive wait, and go together in the next (up to Firehose's 500
 * records a call). Each caller gets the answers of its own records, as if it had called alone.
 * A collector takes requests concurrently; without this, each waits for the previous one's disk
 * write.
 */
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { FirehoseSender } from '../../functions/ingest/deliver';
import { LIMITS } from '../../functions/ingest/limits';

interface Waiting {
  readonly command: PutRecordBatchCommand;
  readonly resolve: (output: PutRecordBatchCommandOutput) => void;
  readonly reject: (error: unknown) => void;
}

const recordsOf = (command: PutRecordBatchCommand) => command.input.Records ?? [];

export class CoalescingFirehose implements FirehoseSender {
  private readonly waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly sink: FirehoseSender) {}

  send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ command, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** The next group: calls to one stream, at most 500 records in all (a single bigger call goes alone). */
  private nextGroup(): Waiting[] {
    const stream = this.waiting[0].command.input.DeliveryStreamName;
    let records = 0;
    let taken = 0;
    for (const { command } of this.waiting) {
      const n = recordsOf(command).length;
      if (command.input.DeliveryStreamName !== stream || (taken > 0 && records + n > LIMITS.maxBatchRecords)) break;
      records += n;
      taken++;
    }
    return this.waiting.splice(0, taken);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        const merged = new PutRecordBatchCommand({
          DeliveryStreamName: group[0].command.input.DeliveryStreamName,
          Records: group.flatMap((w) => recordsOf(w.command)),
        });
        try {
          const output = await this.sink.send(merged);
          const answers = output.RequestResponses ?? [];
          let offset = 0;
          for (const { command, resolve } of group) {
            const own = answers.slice(offset, (offset += recordsOf(command).length));
            resolve({
              $metadata: output.$metadata,
              Encrypted: output.Encrypted,
              FailedPutCount: own.filter((a) => a.ErrorCode !== undefined).length,
              RequestResponses: own,
            });
          }
        } catch (error) {
          for (const { reject } of group) reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
