/** The project's config as `cdktf synth` sees it: cdktf.json's context, then the environment. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ClickloggerConfig, loadConfig } from '../stacks/config';
import { CliError } from './errors';

function cdktfContext(cwd: string): Record<string, unknown> {
  const file = path.join(cwd, 'cdktf.json');
  if (!fs.existsSync(file)) return {};
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
    return json.context ?? {};
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: fix it, or remove it to use the defaults`, { cause: error });
  }
}

export function projectConfig(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): ClickloggerConfig {
  return loadConfig(cdktfContext(cwd), env);
}
