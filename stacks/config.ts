/**
 * The app's one typed configuration. Every value comes from the environment
 * (CLICKLOGGER_*) or, failing that, from cdktf context (`cdktf.json` "context"),
 * and otherwise from the defaults below.
 */
import { z } from 'zod';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../core/click-schema';
import { BUCKET_PURPOSES } from '../core/contracts';
import { UserError } from '../core/errors';
import { JOB_WORKERS, maxExecutors, parseCapacity } from '../core/job-sizing';
import { DEFAULT_FUNNELS, FunnelsSchema } from '../core/funnels';
import { DEFAULT_ROWS_PER_CALLER, MAX_ROWS_PER_CALLER } from '../core/report-listing';
import { CLIENT_IP_MODES, USER_MODES } from '../core/privacy';

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EmrSchema = z.object({
  /** Pinned EMR release. emr-7.5.0 ships Spark 3.5.2: keep pyspark in requirements-dev.txt in step. */
  releaseLabel: z
    .string()
    .regex(/^emr-7\.\d+\.\d+$/, 'must be a pinned emr-7.x.y release')
    .default('emr-7.5.0'),
  maxCpu: z
    .string()
    .regex(/^\d+ vCPU$/, 'a number of vCPU, such as 16 vCPU')
    .default('16 vCPU'),
  maxMemory: z
    .string()
    .regex(/^\d+ GB$/, 'a number of GB, such as 64 GB')
    .default('64 GB'),
  /**
   * The busiest day the report job is sized for: its shuffle partitions (adaptive execution
   * coalesces them on a smaller day, so a high figure costs a small day little).
   */
  clicksPerDay: int(1, 100_000_000_000).default(1_000_000_000),
  idleTimeoutMinutes: int(1, 10_080).default(15),
  jobTimeoutMinutes: int(5, 1_440).default(120),
  /**
   * Pre-initialized (always-warm, always-billed) workers. Off by default: the seed kept
   * 40 vCPU / 200 GB warm whenever the application was started.
   */
  preInitializedWorkers: int(0, 50).default(0),
});

