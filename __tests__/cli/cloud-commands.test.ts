import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runCommand } from '../../cli/run-command';
import { dateRange } from '../../cli/dates';
import { invocationBatches, sendCommand } from '../../cli/send-command';
import { main } from '../../cli/main';
import { parseOutputs } from '../../cli/stack-outputs';
import { SEED_SAMPLES } from '../../local/input/samples';
import { captureIo } from '../support/io';
import { STACK_OUTPUTS } from '../support/stack-outputs';

const lambda = mockClient(LambdaClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const outputs = STACK_OUTPUTS;
let work: string;
/** The part of an S3 body stream the CLI reads. */
const body = (text: string) => ({ transformToString: async () => text });
const noSleep = { sleep: async () => undefined, now: () => new Date('2023-02-09T01:00:00Z') };

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-cloud-'));
  fs.writeFileSync(path.join(work, 'outputs.json'), JSON.stringify(outputs));
  process.env.CLICKLOGGER_OUTPUTS_FILE = path.join(work, 'outputs.json');
});
afterAll(() => {
  delete process.env.CLICKLOGGER_OUTPUTS_FILE;
  fs.rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  lambda.reset();
  sfn.reset();
  s3.reset();
});

describe('outputs', () => {
  it('reads both the cdktf outputs file and terraform output -json', () => {
    expect(parseOutputs(outputs, 'clicklogger-dev').output_bucket).toBe(outputs['clicklogger-dev'].output_bucket);
    expect(parseOutputs({ output_bucket: { value: 'b', type: 'string' } }, 'clicklogger-dev').output_bucket).toBe('b');
  });

  it('says which outputs are missing', async () => {
    fs.writeFileSync(path.join(work, 'partial.json'), JSON.stringify({ 'clicklogger-dev': { region: 'us-east-1' } }));
    process.env.CLICKLOGGER_OUTPUTS_FILE = path.join(work, 'partial.json');
    const io = captureIo();
    expect(await main(['report', '--date', '2023-02-08'], io)).toBe(1);
    expect(io.stderr).toEqual([
      expect.stringMatching(/outputs of clicklogger-dev \(.*partial\.json\) lack output_bucket$/),
    ]);
    process.env.CLICKLOGGER_OUTPUTS_FILE = path.join(work, 'outputs.json');
  });

  it.each([
    ['does not exist', () => path.join(work, 'missing.json'), /cannot read the outputs file .*missing\.json: ENOENT$/],
    ['is a folder', () => work, /cannot read the outputs file .*: it is a folder$/],
  ])('refuses an outputs file that %s, rather than reading another stack', async (_, file, message) => {
    process.env.CLICKLOGGER_OUTPUTS_FILE = file();
    const cwd = process.cwd();
    // A synthesized stack in the working folder must not be used instead.
    fs.mkdirSync(path.join(work, 'cwd', 'cdktf.out', 'stacks', 'clicklogger-dev'), { recursive: true });
    process.chdir(path.join(work, 'cwd'));
    try {
      const io = captureIo();
      expect(await main(['report', '--date', '2023-02-08'], io)).toBe(1);
      expect(io.stderr).toEqual([expect.stringMatching(message)]);
      expect(s3.calls()).toHaveLength(0);
    } finally {
      process.chdir(cwd);
      process.env.CLICKLOGGER_OUTPUTS_FILE = path.join(work, 'outputs.json');
    }
  });
});

describe('connection failures', () => {
  it('keep their reason', async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    );
    const io = captureIo();
    expect(await main(['report', '--date', '2023-02-08'], io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/: connect ECONNREFUSED 127\.0\.0\.1:9$/)]);
  });

  it('keep the reason of an AggregateError without a message of its own', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:9'), { code: 'ECONNREFUSED' });
    s3.on(GetObjectCommand).rejects(new AggregateError([refused], ''));
    const io = captureIo();
    expect(await main(['report', '--date', '2023-02-08'], io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/: connect ECONNREFUSED ::1:9$/)]);
  });
});

