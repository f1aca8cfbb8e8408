/**
 * Starts and stops the moto emulator (rehearsal/moto_launcher.py) for the deploy rehearsal,
 * and builds the test-only Terraform override that points the AWS provider at it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pythonEnvBin, pythonEnvHas } from '../local/emr/python-env';

const LAUNCHER = path.resolve(__dirname, 'moto_launcher.py');
const EMULATOR_ACCOUNT = '123456789012';
export const EMULATOR_REGION = 'us-east-1';

/** Services the stack uses, by their names in the provider's `endpoints` block. */
const PROVIDER_SERVICES = [
  'apigatewayv2',
  'cloudwatch',
  'ec2',
  'emr',
  'emrserverless',
  'firehose',
  'glue',
  'iam',
  'kms',
  'lambda',
  'logs',
  'scheduler',
  'sfn',
  'sns',
  's3',
  'sts',
];

export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export function hasMoto(): boolean {
  return pythonEnvHas('moto.server');
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts moto on a free loopback port; it stops itself after `maxSeconds`. */
export async function startEmulator(maxSeconds = 1_200, startTimeoutMs = 30_000): Promise<Emulator> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-moto-'));
  const portFile = path.join(dir, 'port');
  const logFile = path.join(dir, 'moto.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    pythonEnvBin('python'),
    [LAUNCHER, '--port-file', portFile, '--max-seconds', String(maxSeconds)],
    {
      stdio: ['ignore', log, log],
    },
  );
  fs.closeSync(log);

  const stop = async () => {
    if (child.pid === undefined) return;
    child.kill('SIGTERM');
    if (!(await exited(child, 10_000))) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  while (!fs.existsSync(portFile) || fs.readFileSync(portFile, 'utf8') === '') {
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      await stop();
      throw new Error(`the moto emulator did not start within ${startTimeoutMs / 1000} s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8'));
  return { endpoint: `http://127.0.0.1:${port}`, port, logFile, stop };
}

/**
 * A Terraform override file (`*_override.tf.json`) for the synthesized stack: it points every
 * AWS endpoint at the emulator with dummy credentials. The stack itself is not changed.
 */
export function providerOverride(endpoint: string): Record<string, unknown> {
  return {
    provider: {
      aws: [
        {
          access_key: 'emulator',
          secret_key: 'emulator',
          skip_credentials_validation: true,
          skip_metadata_api_check: 'true',
          skip_region_validation: true,
          s3_use_path_style: true,
          endpoints: [Object.fromEntries(PROVIDER_SERVICES.map((s) => [s, endpoint]))],
        },
      ],
    },
  };
}

/** Environment for SDK clients (and the CLI) talking to the emulator. */
export function emulatorEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'emulator',
    AWS_SECRET_ACCESS_KEY: 'emulator',
    AWS_REGION: EMULATOR_REGION,
  };
}

/** Queues what moto's simple Lambda backend answers to the next invocations, in order. */
export async function queueLambdaResults(endpoint: string, results: unknown[]): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/static/lambda-simple/response`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      account_id: EMULATOR_ACCOUNT,
      region: EMULATOR_REGION,
      results: results.map((r) => JSON.stringify(r)),
    }),
  });
  if (!response.ok) throw new Error(`queueing Lambda results failed: HTTP ${response.status}`);
}

/** What PlanDates answers for a run that reports `date` alone (queued: moto runs no Node Lambda). */
export const planAnswer = (date: string) => ({
  InputDates: [date],
  DatesArgument: date,
  JobName: `clicklogger-report-${date}`,
  Reasons: { [date]: 'asked for' },
});

/** What the job-status function answers for a job in `state`. */
export const jobStatusAnswer = (state: 'RUNNING' | 'SUCCESS') => ({
  jobRunId: 'queued',
  applicationId: 'queued',
  state,
  stateDetails: '',
});
