import { ClickPrivacy, pseudonymOf } from '../../../core/privacy';
import { ingestEvents } from '../../../functions/ingest/ingest';
import { fromSummary } from '../../../functions/ingest/response';
import type { FirehoseSender } from '../../../functions/ingest/deliver';
import { TEST_PSEUDONYM_KEY } from '../../support/privacy';

const click = (requestid: string, user: string) => ({
  requestid,
  contextid: 'v',
  callerid: 'Shop',
  component: 'c',
  action: 'click',
  type: 'button',
  user,
});

it('drops the clicks of an erased user before anything is sent, and says how many in the answer', async () => {
  // Prepare
  const sent: string[] = [];
  const firehose: FirehoseSender = {
    send: (command) => {
      const records = command.input.Records ?? [];
      for (const r of records)
        sent.push(
          ...Buffer.from(r.Data as Uint8Array)
            .toString()
            .trimEnd()
            .split('\n'),
        );
      return Promise.resolve({
        $metadata: {},
        FailedPutCount: 0,
        RequestResponses: records.map(() => ({ RecordId: 'r' })),
      });
    },
  };
  const erased = pseudonymOf('alice@example.com', TEST_PSEUDONYM_KEY);
  const privacy = new ClickPrivacy(
    { clientIp: 'truncate', user: 'pseudonymize' },
    TEST_PSEUDONYM_KEY,
    new Set([erased]),
  );

  // Act
  const summary = await ingestEvents(
    [click('1', 'alice@example.com'), click('2', 'bob'), click('3', 'alice@example.com')],
    {
      firehose,
      streamName: 's',
      receivedAt: new Date(),
      deadline: Number.POSITIVE_INFINITY,
      privacy,
    },
  );

  // Assert
  expect(summary).toMatchObject({ accepted: 1, suppressed: 2, rejected: [], failed: [] });
  expect(sent.map((line) => (JSON.parse(line) as { requestid: string }).requestid)).toEqual(['2']);
  expect(fromSummary(summary)).toEqual({ statusCode: 200, accepted: 1, rejected: [], failed: [], suppressed: 2 });
});
