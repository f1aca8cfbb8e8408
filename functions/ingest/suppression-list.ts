/**
 * The stage's suppression list (`suppressed.json` in the output bucket), as the ingestion
 * function holds it: read on the first request, then checked again at most once a minute with a
 * conditional GET, so an unchanged list costs no body. An erase writes the list before it
 * rewrites anything; a warm container takes up to the check interval to see it.
 *
 * A list that cannot be read: with an earlier copy, that copy is used (and the error logged); with
 * none, the request fails, as storing the clicks of an erased person is worse than a retry.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { ERASURE } from '../../core/contracts';
import { parseSuppressionList } from '../../core/suppression-list';

type S3 = Pick<S3Client, 'send'>;

export const SUPPRESSION_CHECK_MS = 60_000;

export class SuppressionList {
  private ids: ReadonlySet<string> | undefined;
  private etag: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly s3: S3,
    private readonly bucket: string,
    private readonly onStale: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The pseudonyms to drop; the same Set object until the list changes. */
  async current(): Promise<ReadonlySet<string>> {
    if (this.ids !== undefined && this.now() - this.checkedAt < SUPPRESSION_CHECK_MS) return this.ids;
    try {
      await this.refresh();
    } catch (error) {
      if (this.ids === undefined) throw error;
      this.onStale(error);
    }
    this.checkedAt = this.now();
    return this.ids!;
  }

  private async refresh(): Promise<void> {
    const where = `s3://${this.bucket}/${ERASURE.suppressionList}`;
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: ERASURE.suppressionList, IfNoneMatch: this.etag }),
      );
      const ids = parseSuppressionList(await object.Body!.transformToString(), where);
      this.ids = new Set(ids);
      this.etag = object.ETag;
    } catch (error) {
      if (error instanceof NoSuchKey) {
        if (this.ids === undefined || this.ids.size > 0) this.ids = new Set();
        this.etag = undefined;
        return;
      }
      // 304: unchanged since the copy held (the SDK raises it as an error named NotModified).
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) return;
      throw error;
    }
  }
}
