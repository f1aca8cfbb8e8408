/**
 * The project's own Python environment (`.venv`, or $CLICKLOGGER_PYTHON_ENV; built by
 * scripts/python-env.sh from requirements-dev.txt): pyspark for the Spark engine, and pytest,
 * moto and checkov for the tests.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PYTHON_ENV_HINT = 'run `npm run python-env` (needs Python 3.11+)';

function pythonEnvDir(): string {
  return path.resolve(process.env.CLICKLOGGER_PYTHON_ENV || path.join(__dirname, '..', '..', '.venv'));
}

export function pythonEnvBin(name: string): string {
  return path.join(pythonEnvDir(), 'bin', name);
}

/** The environment of an activated venv: its bin first on the PATH (spark-submit finds its python there). */
export function pythonEnvVariables(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, VIRTUAL_ENV: pythonEnvDir(), PATH: `${pythonEnvBin('')}${path.delimiter}${base.PATH ?? ''}` };
}

/** True when the environment's python can import every module named. */
export function pythonEnvHas(...modules: string[]): boolean {
  const python = pythonEnvBin('python');
  if (!fs.existsSync(python)) return false;
  const imports = modules.map((m) => `import ${m}`).join('; ');
  return spawnSync(python, ['-c', imports], { stdio: 'ignore', env: pythonEnvVariables() }).status === 0;
}
