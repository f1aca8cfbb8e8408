/**
 * The deploy guide (docs/deploy.md, "Your first deploy") run as written, against the moto
 * emulator: every command of its steps, in order, as a user types them, in a project folder of
 * its own (symbolic links to this checkout, so that its cdktf.out, outputs file and state are
 * its own). What the emulator cannot do is stood in for and said where: moto runs no Node
 * Lambda and no Spark, so their answers are queued and the report the job would write is put.
 * `cdktf deploy` and `destroy` get `--auto-approve` (no one answers the prompt) and
 * `--skip-provider-lock` (the provider comes from an offline mirror, not the registry).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  emulatorEnv,
  type Emulator,
  hasMoto,
  jobStatusAnswer,
  planAnswer,
  queueLambdaResults,
  startEmulator,
} from '../../rehearsal/emulator';
import { leftovers } from '../../rehearsal/leftovers';
import { findTerraform, terraformEnv } from '../../scripts/terraform';
import { requireTool } from '../support/ci';
import { guideCommands } from '../support/deploy-guide';

const ROOT = path.resolve(__dirname, '..', '..');
const ready = requireTool('terraform', findTerraform() !== undefined) && requireTool('python3 with moto', hasMoto());
const step = ready ? it : it.skip;
const DATE = '2023-02-08';
const TIMEOUT_MS = 600_000;
/** What a checkout holds that a run makes: the guide's project folder makes its own. */
const MADE_BY_RUNS = new Set(['.git', 'cdktf.out', 'cdktf-outputs.json', '.clicklogger', '.terraform']);

