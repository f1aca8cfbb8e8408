/**
 * Names of a deployed stack, from its outputs: the file `cdktf deploy --outputs-file` or
 * `cdktf output --outputs-file` writes, or `terraform output -json` in the synthesized stack.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { STACK_OUTPUT_NAMES } from '../core/contracts';
import { stackName } from '../stacks/naming';
import { CliError } from './errors';

export type StackOutputs = Record<(typeof STACK_OUTPUT_NAMES)[keyof typeof STACK_OUTPUT_NAMES], string>;

export interface OutputsSource {
  readonly stage: string;
  readonly prefix?: string;
  /** An outputs file; default: $CLICKLOGGER_OUTPUTS_FILE, else ./cdktf-outputs.json when present. */
  readonly file?: string;
  readonly cwd?: string;
}

/** Accepts both shapes: `{ "clicklogger-dev": { "raw_bucket": "..." } }` and `{ "raw_bucket": { "value": "..." } }`. */
export function parseOutputs(json: unknown, stack: string): Partial<StackOutputs> {
  if (typeof json !== 'object' || json === null) return {};
  const record = json as Record<string, unknown>;
  const scoped = (record[stack] ?? record) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(scoped)) {
    const v = typeof value === 'object' && value !== null && 'value' in value ? value.value : value;
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

function fromTerraform(stackDir: string): unknown {
  try {
    return JSON.parse(
      execFileSync('terraform', ['output', '-json'], {
        cwd: stackDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  } catch (error) {
    throw new CliError(
      `cannot read the outputs of ${stackDir} with terraform output: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
}

const DEPLOY_HINT = (stack: string) =>
  `deploy it with \`npx cdktf deploy ${stack} --outputs-file cdktf-outputs.json\` (docs/deploy.md)`;

/** After `npm start`, the local run's folder is here: the user may have meant it. */
function localHint(cwd: string): string {
  return fs.existsSync(path.join(cwd, '.clicklogger'))
    ? "; to read the local run's folder instead, give --out .clicklogger"
    : '';
}

export function loadOutputs(source: OutputsSource, required: (keyof StackOutputs)[]): StackOutputs {
  const cwd = source.cwd ?? process.cwd();
  const stack = stackName(source.prefix ?? 'clicklogger', source.stage);
  // A file named explicitly must be read: falling back to another source could act on another stack.
  const named = source.file ?? (process.env.CLICKLOGGER_OUTPUTS_FILE || undefined);
  const file = named ?? path.join(cwd, 'cdktf-outputs.json');
  let raw: unknown;
  let origin: string;
  if (named !== undefined || fs.existsSync(file)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new CliError(`cannot read the outputs file ${file}: ${reason === 'EISDIR' ? 'it is a folder' : reason}`, {
        cause: error,
      });
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${file} is not valid JSON`, { cause: error });
    }
    origin = file;
  } else {
    const stackDir = path.join(cwd, 'cdktf.out', 'stacks', stack);
    if (!fs.existsSync(stackDir)) {
      throw new CliError(
        `no outputs for ${stack}: ${DEPLOY_HINT(stack)}, or set CLICKLOGGER_OUTPUTS_FILE${localHint(cwd)}`,
      );
    }
    raw = fromTerraform(stackDir);
    origin = `terraform output in ${stackDir}`;
  }
  const outputs = parseOutputs(raw, stack);
  if (named === undefined && Object.keys(outputs).length === 0) {
    // Synthesized (cdktf.out holds it), but terraform has no state: never deployed.
    throw new CliError(`${stack} is synthesized but not deployed: ${DEPLOY_HINT(stack)}${localHint(cwd)}`);
  }
  const missing = required.filter((key) => !outputs[key]);
  if (missing.length > 0) throw new CliError(`outputs of ${stack} (${origin}) lack ${missing.join(', ')}`);
  return outputs as StackOutputs;
}
