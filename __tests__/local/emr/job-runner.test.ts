import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { jobEngine } from '../../../local/emr/job-engines';
import { LocalEmrServerless } from '../../../local/emr/job-runner';

const script = 's3://source/spark/report_job.py';
let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-emr-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
const localEmr = () =>
  new LocalEmrServerless({
    applicationId: 'app',
    scriptUri: script,
    engine: jobEngine('duckdb', { outDir: work, sourceBucket: 'source', parquetCompression: 'zstd' }),
  });
const params = (token?: string) => ({
  ApplicationId: 'app',
  ClientToken: token,
  JobDriver: { SparkSubmit: { EntryPoint: script, EntryPointArguments: ['2023-02-08', 'raw-bucket', 'out-bucket'] } },
});

it('starts one job per client token', async () => {
  const emr = localEmr();
  const first = emr.startJobRun(params('token-1'));
  const again = emr.startJobRun(params('token-1'));
  const other = emr.startJobRun(params('token-2'));
  expect(again.JobRunId).toBe(first.JobRunId);
  expect(other.JobRunId).not.toBe(first.JobRunId);
  await emr.idle();
  expect(emr.runs.size).toBe(2);
});

it('reports SUCCESS through GetJobRun once the report is written', async () => {
  const emr = localEmr();
  const { JobRunId } = emr.startJobRun(params());
  await emr.idle();
  const { jobRun } = await emr.send(new GetJobRunCommand({ applicationId: 'app', jobRunId: JobRunId }));
  expect(jobRun?.state).toBe('SUCCESS');
});

it.each([
  [{ ...params(), ApplicationId: 'other' }, 'EmrServerless.ResourceNotFoundException'],
  [
    { ...params(), JobDriver: { SparkSubmit: { EntryPoint: 's3://elsewhere/x.py', EntryPointArguments: [] } } },
    'EmrServerless.ValidationException',
  ],
  [
    {
      ...params(),
      JobDriver: { SparkSubmit: { EntryPoint: script, EntryPointArguments: ['2023-02-08', '../raw', 'out'] } },
    },
    'EmrServerless.ValidationException',
  ],
])('refuses a bad StartJobRun with %#', (input, name) => {
  const emr = localEmr();
  expect(() => emr.startJobRun(input)).toThrow(expect.objectContaining({ name }));
});

it('answers ResourceNotFoundException for an unknown job run', async () => {
  const emr = localEmr();
  await expect(emr.send(new GetJobRunCommand({ applicationId: 'app', jobRunId: 'nope' }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});

describe('CancelJobRun', () => {
  it('stops a running DuckDB job: the run ends CANCELLED and writes no report', async () => {
    const states: string[] = [];
    const emr = new LocalEmrServerless({
      applicationId: 'app',
      scriptUri: script,
      engine: jobEngine('duckdb', { outDir: work, sourceBucket: 'source', parquetCompression: 'zstd' }),
      onJobState: (state) => states.push(state),
    });
    const { JobRunId } = emr.startJobRun(params());
    // The job starts on the next turn of the event loop: this cancel always meets it running or about to.
    await expect(emr.cancelJobRun({ ApplicationId: 'app', JobRunId })).resolves.toEqual({
      ApplicationId: 'app',
      JobRunId,
    });
    expect(emr.runs.get(JobRunId)?.state).toBe('CANCELLED');
    expect(states[0]).toBe('SUBMITTED');
    expect(states).toContain('CANCELLING');
    expect(states.at(-1)).toBe('CANCELLED');
    expect(states).not.toContain('SUCCESS');
    expect(fs.existsSync(path.join(work, 'out-bucket'))).toBe(false);
  });

  it('refuses to cancel a job that has ended, or one it does not know', async () => {
    const emr = localEmr();
    const { JobRunId } = emr.startJobRun(params());
    await emr.idle();
    await expect(emr.cancelJobRun({ ApplicationId: 'app', JobRunId })).rejects.toMatchObject({
      name: 'EmrServerless.ValidationException',
      message: expect.stringMatching(/has already ended SUCCESS/),
    });
    await expect(emr.cancelJobRun({ ApplicationId: 'app', JobRunId: 'nope' })).rejects.toMatchObject({
      name: 'EmrServerless.ResourceNotFoundException',
    });
  });
});