let emulator: Emulator | undefined;
let project: string;
let env: NodeJS.ProcessEnv;
let deployed = false;
const commands = guideCommands(fs.readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8'));

function run(command: string, extraEnv: NodeJS.ProcessEnv = env) {
  const [npx, tool, ...args] = command.split(' ');
  if (npx !== 'npx') throw new Error(`the guide's command is not run through npx: ${command}`);
  const argv =
    tool === 'clicklogger'
      ? [process.execPath, path.join(ROOT, 'bin', 'clicklogger.js'), ...args]
      : tool === 'cdktf'
        ? [path.join(ROOT, 'node_modules', '.bin', 'cdktf'), ...args, '--auto-approve', '--skip-provider-lock']
        : undefined;
  if (argv === undefined) throw new Error(`no way to run ${tool} here: ${command}`);
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: project,
    env: extraEnv,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

const s3 = () =>
  new S3Client({
    endpoint: emulator!.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
  });

beforeAll(async () => {
  if (!ready) return;
  emulator = await startEmulator(1_500);
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-guide-'));
  for (const entry of fs.readdirSync(ROOT)) {
    if (!MADE_BY_RUNS.has(entry) && !entry.endsWith('.tfstate'))
      fs.symlinkSync(path.join(ROOT, entry), path.join(project, entry));
  }
  env = {
    ...terraformEnv(project),
    ...emulatorEnv(emulator.endpoint),
    // The deployed state machine's wait between job polls; a setting, not an emulator switch.
    CLICKLOGGER_POLL_SECONDS: '5',
    CLICKLOGGER_OUTPUTS_FILE: '',
  };
}, 60_000);

afterAll(async () => {
  if (ready && deployed) run('npx cdktf destroy clicklogger-dev');
  await emulator?.stop();
  if (project) fs.rmSync(project, { recursive: true, force: true });
}, TIMEOUT_MS + 30_000);

it('the guide holds the commands this test runs, in this order', () => {
  expect(commands).toEqual([
    'npx clicklogger doctor',
    'npx clicklogger bootstrap',
    'npx cdktf deploy clicklogger-dev --outputs-file cdktf-outputs.json',
    `npx clicklogger send --sample --date ${DATE}`,
    `npx clicklogger run --date ${DATE}`,
    `npx clicklogger report --date ${DATE}`,
    'npx clicklogger cost --clicks-per-day 1000000',
    'npx cdktf destroy clicklogger-dev',
  ]);
});

describe('the deploy guide, against the moto emulator', () => {
  step(
    '1. doctor: without credentials, a ✗ with the fix and exit 1; with the emulator, the credential checks pass',
    () => {
      const bare: NodeJS.ProcessEnv = {
        ...env,
        AWS_CONFIG_FILE: path.join(project, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(project, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      for (const name of [
        'AWS_ENDPOINT_URL',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'AWS_PROFILE',
      ])
        delete bare[name];
      const offline = run(commands[0], bare);
      expect(offline.status).toBe(1);
      expect(offline.stdout).toMatch(/^✗ credentials: no AWS credentials .*AWS_PROFILE.*aws sso login/m);
      expect(offline.stdout).toMatch(/^✓ Terraform \d+\.\d+/m);

      const doctor = run(commands[0]);
      expect(doctor.stdout).toMatch(/^✓ credentials: account 123456789012 /m);
      expect(doctor.stdout).toMatch(/^✓ state: a local file, terraform\.clicklogger-dev\.tfstate/m);
      expect(doctor.stdout).toMatch(/^✗ clicklogger-dev: not deployed/m);
      expect(doctor.stdout).not.toMatch(/problems? blocks? a deploy/);
      expect(doctor.status).toBe(0);
    },
  );

  step(
    '2. bootstrap makes a versioned, encrypted, private state bucket and prints the settings to export',
    async () => {
      const bootstrap = run(commands[1]);
      expect(bootstrap.stderr).toBe('');
      expect(bootstrap.status).toBe(0);
      const exports = [...bootstrap.stdout.matchAll(/^ {2}export (\w+)=(\S+)$/gm)];
      expect(exports.map((m) => m[1])).toEqual([
        'CLICKLOGGER_BACKEND',
        'CLICKLOGGER_STATE_BUCKET',
        'CLICKLOGGER_STATE_REGION',
      ]);
      for (const [, name, value] of exports) env[name] = value;
      const Bucket = env.CLICKLOGGER_STATE_BUCKET!;
      expect(Bucket).toBe('clicklogger-tfstate-123456789012-us-east-1');
      const client = s3();
      expect((await client.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
      const encryption = await client.send(new GetBucketEncryptionCommand({ Bucket }));
      expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: 'AES256',
      });
      expect((await client.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      // Again: nothing new, the settings re-applied.
      const again = run(commands[1]);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain(`state bucket ${Bucket} (account 123456789012, us-east-1): already there`);
    },
  );

  step(
    '3. cdktf deploy keeps its state in the bootstrapped bucket and writes the outputs file',
    async () => {
      const deploy = run(commands[2]);
      deployed = true;
      expect(deploy.stdout.slice(-3000)).toMatch(/The outputs have been written to\s+\S*cdktf-outputs\.json/);
      expect(deploy.status).toBe(0);
      const state = await s3().send(new ListObjectsV2Command({ Bucket: env.CLICKLOGGER_STATE_BUCKET }));
      expect(state.Contents?.map((o) => o.Key)).toContain('clicklogger/clicklogger-dev.tfstate');
      expect(fs.existsSync(path.join(project, 'terraform.clicklogger-dev.tfstate'))).toBe(false);
      const outputs = JSON.parse(fs.readFileSync(path.join(project, 'cdktf-outputs.json'), 'utf8'));
      expect(outputs['clicklogger-dev'].ingest_function_name).toBe('clicklogger-dev-ingestion-lambda');
    },
    TIMEOUT_MS,
  );

  step(
    '4. the smoke test: send, run and report against the deployed stack',
    async () => {
      const outputs = JSON.parse(fs.readFileSync(path.join(project, 'cdktf-outputs.json'), 'utf8'))['clicklogger-dev'];
      // moto runs no Node Lambda: queue what ingestion answers.
      await queueLambdaResults(emulator!.endpoint, [{ statusCode: 200, accepted: 8, rejected: [], failed: [] }]);
      const send = run(commands[3]);
      expect(send.stdout).toContain(
        `sent 8 events to ${outputs.ingest_function_name}: 8 accepted, 0 rejected, 0 failed`,
      );
      expect(send.status).toBe(0);

      // Nor Spark: queue PlanDates' and two job polls' answers, and put the report the job writes.
      await queueLambdaResults(emulator!.endpoint, [
        planAnswer(DATE),
        jobStatusAnswer('RUNNING'),
        jobStatusAnswer('SUCCESS'),
      ]);
      await s3().send(
        new PutObjectCommand({
          Bucket: outputs.output_bucket,
          Key: '2023/02/08/response.md',
          Body: '# Click report for 2023-02-08\n',
        }),
      );
      const started = run(commands[4]);
      expect(started.stdout).toContain('execution SUCCEEDED');
      expect(started.status).toBe(0);

      const report = run(commands[5]);
      expect(report.stdout).toBe('# Click report for 2023-02-08\n');
      expect(report.status).toBe(0);
    },
    TIMEOUT_MS,
  );

  step('5. cost prices the deployed configuration', () => {
    const cost = run(commands[6]);
    expect(cost.stdout).toMatch(/clicklogger-dev/);
    expect(cost.status).toBe(0);
  });

  step(
    '7. cdktf destroy leaves nothing of the stage, and the state bucket',
    async () => {
      const destroy = run(commands[7]);
      expect(destroy.status).toBe(0);
      deployed = false;
      expect(await leftovers(emulator!.endpoint, /clicklogger[-_]dev/)).toEqual([]);
      const state = await s3().send(new ListObjectsV2Command({ Bucket: env.CLICKLOGGER_STATE_BUCKET }));
      expect(state.Contents?.map((o) => o.Key)).toContain('clicklogger/clicklogger-dev.tfstate');
    },
    TIMEOUT_MS,
  );
});