describe('send', () => {
  it('invokes the ingestion function with the samples and prints the counts', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ statusCode: 200, accepted: 8, rejected: [], failed: [] })) as never,
    });
    const io = captureIo();
    expect(await sendCommand(['--sample', '--date', '2023-02-08'], io, noSleep)).toBe(0);
    const call = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(call.FunctionName).toBe('clicklogger-dev-ingestion-lambda');
    expect(JSON.parse(Buffer.from(call.Payload as Uint8Array).toString())).toHaveLength(8);
    expect(io.stdout[0]).toBe('sent 8 events to clicklogger-dev-ingestion-lambda: 8 accepted, 0 rejected, 0 failed');
  });

  it("sends the blog's payloads as they are with --sample, and dated on D with --date D", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ statusCode: 200, accepted: 8, rejected: [], failed: [] })) as never,
    });
    const sent = () =>
      JSON.parse(
        Buffer.from(lambda.commandCalls(InvokeCommand).at(-1)!.args[0].input.Payload as Uint8Array).toString(),
      );
    expect(await sendCommand(['--sample'], captureIo(), noSleep)).toBe(0);
    expect(sent()).toEqual(SEED_SAMPLES);
    expect(await sendCommand(['--sample', '--date', '2023-02-08'], captureIo(), noSleep)).toBe(0);
    expect(sent().map((e: { createdtime: string }) => e.createdtime.slice(0, 10))).toEqual(Array(8).fill('2023-02-08'));
  });

  it('adds up rejected and failed events across invocations and exits 1', async () => {
    fs.writeFileSync(
      path.join(work, 'events.json'),
      JSON.stringify(Array.from({ length: 1500 }, (_, i) => ({ requestid: `r${i}` }))),
    );
    lambda
      .on(InvokeCommand)
      .resolvesOnce({
        Payload: Buffer.from(
          JSON.stringify({
            statusCode: 400,
            accepted: 0,
            rejected: Array.from({ length: 1000 }, (_, index) => ({ index, errors: ['contextid: must be a string'] })),
            failed: [],
          }),
        ) as never,
      })
      .resolvesOnce({ FunctionError: 'Unhandled', Payload: Buffer.from('{"errorMessage":"boom"}') as never });
    const io = captureIo();
    expect(await sendCommand(['--events', path.join(work, 'events.json')], io, noSleep)).toBe(1);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
    expect(io.stdout[0]).toBe(
      'sent 1500 events to clicklogger-dev-ingestion-lambda: 0 accepted, 1000 rejected, 500 failed',
    );
    expect(io.stdout).toContain('  ×1000: contextid: must be a string');
    expect(io.stdout).toContain('  ×500: function error: {"errorMessage":"boom"}');
  });

  it.each([
    ['a count that does not add up', { statusCode: 200, accepted: 1000, rejected: [], failed: [] }],
    ['a field missing', { accepted: 8 }],
    ['not JSON', 'not json'],
  ])('counts a batch whose answer is %s as failed, and keeps the totals of the others', async (_, answer) => {
    fs.writeFileSync(path.join(work, 'sixteen.json'), JSON.stringify(Array.from({ length: 1008 }, () => ({}))));
    lambda
      .on(InvokeCommand)
      .resolvesOnce({
        Payload: Buffer.from(JSON.stringify({ statusCode: 200, accepted: 1000, rejected: [], failed: [] })) as never,
      })
      .resolvesOnce({ Payload: Buffer.from(typeof answer === 'string' ? answer : JSON.stringify(answer)) as never });
    const io = captureIo();

    const code = await sendCommand(['--events', path.join(work, 'sixteen.json')], io, noSleep);

    expect(code).toBe(1);
    expect(io.stdout[0]).toBe(
      'sent 1008 events to clicklogger-dev-ingestion-lambda: 1000 accepted, 0 rejected, 8 failed',
    );
    expect(io.stdout[1]).toMatch(/^ {2}×8: unexpected answer from the function: .+$/);
  });

  it('stops after three batches in a row time out, saying what was and was not sent', async () => {
    fs.writeFileSync(path.join(work, 'many.json'), JSON.stringify(Array.from({ length: 6000 }, () => ({}))));
    const timeout = Object.assign(new Error('Request timed out after 10000 ms'), { name: 'TimeoutError' });
    lambda
      .on(InvokeCommand)
      .resolvesOnce({
        Payload: Buffer.from(JSON.stringify({ statusCode: 200, accepted: 1000, rejected: [], failed: [] })) as never,
      })
      .rejects(timeout);
    const io = captureIo();

    const code = await sendCommand(['--events', path.join(work, 'many.json')], io, noSleep);

    expect(code).toBe(1);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(4);
    expect(io.stdout[0]).toBe(
      'sent 4000 of 6000 events to clicklogger-dev-ingestion-lambda: 1000 accepted, 0 rejected, 3000 failed',
    );
    expect(io.stdout).toContain('  ×3000: TimeoutError: Request timed out after 10000 ms');
    expect(io.stderr).toContain(
      'clicklogger: stopped after 3 batches in a row timed out; events 4001 to 6000 were not sent',
    );
  });

  it('reports its progress every few seconds when the output is not a terminal', async () => {
    fs.writeFileSync(path.join(work, 'three.json'), JSON.stringify(Array.from({ length: 3000 }, () => ({}))));
    // Each batch takes 6 s by this clock.
    let clock = Date.parse('2023-02-09T01:00:00Z');
    const now = () => new Date(clock);
    lambda.on(InvokeCommand).callsFake(() => {
      clock += 6000;
      return { Payload: Buffer.from(JSON.stringify({ statusCode: 200, accepted: 1000, rejected: [], failed: [] })) };
    });
    const io = captureIo();

    expect(await sendCommand(['--events', path.join(work, 'three.json')], io, { ...noSleep, now })).toBe(0);

    expect(io.stderr).toEqual(['sent 1000 of 3000 events…', 'sent 2000 of 3000 events…']);
  });

  it('rejects a line that is not JSON alone, as `local` does, and sends the rest', async () => {
    const good = JSON.stringify({ requestid: 'r' });
    fs.writeFileSync(path.join(work, 'lines.jsonl'), [good, '{"requestid": ', good, 'nope'].join('\n') + '\n');
    lambda.on(InvokeCommand).resolves({
      Payload: Buffer.from(JSON.stringify({ statusCode: 200, accepted: 2, rejected: [], failed: [] })) as never,
    });
    const io = captureIo();
    expect(await sendCommand(['--events', path.join(work, 'lines.jsonl')], io, noSleep)).toBe(1);
    const sent = lambda.commandCalls(InvokeCommand);
    expect(sent).toHaveLength(1);
    const payload = Buffer.from(sent[0].args[0].input.Payload as Uint8Array).toString('utf8');
    expect(JSON.parse(payload)).toEqual([{ requestid: 'r' }, { requestid: 'r' }]); // the two good lines only
    expect(io.stdout[0]).toBe(
      'sent 2 of 4 events (2 could not be read) to clicklogger-dev-ingestion-lambda: 2 accepted, 2 rejected, 0 failed',
    );
    expect(io.stdout.filter((l) => /^ {2}×1: line [24]\b/.test(l))).toHaveLength(2);
  });

  it('splits invocations by count and by size', () => {
    expect(invocationBatches(Array.from({ length: 2001 }, () => ({}))).map((b) => [b.start, b.events.length])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 1],
    ]);
    const big = 'x'.repeat(3 * 1024 * 1024);
    expect(invocationBatches([{ big }, { big }]).map((b) => b.events.length)).toEqual([1, 1]);
  });
});

