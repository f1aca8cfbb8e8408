/**
 * Runs Terraform on a synthesized stack without network access: when the machine has a
 * filesystem mirror of the AWS provider, a generated CLI config points `terraform init` at it.
 *
 * The mirror is found through CLICKLOGGER_TF_PLUGIN_DIR, then in the usual plugin folders.
 */
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProviderMirror } from '../core/terraform-install';

export { findTerraform } from '../core/terraform-install';

/** Environment for terraform: offline provider installation when a mirror exists, no telemetry. */
export function terraformEnv(workDir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  const mirror = findProviderMirror(base);
  if (mirror) {
    const cliConfig = path.join(workDir, '.terraformrc.generated');
    fs.writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
    );
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  return env;
}

export interface TerraformRun {
  status: number | null;
  output: string;
}

export function terraform(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: SpawnSyncOptions = {},
): TerraformRun {
  const result = spawnSync('terraform', args, { cwd, env, encoding: 'utf8', timeout: 600_000, ...options });
  return { status: result.status, output: `${String(result.stdout ?? '')}${String(result.stderr ?? '')}` };
}

/** `terraform init -backend=false` then `validate`; throws with Terraform's output on failure. */
export function validateStack(stackDir: string): void {
  const env = terraformEnv(stackDir);
  for (const args of [
    ['init', '-backend=false', '-input=false', '-no-color'],
    ['validate', '-no-color'],
  ]) {
    const run = terraform(args, stackDir, env);
    if (run.status !== 0) throw new Error(`terraform ${args[0]} failed in ${stackDir}:\n${run.output}`);
  }
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: tsx scripts/terraform.ts <synthesized stack dir>\n');
    process.exit(2);
  }
  validateStack(path.resolve(dir));
  const version = execFileSync('terraform', ['version'], { encoding: 'utf8' }).split('\n')[0];
  process.stdout.write(`${version} — validate ok: ${dir}\n`);
}
