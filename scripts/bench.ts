/**
 * `npm run bench`: measurements, not tests. Prints one table and writes BENCHMARKS.md with the
 * machine and the date. Figures are medians of several runs. Generated Parquet is cached
 * outside the repository ($CLICKLOGGER_BENCH_CACHE, default ~/.cache/clicklogger-bench).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { FUNCTION_NAMES } from '../functions/build';
import type { FirehoseSender } from '../functions/ingest/deliver';
import { ingestEvents } from '../functions/ingest/ingest';
import { generateClicks } from '../local/input/samples';
import { synthesizeStackJson } from '../local/run/synthesized-stack';
import { ConfigSchema, stageConfig } from '../stacks/config';
import { idleCost, seedIdleCost } from '../cost/idle-cost';
import { DEFAULT_LOAD, estimateCost, stackFacts } from '../cost/cost-model';
import { firehoseBilledBytes } from '../cost/prices';
import { encodeRecord, packRecords } from '../functions/ingest/batches';
import { parseClick } from '../core/click-schema';
import { parseTerraformJson, resourcesOf } from '../stacks/terraform-json';
import { terraform, terraformEnv } from './terraform';
import { collectorLoad } from './bench-collector';
import { dedupRows } from './bench-dedup';
import { CACHE, DATE, fmt, kb, log, median, medianOf, ROOT, rows, run, seconds } from './bench-common';
import { ensureParquet, rawDirName, reportEngine, sparkAgainstDuckDb } from './bench-report';
import { eventsFiles, localEndToEnd } from './bench-local';
import { ClickPrivacy } from '../core/privacy';

async function synthAndValidate(): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-bench-synth-'));
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const synthMs = await medianOf(3, () => run('npx', ['cdktf', 'synth', '--output', out], env));
  rows.push({ measure: '`cdktf synth` (wall, incl. esbuild bundling)', value: seconds(synthMs) });
  const stackDir = path.join(out, 'stacks', 'clicklogger-dev');
  const tfEnv = terraformEnv(stackDir);
  const init = terraform(['init', '-backend=false', '-input=false', '-no-color'], stackDir, tfEnv);
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  const validateMs = await medianOf(3, () => {
    const v = terraform(['validate', '-no-color'], stackDir, tfEnv);
    if (v.status !== 0) throw new Error(v.output);
  });
  rows.push({ measure: '`terraform validate` (after init)', value: seconds(validateMs) });
  return out;
}

async function bundles(synthOut: string): Promise<void> {
  const json = parseTerraformJson(
    fs.readFileSync(path.join(synthOut, 'stacks', 'clicklogger-dev', 'cdk.tf.json'), 'utf8'),
  );
  const functions = resourcesOf<{
    function_name: string;
    filename: string;
    environment?: { variables?: Record<string, string> };
  }>(json, 'aws_lambda_function').map(([, fn]) => fn);
  for (const name of FUNCTION_NAMES) {
    const bundle = path.join(ROOT, '.build', 'functions', name, 'index.js');
    const fn = functions.find((f) => f.filename.includes(`_${name}_bundle_`));
    if (!fn) throw new Error(`the synthesized stack has no function bundled from ${name}`);
    const zip = fs.statSync(path.join(synthOut, 'stacks', 'clicklogger-dev', fn.filename)).size;
    // The function's own environment, NODE_OPTIONS included, as Lambda starts it.
    const deployed = fn.environment?.variables ?? {};
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      ...Object.fromEntries(Object.entries(deployed).map(([k, v]) => [k, v.includes('${') ? 'bench' : v])),
    };
    const inits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const out = run(
        process.execPath,
        [
          '-e',
          `const t=performance.now();require(${JSON.stringify(
            bundle,
          )});process.stdout.write(String(performance.now()-t))`,
        ],
        env,
      );
      inits.push(Number(out));
    }
    rows.push({
      measure: `bundle \`${name}\`: size raw / zipped; cold module init`,
      value: `${kb(fs.statSync(bundle).size)} / ${kb(zip)}; ${median(inits).toFixed(1)} ms`,
      note: `zip as deployed (no source map: it stays in .build/maps); init = fresh Node process with the function's environment (NODE_OPTIONS: ${deployed.NODE_OPTIONS ?? 'none'}) requiring the bundle, median of 7`,
    });
  }
}

/** A Firehose that answers at once: measures the ingestion code, not the network. */
function countingFirehose(): FirehoseSender & { calls: number } {
  const sender = {
    calls: 0,
    async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
      sender.calls++;
      const records = command.input.Records ?? [];
      return { $metadata: {}, FailedPutCount: 0, RequestResponses: records.map(() => ({ RecordId: 'x' })) };
    },
  };
  return sender;
}