describe('run', () => {
  const executionArn =
    'arn:aws:states:us-east-1:123456789012:execution:clicklogger-dev-state-machine:report-2023-02-08';
  const history: HistoryEvent[] = [
    { id: 1, type: 'ExecutionStarted', timestamp: new Date() },
    { id: 2, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: 'StartJobRun' } },
    { id: 3, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: 'GetJobStatus' } },
    {
      id: 4,
      type: 'TaskSucceeded',
      timestamp: new Date(),
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        output: '{"Payload":{"state":"RUNNING"}}',
      },
    },
  ];

  it('starts an execution for the date, shows its progress and prints each report it wrote, saying why', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: history.slice(0, 2) })
      .resolves({ events: history });
    const output = {
      InputDates: ['2023-02-06', '2023-02-08'],
      Reasons: {
        '2023-02-06': 'its partition holds 2 files, its report read 1 file: clicks arrived late',
        '2023-02-08': 'asked for',
      },
    };
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' } as never)
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(output) } as never);
    s3.on(GetObjectCommand, { Key: '2023/02/06/response.md' }).resolves({
      Body: body('# Click report for 2023-02-06\n') as never,
    });
    s3.on(GetObjectCommand, { Key: '2023/02/08/response.md' }).resolves({
      Body: body('# Click report for 2023-02-08\n') as never,
    });
    const io = captureIo();
    expect(await runCommand(['--date', '2023-02-08'], io, noSleep)).toBe(0);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!)).toEqual({
      InputDate: '2023-02-08',
    });
    const bucket = outputs['clicklogger-dev'].output_bucket;
    expect(io.stdout).toEqual([
      `started ${executionArn}`,
      '→ StartJobRun',
      '→ GetJobStatus',
      '  job state: RUNNING',
      `execution SUCCEEDED; reports in s3://${bucket}/`,
      'also reported 2023-02-06: its partition holds 2 files, its report read 1 file: clicks arrived late',
      'reported 2023-02-08',
      '',
      `s3://${bucket}/2023/02/06/response.md`,
      '# Click report for 2023-02-06',
      '',
      `s3://${bucket}/2023/02/08/response.md`,
      '# Click report for 2023-02-08',
    ]);
  });

  it('returns at once with --no-wait', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    const io = captureIo();
    expect(await runCommand(['--date', '2023-02-08', '--no-wait'], io, noSleep)).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('exits 1 with the error and cause of a failed execution', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', error: 'JobFailed', cause: 'Job run 1 ended FAILED: boom' } as never);
    const io = captureIo();
    expect(await main(['run', '--date', '2023-02-08'], io)).toBe(1);
    expect(io.stderr).toEqual(['clicklogger: execution FAILED: JobFailed: Job run 1 ended FAILED: boom']);
  });
});