/** A browser origin as CORS compares it: scheme, host and port, no path. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z0-9-]+(?::\d{1,5})?$/;
export const isOrigin = (value: string): boolean => ORIGIN.test(value);

export const COLLECTOR_KINDS = ['off', 'iam', 'public'] as const;

const BackendSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('s3'),
    bucket: z.string().min(3),
    keyPrefix: z.string().default('clicklogger'),
    region: z.string().optional(),
    dynamodbTable: z.string().optional(),
  }),
  z.object({ kind: z.literal('cloud'), organization: z.string().min(1), workspacePrefix: z.string().default('') }),
]);

export const ConfigSchema = z
  .object({
    appPrefix: z.string().regex(NAME, 'lower-case letters, digits and dashes').default('clicklogger'),
    stages: z.array(z.string().regex(NAME, 'lower-case letters, digits and dashes')).min(1).default(['dev']),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1')
      .default('us-east-1'),
    /** Empty buckets on destroy. Defaults to on for every stage but prod. */
    forceDestroy: bool.optional(),
    /** A KMS key for the buckets; SSE-S3 when unset. */
    kmsKeyArn: z.string().startsWith('arn:').optional(),
    studio: bool.default(false),
    /**
     * How clicks reach ingestion over HTTP: `off` (Lambda invoke only), `iam` (a Function URL with
     * AWS_IAM auth, for signed server-side callers), or `public` (an HTTP API for web pages).
     */
    collector: z.enum(COLLECTOR_KINDS).default('off'),
    /** The web origins (https://shop.example.com) whose pages may send to the public collector. */
    collectorOrigins: z
      .array(z.string().regex(ORIGIN, 'an origin such as https://shop.example.com (no path, no trailing slash)'))
      .default([]),
    /** Let every origin send (CORS `*`): only when asked for in so many words. */
    collectorAllowAnyOrigin: bool.default(false),
    /** The public stage's steady request rate (requests per second) and burst. */
    collectorRateLimit: int(1, 10_000).default(50),
    collectorBurstLimit: int(1, 5_000).default(100),
    /**
     * Concurrent executions reserved for (and capping) the ingestion function when the collector is
     * public, so that a flood is throttled instead of billed. The account must have this many to spare
     * above Lambda's unreserved minimum of 10.
     */
    collectorConcurrency: int(1, 1_000).default(10),
    logRetentionDays: z.coerce
      .number()
      .pipe(z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)]))
      .default(30),
    logBucketExpiryDays: int(1, 3_650).default(30),
    pollSeconds: int(5, 300).default(30),
    /** The first event date that Athena and other catalog readers see through partition projection. */
    firstEventDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
      .default('2020-01-01'),
    /**
     * Late clicks: each run also re-reports the days in this many days before the latest day it
     * reports whose raw partition changed since their report (0: never).
     */
    lateDays: int(0, 31).default(3),
    /** What ingestion keeps of a click's address: its network (/24, /48), nothing (`APIGWY`), or all of it. */
    clientIp: z.enum(CLIENT_IP_MODES).default('truncate'),
    /** What ingestion keeps of a click's user: a keyed pseudonym, the name as sent, or nothing (`GUEST`). */
    user: z.enum(USER_MODES).default('pseudonymize'),
    /** Raw clicks (and the error prefix) expire this many days after they are written: 13 months by default. */
    rawRetentionDays: int(1, 36_500).default(395),
    /** Ingestion refuses a createdtime more than this many seconds ahead of receipt. */
    maxClockSkewSeconds: int(0, 86_400).default(DEFAULT_MAX_CLOCK_SKEW_SECONDS),
    /** Start the report daily (EventBridge Scheduler); the run reports the day before. */
    schedule: bool.default(true),
    scheduleExpression: z.string().startsWith('cron(').default('cron(0 1 * * ? *)'),
    /** CloudWatch alarms to an SNS topic. */
    alerts: bool.default(true),
    /** Optional e-mail subscription to the alert topic (confirmed by the recipient). */
    alertEmail: z.email().optional(),
    dashboard: bool.default(true),
    /** Rows of response.md's counts table each caller gets at most (report.json keeps them all). */
    reportRowsPerCaller: int(1, MAX_ROWS_PER_CALLER).default(DEFAULT_ROWS_PER_CALLER),
    /** The funnels each daily report follows visits through (core/funnels.ts); [] for none. */
    funnels: FunnelsSchema.default(() => DEFAULT_FUNNELS.map((f) => ({ ...f, steps: [...f.steps] }))),
    emr: EmrSchema.default(EmrSchema.parse({})),
    backend: BackendSchema.default({ kind: 'local' }),
  })
  .superRefine((config, ctx) => {
    const { maxCpu, maxMemory } = config.emr;
    if (/^\d+ vCPU$/.test(maxCpu) && /^\d+ GB$/.test(maxMemory) && maxExecutors(parseCapacity(maxCpu, maxMemory)) < 1) {
      const { driver, executor } = JOB_WORKERS;
      ctx.addIssue({
        code: 'custom',
        path: ['emr', 'maxCpu'],
        message: `${maxCpu} and ${maxMemory} cannot run the report job's driver (${driver.cores} vCPU, ${driver.memoryGb} GB) and one executor (${executor.cores} vCPU, ${executor.memoryGb} GB)`,
      });
    }
    if (config.collector !== 'public') return;
    if (config.collectorOrigins.length === 0 && !config.collectorAllowAnyOrigin) {
      ctx.addIssue({
        code: 'custom',
        path: ['collectorOrigins'],
        message:
          'a public collector needs the origins of the pages that send to it (CLICKLOGGER_COLLECTOR_ORIGINS=https://shop.example.com), or collectorAllowAnyOrigin',
      });
    }
  });

export type ClickloggerConfig = z.infer<typeof ConfigSchema>;
export type BackendConfig = ClickloggerConfig['backend'];
export type CollectorKind = (typeof COLLECTOR_KINDS)[number];

/** The origins the public collector admits, as CORS and the ingestion function read them. */
export function collectorAllowList(
  config: Pick<ClickloggerConfig, 'collectorOrigins' | 'collectorAllowAnyOrigin'>,
): string[] {
  return config.collectorAllowAnyOrigin ? ['*'] : [...new Set(config.collectorOrigins)];
}

/** Per-stage view of the config, with stage-dependent defaults resolved. */
export interface StageConfig extends Omit<ClickloggerConfig, 'stages' | 'forceDestroy'> {
  readonly stage: string;
  readonly forceDestroy: boolean;
}

export function stageConfig(config: ClickloggerConfig, stage: string): StageConfig {
  const { stages: _stages, forceDestroy, ...rest } = config;
  return { ...rest, stage, forceDestroy: forceDestroy ?? stage !== 'prod' };
}

/** Longest bucket purpose; with the seed's naming scheme it sets the length budget of prefix + stage. */
const LONGEST_BUCKET_PURPOSE = Object.values(BUCKET_PURPOSES).reduce((a, b) => (b.length > a.length ? b : a));
const ACCOUNT_ID_LENGTH = 12;

/** Settings given as comma-separated lists in the environment. */
const LIST_SETTINGS = new Set(['stages', 'collectorOrigins']);
/** Settings given as JSON in the environment. */
const JSON_SETTINGS = new Set(['funnels']);

function jsonSetting(variable: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidConfigError(`${variable}: not valid JSON`);
  }
}

