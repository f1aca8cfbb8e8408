/**
 * Runs Terraform on a synthesized stack without network access: when the machine has a
 * filesystem mirror of the AWS provider, a generated CLI config points `terraform init` at it.
 *
 * The mirror is found through CLICKLOGGER_TF_PLUGIN_DIR, then in the usual plugin folders.
 */
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const AWS_PROVIDER_VERSION = '5.100.0';
const PROVIDER_PATH = path.join('registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION);

export function findTerraform(): string | undefined {
  return terraformVersion() === undefined ? undefined : 'terraform';
}

/** The version of the `terraform` on the PATH (`1.11.4`), or undefined when there is none. */
export function terraformVersion(): string | undefined {
  const result = spawnSync('terraform', ['version', '-json'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.status !== 0) return undefined;
  try {
    return (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    return undefined;
  }
}

export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.CLICKLOGGER_TF_PLUGIN_DIR,
    env.TF_PLUGIN_CACHE_DIR,
    '/opt/tf-plugins',
    path.join(os.homedir(), '.terraform.d', 'plugins'),
    path.join(os.homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((dir): dir is string => Boolean(dir));
  return candidates.find((dir) => fs.existsSync(path.join(dir, PROVIDER_PATH)));
}

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