async function ingestion(): Promise<void> {
  const events = [...generateClicks(DATE, 100_000, 100_000)][0];
  // The stack's defaults: addresses cut to their network, users pseudonymized.
  const privacy = new ClickPrivacy({ clientIp: 'truncate', user: 'pseudonymize' }, randomBytes(32));
  const options = (firehose: FirehoseSender) => ({
    firehose,
    privacy,
    streamName: 'bench',
    receivedAt: new Date(),
    deadline: Date.now() + 600_000,
  });
  await ingestEvents(events.slice(0, 5_000), options(countingFirehose())); // warm-up
  const ms = await medianOf(5, () => ingestEvents(events, options(countingFirehose())));
  // The floor: what any ingestion must do, stringify, encode and pack, without validating.
  const floor = await medianOf(5, () => packRecords(events.map((event, i) => encodeRecord(i, event))));
  rows.push({
    measure: 'ingestion core, one 100k-event request (validate + normalize + pack; a Firehose that answers at once)',
    value: `${fmt(100_000 / (ms / 1000))} events/s`,
    peer: `floor (stringify + encode + pack, no validation): ${fmt(100_000 / (floor / 1000))} events/s → ${(ms / floor).toFixed(1)}× its time`,
  });
  const counter = countingFirehose();
  await ingestEvents(events.slice(0, 10_000), options(counter));
  rows.push({
    measure: 'PutRecordBatch calls per 10,000 events',
    value: String(counter.calls),
    peer: `seed: 10,000 (one PutRecord per event) → ${(10_000 / counter.calls).toFixed(0)}× fewer`,
    note: 'floor: 1 (500 clicks a record, 500 records a call, under 4 MB)',
  });

  // What Firehose bills per click: each record is rounded up to 5 KB.
  // Each click as ingestion sends it: validated and normalized, defaults filled in.
  const clicks = events.slice(0, 10_000).map((event, i) => {
    const parsed = parseClick(event, { now: new Date(`${DATE}T23:59:59.999Z`) });
    if (!parsed.ok) throw new Error(`generated click ${i} is not valid: ${parsed.errors.join('; ')}`);
    return encodeRecord(i, parsed.click);
  });
  const rawPerClick = clicks.reduce((n, c) => n + c.bytes, 0) / clicks.length;
  const unpacked = clicks.reduce((n, c) => n + firehoseBilledBytes(c.bytes), 0) / clicks.length;
  const packedBy = (perRequest: number) => {
    let billed = 0;
    for (let i = 0; i < clicks.length; i += perRequest) {
      billed += packRecords(clicks.slice(i, i + perRequest)).reduce(
        (n, r) => n + firehoseBilledBytes(r.data.byteLength),
        0,
      );
    }
    return billed / clicks.length;
  };
  rows.push({
    measure: 'Firehose bytes billed per click, one click a record → packed (requests of 10 / 100 / 1,000 clicks)',
    value: `${fmt(unpacked)} → ${fmt(packedBy(10))} / ${fmt(packedBy(100))} / ${fmt(packedBy(1000))} bytes`,
    peer: `the clicks' own size: ${fmt(rawPerClick)} bytes`,
    note: 'each record rounded up to 5 KB (Firehose pricing); 10,000 generated clicks',
  });
}