const ENV: Record<string, string> = {
  CLICKLOGGER_PREFIX: 'appPrefix',
  CLICKLOGGER_STAGES: 'stages',
  CLICKLOGGER_REGION: 'region',
  CLICKLOGGER_FORCE_DESTROY: 'forceDestroy',
  CLICKLOGGER_KMS_KEY_ARN: 'kmsKeyArn',
  CLICKLOGGER_STUDIO: 'studio',
  CLICKLOGGER_COLLECTOR: 'collector',
  CLICKLOGGER_COLLECTOR_ORIGINS: 'collectorOrigins',
  CLICKLOGGER_COLLECTOR_ALLOW_ANY_ORIGIN: 'collectorAllowAnyOrigin',
  CLICKLOGGER_COLLECTOR_RATE_LIMIT: 'collectorRateLimit',
  CLICKLOGGER_COLLECTOR_BURST_LIMIT: 'collectorBurstLimit',
  CLICKLOGGER_COLLECTOR_CONCURRENCY: 'collectorConcurrency',
  CLICKLOGGER_LOG_RETENTION_DAYS: 'logRetentionDays',
  CLICKLOGGER_LOG_BUCKET_EXPIRY_DAYS: 'logBucketExpiryDays',
  CLICKLOGGER_POLL_SECONDS: 'pollSeconds',
  CLICKLOGGER_LATE_DAYS: 'lateDays',
  CLICKLOGGER_MAX_CLOCK_SKEW_SECONDS: 'maxClockSkewSeconds',
  CLICKLOGGER_CLIENT_IP: 'clientIp',
  CLICKLOGGER_USER: 'user',
  CLICKLOGGER_RAW_RETENTION_DAYS: 'rawRetentionDays',
  CLICKLOGGER_SCHEDULE: 'schedule',
  CLICKLOGGER_ALERTS: 'alerts',
  CLICKLOGGER_ALERT_EMAIL: 'alertEmail',
  CLICKLOGGER_DASHBOARD: 'dashboard',
  CLICKLOGGER_FUNNELS: 'funnels',
  CLICKLOGGER_REPORT_ROWS_PER_CALLER: 'reportRowsPerCaller',
};

function backendFromEnv(env: NodeJS.ProcessEnv): unknown {
  switch (env.CLICKLOGGER_BACKEND) {
    case undefined:
    case '':
      return undefined;
    case 's3':
      return {
        kind: 's3',
        bucket: env.CLICKLOGGER_STATE_BUCKET,
        keyPrefix: env.CLICKLOGGER_STATE_KEY_PREFIX || undefined,
        region: env.CLICKLOGGER_STATE_REGION || undefined,
        dynamodbTable: env.CLICKLOGGER_STATE_LOCK_TABLE || undefined,
      };
    case 'cloud':
      return {
        kind: 'cloud',
        organization: env.TF_CLOUD_ORGANIZATION,
        workspacePrefix: env.CLICKLOGGER_TFC_WORKSPACE_PREFIX || undefined,
      };
    default:
      return { kind: env.CLICKLOGGER_BACKEND };
  }
}

/** A setting that cannot be used; the message lists every one. */
class InvalidConfigError extends UserError {
  constructor(problems: string) {
    super(`Invalid clicklogger config: ${problems}`);
    this.name = 'InvalidConfigError';
  }
}

/**
 * Builds the config from cdktf context and the environment (the environment wins).
 * Throws one readable error listing every invalid setting.
 */
export function loadConfig(
  context: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): ClickloggerConfig {
  const raw: Record<string, unknown> = { ...context, ...settingsFromEnv(env) };
  if (raw.functionUrl !== undefined || env.CLICKLOGGER_FUNCTION_URL) {
    throw new InvalidConfigError(
      'functionUrl was replaced by collector: set collector to "iam" (CLICKLOGGER_COLLECTOR=iam)',
    );
  }
  return parseConfig(raw);
}

/** The settings the environment gives (CLICKLOGGER_*), in the context's form; unset ones are absent. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(ENV)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (JSON_SETTINGS.has(key)) raw[key] = jsonSetting(variable, value);
    else raw[key] = LIST_SETTINGS.has(key) ? value.split(',').map((s) => s.trim()) : value;
  }
  const backend = backendFromEnv(env);
  if (backend !== undefined) raw.backend = backend;
  return raw;
}

/** Validates settings in the context's form; one readable error lists every invalid one. */
export function parseConfig(raw: Record<string, unknown>): ClickloggerConfig {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new InvalidConfigError(problems.join('; '));
  }
  const config = parsed.data;
  for (const stage of config.stages) {
    const length =
      config.region.length +
      config.appPrefix.length +
      stage.length +
      LONGEST_BUCKET_PURPOSE.length +
      ACCOUNT_ID_LENGTH +
      4;
    if (length > 63) {
      throw new InvalidConfigError(
        `prefix "${config.appPrefix}" with stage "${stage}" makes bucket names longer than ` +
          `S3's 63 characters; keep prefix + stage within ${
            63 - (length - config.appPrefix.length - stage.length)
          } characters`,
      );
    }
  }
  if (new Set(config.stages).size !== config.stages.length) {
    throw new InvalidConfigError('stages must not repeat');
  }
  return config;
}
