/**
 * The Terraform this machine has: its version, and a filesystem mirror of the AWS provider when
 * there is one (found through CLICKLOGGER_TF_PLUGIN_DIR, then the usual plugin folders), so that
 * `terraform init` needs no network. `clicklogger doctor` and the offline runs (scripts/terraform.ts) read it.
 */
import { spawnSync } from 'node:child_process';
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