function cost(): void {
  const json = synthesizeStackJson(stageConfig(ConfigSchema.parse({}), 'dev'));
  const facts = stackFacts(json);
  for (const clicksPerDay of [1_000_000, 100_000_000]) {
    const estimate = estimateCost(facts, { ...DEFAULT_LOAD, clicksPerDay });
    rows.push({
      measure: `$ per million clicks at ${fmt(clicksPerDay / 1e6)}M clicks a day, all in (cost model)`,
      value: `$${estimate.perMillionClicksUsd.toFixed(4)}`,
      peer: `seed's design: $${estimate.seed.perMillionClicksUsd.toFixed(4)} → ${(
        estimate.seed.perMillionClicksUsd / estimate.perMillionClicksUsd
      ).toFixed(0)}× cheaper`,
      note: `${DEFAULT_LOAD.bytesPerClick}-byte clicks, ${DEFAULT_LOAD.clicksPerRequest} a request; \`clicklogger cost\`, us-east-1 list prices`,
    });
  }
  const idle = idleCost(json);
  const seed = seedIdleCost();
  rows.push({
    measure: 'fixed idle cost per month, default stack',
    value: `$${idle.totalUsd.toFixed(2)}`,
    peer: `seed: $${seed.natUsd.toFixed(2)} NAT + $${seed.warmWorkersUsd.toFixed(2)} warm workers while started`,
    note: `$${idle.totalWithoutFreeTierUsd.toFixed(2)} once the CloudWatch free tier is used; us-east-1 list prices`,
  });
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${
    process.version
  }, ${os.platform()} ${os.arch()}`;
}

function table(): string {
  const lines = ['| measure | median | peer / anchor | note |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.measure} | ${r.value} | ${r.peer ?? ''} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

/** The sections, in order; `npm run bench -- <name>...` runs some of them and writes nothing. */
const SECTIONS: Record<string, () => Promise<void> | void> = {
  synth: async () => {
    const synthOut = await synthAndValidate();
    try {
      await bundles(synthOut);
    } finally {
      fs.rmSync(synthOut, { recursive: true, force: true });
    }
  },
  ingestion,
  'report-engine': reportEngine,
  dedup: async () => {
    const dir = await ensureParquet(10_000_000);
    rows.push(...(await dedupRows(dir, path.join(CACHE, `${rawDirName(10_000_000)}-dup12`), DATE, 10_000_000)));
  },
  spark: sparkAgainstDuckDb,
  local: localEndToEnd,
  'events-file': eventsFiles,
  collector: async () => {
    const { serve, bare, counted, settings } = await collectorLoad(log);
    const fixed = (n: number) => n.toFixed(1);
    rows.push({
      measure: `\`clicklogger serve\` under load: ${settings.connections} connections POST ${settings.clicksPerRequest} clicks a request for ${settings.seconds} s, on the loopback`,
      value: `${fmt(serve.requestsPerSecond)} requests/s, ${fmt(serve.clicksPerSecond)} clicks/s; p50 ${fixed(serve.p50Ms)} ms, p99 ${fixed(serve.p99Ms)} ms`,
      peer: `bare Node server (parse the JSON, answer 200): ${fmt(bare.requestsPerSecond)} requests/s; p50 ${fixed(bare.p50Ms)} ms, p99 ${fixed(bare.p99Ms)} ms → serve at ${(serve.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}× its requests/s`,
      note: `autocannon; ${settings.runs} runs each, alternately; every one of the ${fmt(counted)} clicks serve acknowledged was counted by its report; throttle set to 10,000/s`,
    });
  },
  cost,
};

async function main(): Promise<void> {
  const started = performance.now();
  fs.mkdirSync(CACHE, { recursive: true });
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    log(name);
    await section();
  }
  if (only.length > 0) {
    process.stdout.write(`${machine()}\n\n${table()}\n\n(some sections only: BENCHMARKS.md not written)\n`);
    return;
  }

  const when = new Date().toISOString().slice(0, 10);
  const doc = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${when}: ${machine()}.`,
    'Figures are medians of several runs (see each note). A "peer" runs on the same machine in the same run;',
    'an "anchor" is a figure from elsewhere, with its source.',
    '',
    table(),
    '',
    `The whole benchmark took ${seconds(performance.now() - started)}; generated Parquet is cached in \`${CACHE.replace(
      os.homedir(),
      '~',
    )}\`.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), doc);
  process.stdout.write(`${machine()}\n\n${table()}\n\nwritten to BENCHMARKS.md\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
