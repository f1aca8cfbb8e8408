/**
 * `npm run scan`: checkov, an independent scanner, on every synthesized stack variant.
 * Each variant is synthesized to its own folder, as `cdktf synth` writes it (cdk.tf.json), and
 * checkov runs on it with the one skip list in .checkov.yaml. The scan fails on any failed
 * check, and also when checkov parsed too little to be believed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type TerraformStack } from 'cdktf';
import { pythonEnvBin, pythonEnvVariables } from '../local/emr/python-env';
import { attachBackend } from '../stacks/backend';
import { ClickloggerStack } from '../stacks/clicklogger-stack';
import { ConfigSchema, stageConfig } from '../stacks/config';
import { parseTerraformJson } from '../stacks/terraform-json';

const ROOT = path.resolve(__dirname, '..');
export const CHECKOV_CONFIG = path.join(ROOT, '.checkov.yaml');
/** Fewer passed checks than this means checkov did not really read the stack. */
export const MIN_PASSED = 100;

export interface ScanResult {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly parsingErrors: number;
  readonly failures: { id: string; resource: string; name: string }[];
}

/** A variant: config overrides in the input form of cdktf.json's context. */
export const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'every option on': {
    studio: true,
    collector: 'public',
    collectorOrigins: ['https://shop.example.com'],
    kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    alertEmail: 'ops@example.com',
  },
  'IAM Function URL': { collector: 'iam' },
};
/** Backends change the `terraform` block only; the scan checks that and scans the resources once. */
export const BACKENDS: Record<string, Record<string, unknown>> = {
  s3: { kind: 's3', bucket: 'example-terraform-state' },
  cloud: { kind: 'cloud', organization: 'example' },
};

/** Synthesizes a stack as `cdktf synth` does; returns the stack's folder (holding cdk.tf.json). */
export function synthesizeStack(outdir: string, build: (app: App) => TerraformStack): string {
  const app = new App({ outdir });
  const stack = build(app);
  app.synth();
  return path.join(outdir, 'stacks', stack.node.id);
}

/** Synthesizes the `dev` stack of a variant, with its backend, as `main.ts` does. */
export function synthesizeVariant(outdir: string, overrides: Record<string, unknown>): string {
  const config = ConfigSchema.parse(overrides);
  return synthesizeStack(outdir, (app) => {
    const stack = new ClickloggerStack(app, stageConfig(config, 'dev'));
    attachBackend(stack, stack.node.id, config.backend, { outdir: app.outdir, projectDir: outdir });
    return stack;
  });
}

export function runCheckov(stackDir: string): ScanResult {
  // checkov's parsers cache grammars in the temp folder: give it one of its own, removed after.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-checkov-'));
  try {
    return parseReports(checkov(stackDir, tmp));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function checkov(stackDir: string, tmp: string) {
  const result = spawnSync(
    pythonEnvBin('checkov'),
    [
      '--directory',
      stackDir,
      '--framework',
      'terraform_json',
      '--config-file',
      CHECKOV_CONFIG,
      '--output',
      'json',
      '--quiet',
      '--compact',
      // No calls to the vendor's API: the scan runs offline.
      '--skip-download',
    ],
    {
      env: { ...pythonEnvVariables(), BC_SKIP_MAPPING: 'TRUE', TMPDIR: tmp },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.error) throw new Error(`cannot run checkov: ${result.error.message}`);
  return result;
}

/** checkov's JSON report (one per framework), as far as the scan reads it. */
interface CheckovSummary {
  readonly passed?: number;
  readonly failed?: number;
  readonly skipped?: number;
  readonly parsing_errors?: number;
}
interface CheckovReport extends CheckovSummary {
  readonly summary?: CheckovSummary;
  readonly results?: {
    readonly failed_checks?: readonly { check_id: string; resource: string; check_name: string }[];
  };
}

function parseReports(result: { status: number | null; stdout: string; stderr: string }): ScanResult {
  let reports: CheckovReport[];
  try {
    reports = [JSON.parse(result.stdout) as CheckovReport | CheckovReport[]].flat();
  } catch {
    throw new Error(`checkov gave no JSON report (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  }
  const out: ScanResult = { passed: 0, failed: 0, skipped: 0, parsingErrors: 0, failures: [] };
  for (const report of reports) {
    // A report with nothing to scan is a bare summary, without results.
    const summary = report.summary ?? report;
    Object.assign(out, {
      passed: out.passed + (summary.passed ?? 0),
      failed: out.failed + (summary.failed ?? 0),
      skipped: out.skipped + (summary.skipped ?? 0),
      parsingErrors: out.parsingErrors + (summary.parsing_errors ?? 0),
    });
    for (const f of report.results?.failed_checks ?? []) {
      out.failures.push({ id: f.check_id, resource: f.resource, name: f.check_name });
    }
  }
  return out;
}

/** Why a scan result is not a clean pass, or undefined. */
export function scanProblem(result: ScanResult): string | undefined {
  if (result.parsingErrors > 0) return `checkov could not parse ${result.parsingErrors} file(s)`;
  if (result.passed < MIN_PASSED) return `only ${result.passed} passed checks: checkov did not really read the stack`;
  if (result.failed > 0) {
    return `${result.failed} failed checks:\n${result.failures.map((f) => `  ${f.id} ${f.resource}: ${f.name}`).join('\n')}`;
  }
  return undefined;
}

function resources(stackDir: string): string {
  return JSON.stringify(parseTerraformJson(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')).resource);
}

function main(): number {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-scan-'));
  const lines = ['| variant | passed | failed | skipped |', '| --- | --- | --- | --- |'];
  let problems = 0;
  try {
    const dirs: Record<string, string> = {};
    for (const [name, overrides] of Object.entries(VARIANTS)) {
      dirs[name] = synthesizeVariant(path.join(work, name.replace(/\W+/g, '-')), overrides);
    }
    for (const [name, backend] of Object.entries(BACKENDS)) {
      const dir = synthesizeVariant(path.join(work, `backend-${name}`), { backend });
      if (resources(dir) === resources(dirs.default)) {
        lines.push(`| ${name} backend | same resources as default | | |`);
      } else {
        dirs[`${name} backend`] = dir;
      }
    }
    for (const [name, dir] of Object.entries(dirs)) {
      const result = runCheckov(dir);
      lines.push(`| ${name} | ${result.passed} | ${result.failed} | ${result.skipped} |`);
      const problem = scanProblem(result);
      if (problem) {
        problems++;
        process.stderr.write(`scan: ${name}: ${problem}\n`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`checkov, with the skips in .checkov.yaml:\n${lines.join('\n')}\n`);
  return problems === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
