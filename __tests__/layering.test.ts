/**
 * What each layer may import. The report engine, the Lambda functions and the local runtime's
 * engines share names through functions/shared/contracts.ts, never through a construct file:
 * importing one would load the AWS provider's bindings (and, for the functions, bundle them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_NAMES } from '../functions/build';

const ROOT = path.resolve(__dirname, '..');
// Imports that load code at run time: `import type` is erased by the compiler.
const IMPORT = /^\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm;

/** Every module that `entry` reaches through relative imports, and the packages they import. */
function reach(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
      if (resolved) visit(resolved);
    }
  };
  visit(path.join(ROOT, entry));
  return { files: [...files].map((f) => path.relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

const entries = [
  'report/engine.ts',
  'local/job-engines.ts',
  'local/firehose-sink.ts',
  ...FUNCTION_NAMES.map((name) => `functions/${name}/handler.ts`),
];

it.each(entries)('%s imports no stack code, cdktf or the AWS provider', (entry) => {
  const { files, packages } = reach(entry);
  expect(files.length).toBeGreaterThan(1);
  expect(files.filter((f) => f.startsWith('stacks/'))).toEqual([]);
  expect(packages.filter((p) => p === 'cdktf' || p.startsWith('@cdktf/') || p === 'constructs')).toEqual([]);
});

it('the walk sees through to stack code where it is imported, so the check above can fail', () => {
  expect(reach('local/synthesized-stack.ts').files).toContain('stacks/constructs/node-function.ts');
});
