/** The ingestion function's copy of the suppression list: read once, checked again each minute, never silently empty. */
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { SUPPRESSION_CHECK_MS, SuppressionList } from '../../../functions/ingest/suppression-list';

const s3 = mockClient(S3Client);
const ALICE = `u_${'a'.repeat(26)}`;
const BOB = `u_${'b'.repeat(26)}`;
/** A GetObject body, as far as the list reads it. */
const text = (value: string) => ({ transformToString: () => Promise.resolve(value) }) as never;
const body = (ids: string[]) => text(JSON.stringify({ suppressed: ids }));
const notModified = () =>
  new S3ServiceException({ name: 'NotModified', $fault: 'client', $metadata: { httpStatusCode: 304 } });

let now = 0;
const list = (onStale = jest.fn()) => ({
  list: new SuppressionList(new S3Client({}), 'out', onStale, () => now),
  onStale,
});
beforeEach(() => {
  s3.reset();
  now = 0;
});

it('reads the list once, then asks again after a minute with the ETag, keeping the copy on 304', async () => {
  s3.on(GetObjectCommand)
    .resolvesOnce({ Body: body([ALICE]), ETag: '"v1"' })
    .rejects(notModified());
  const { list: suppression } = list();
  const first = await suppression.current();
  expect([...first]).toEqual([ALICE]);
  now += SUPPRESSION_CHECK_MS - 1;
  expect(await suppression.current()).toBe(first);
  expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  now += 1;
  expect(await suppression.current()).toBe(first);
  expect(s3.commandCalls(GetObjectCommand)[1].args[0].input).toMatchObject({
    Key: 'suppressed.json',
    IfNoneMatch: '"v1"',
  });
});

it('takes a changed list as a new set', async () => {
  s3.on(GetObjectCommand)
    .resolvesOnce({ Body: body([ALICE]), ETag: '"v1"' })
    .resolvesOnce({ Body: body([ALICE, BOB]), ETag: '"v2"' });
  const { list: suppression } = list();
  await suppression.current();
  now += SUPPRESSION_CHECK_MS;
  expect([...(await suppression.current())].sort()).toEqual([ALICE, BOB]);
});

it('treats a missing list as nobody suppressed', async () => {
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no key', $metadata: {} }));
  expect((await list().list.current()).size).toBe(0);
});

it('fails without a copy, and keeps the copy (and says so) when a later read fails', async () => {
  s3.on(GetObjectCommand)
    .rejectsOnce(new Error('AccessDenied'))
    .resolvesOnce({ Body: body([ALICE]), ETag: '"v1"' })
    .rejects(new Error('SlowDown'));
  const { list: suppression, onStale } = list();
  await expect(suppression.current()).rejects.toThrow('AccessDenied');
  const copy = await suppression.current();
  now += SUPPRESSION_CHECK_MS;
  expect(await suppression.current()).toBe(copy);
  expect(onStale).toHaveBeenCalledWith(expect.objectContaining({ message: 'SlowDown' }));
});

it('refuses a list that is not one, rather than suppressing nobody', async () => {
  s3.on(GetObjectCommand).resolves({ Body: text('{"suppressed": ["alice@example.com"]}') });
  await expect(list().list.current()).rejects.toThrow('s3://out/suppressed.json is not a suppression list');
});