describe('run --from --to (backfill)', () => {
  it('runs one execution for the whole range: one job run reports every day of it', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:1:execution:m:range', startDate: new Date() });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    // An execution that does not say which dates it reported: the asked-for ones are printed.
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{}' } as never);
    s3.on(GetObjectCommand).resolves({ Body: body('# a report\n') as never });
    const io = captureIo();
    expect(await runCommand(['--from', '2023-02-07', '--to', '2023-02-09'], io, noSleep)).toBe(0);
    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    expect(JSON.parse(starts[0].args[0].input.input!)).toEqual({ From: '2023-02-07', To: '2023-02-09' });
    expect(starts[0].args[0].input.name).toMatch(/^report-2023-02-07\.\.2023-02-09-\d+$/);
    expect(io.stdout.filter((l) => l.startsWith('reported '))).toEqual([
      'reported 2023-02-07',
      'reported 2023-02-08',
      'reported 2023-02-09',
    ]);
  });

  it.each([
    [['--from', '2023-02-09', '--to', '2023-02-08'], /--from 2023-02-09 is after --to 2023-02-08/],
    [
      ['--from', '2020-01-01', '--to', '2023-01-01'],
      /--from 2020-01-01 --to 2023-01-01 covers 1097 days; at most 366 at a time/,
    ],
    [['--from', '2023-02-01', '--to', '2023-02-02', '--date', '2023-02-01'], /use --date or --from\/--to, not both/],
    [
      ['--from', '2023-02-01', '--to', '2023-02-02', '--concurrency', '2'],
      /Unknown option '--concurrency'|--concurrency/,
    ],
    [['--from', '2023-02-01'], /--date is required|--to|real date/],
  ])('refuses %j', async (argv, message) => {
    const io = captureIo();
    expect(await main(['run', ...argv], io)).toBe(2);
    expect(io.stderr).toEqual([expect.stringMatching(message)]);
  });

  it('lists every day of a range, across month ends', () => {
    expect(dateRange('2023-02-27', '2023-03-02')).toEqual(['2023-02-27', '2023-02-28', '2023-03-01', '2023-03-02']);
  });
});

describe('report', () => {
  it('prints response.md for the date', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('# Click report for 2023-02-08\n\n1 click in 1 group.\n') as never });
    const io = captureIo();
    expect(await main(['report', '--date', '2023-02-08'], io)).toBe(0);
    expect(io.stdout).toEqual(['# Click report for 2023-02-08', '', '1 click in 1 group.']);
  });

  it('says plainly when there is no report for the date', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'nope', $metadata: {} }));
    const io = captureIo();
    expect(await main(['report', '--date', '2023-02-08'], io)).toBe(1);
    expect(io.stderr).toEqual([
      `clicklogger: no report for 2023-02-08 at s3://${outputs['clicklogger-dev'].output_bucket}/2023/02/08/response.md`,
    ]);
  });
});
