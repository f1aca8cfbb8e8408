/** The partitions and reports of a deployed stack, in S3: what plan.ts compares. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { partitionPrefix } from '../../core/contracts';
import { readRecordOf, type ReportInventory, type ReportRead, reportJsonKey } from './plan';

export class S3Inventory implements ReportInventory {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    private readonly buckets: { readonly raw: string; readonly output: string },
    /** Aborts every call once the function's time budget is spent. */
    private readonly signal?: AbortSignal,
  ) {}

  async partitionFiles(date: string): Promise<string[]> {
    const prefix = partitionPrefix(date);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.buckets.raw, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: this.signal },
      );
      for (const { Key } of page.Contents ?? []) {
        const name = Key?.slice(prefix.length);
        // Objects in the partition itself, not in folders under it.
        if (name && !name.includes('/')) names.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  async reportRead(date: string): Promise<ReportRead | 'none' | 'unknown'> {
    try {
      const { Body } = await this.s3.send(
        new GetObjectCommand({ Bucket: this.buckets.output, Key: reportJsonKey(date) }),
        { abortSignal: this.signal },
      );
      return readRecordOf((await Body?.transformToString('utf-8')) ?? '');
    } catch (error) {
      // NoSuchKey needs s3:ListBucket on the output bucket; without it S3 answers AccessDenied.
      if ((error as Error).name === 'NoSuchKey') return 'none';
      throw error;
    }
  }
}
