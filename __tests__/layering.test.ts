/**
 * What each layer may import. The report engine, the Lambda functions and the local runtime's
 * engines share names through core/contracts.ts, never through a construct file:
 * importing one would load the AWS provider's bindings (and, for the functions, bundle them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
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
  'local/emr/job-engines.ts',
  'local/firehose/local-firehose.ts',
  ...FUNCTION_NAMES.map((name) => `functions/${name}/handler.ts`),
];

it.each(entries)('%s imports no stack code, cdktf or the AWS provider', (entry) => {
  const { files, packages } = reach(entry);
  expect(files.length).toBeGreaterThan(1);
  expect(files.filter((f) => f.startsWith('stacks/'))).toEqual([]);
  expect(packages.filter((p) => p === 'cdktf' || p.startsWith('@cdktf/') || p === 'constructs')).toEqual([]);
});

it('the walk sees through to stack code where it is imported, so the check above can fail', () => {
  expect(reach('local/run/synthesized-stack.ts').files).toContain('stacks/constructs/node-function.ts');
});

// --- The module graph of the product code: every import counts, `import type` included --------

/** Every relative import of every module under `root` (tests, fixtures and tooling aside). */
function productGraph(root: string): Map<string, string[]> {
  const ANY_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm;
  const skip = new Set(['node_modules', '__tests__', 'cdktf.out', '.build', '.venv', '.git', 'coverage']);
  const modules: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name) || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) modules.push(full);
    }
  };
  walk(root);
  const graph = new Map<string, string[]>();
  for (const file of modules) {
    const targets: string[] = [];
    for (const match of fs.readFileSync(file, 'utf8').matchAll(ANY_IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (!spec.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), spec);
      const resolved = [base, `${base}.ts`, path.join(base, 'index.ts')].find(
        (f) => f.endsWith('.ts') && fs.existsSync(f),
      );
      if (resolved) targets.push(path.relative(root, resolved));
    }
    graph.set(path.relative(root, file), targets);
  }
  return graph;
}

/** The import circles of `graph`, each as the modules in it, sorted. */
function circles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components: a component of two or more modules is a circle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      for (let top = stack.pop()!; ; top = stack.pop()!) {
        component.push(top);
        if (top === node) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Imports that break the layering: core reaching outside itself, product code reaching scripts/. */
function layeringViolations(graph: Map<string, string[]>): string[] {
  const violations: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (file.startsWith('core/') && !target.startsWith('core/')) violations.push(`${file} → ${target}`);
      if (!file.startsWith('scripts/') && target.startsWith('scripts/')) violations.push(`${file} → ${target}`);
    }
  }
  return violations;
}

describe('the module graph', () => {
  const graph = productGraph(ROOT);

  it('has no import circles, type-only imports included', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(circles(graph)).toEqual([]);
  });

  it('keeps core/ to itself, and product code away from scripts/', () => {
    expect([...graph.keys()].filter((f) => f.startsWith('core/')).length).toBeGreaterThan(3);
    expect(layeringViolations(graph)).toEqual([]);
  });

  it('would see a core module importing a Lambda-only one, a circle, and product code importing scripts/', () => {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-layers-'));
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
        fs.writeFileSync(path.join(tree, file), text);
      };
      write('core/names.ts', "import type { Env } from '../functions/shared/env';\n");
      write('functions/shared/env.ts', "import { NAME } from '../../core/names';\n");
      write('local/run.ts', "import { bench } from '../scripts/bench';\n");
      write('scripts/bench.ts', 'export const bench = 1;\n');
      const fake = productGraph(tree);
      expect(layeringViolations(fake)).toEqual([
        'core/names.ts → functions/shared/env.ts',
        'local/run.ts → scripts/bench.ts',
      ]);
      expect(circles(fake)).toEqual([['core/names.ts', 'functions/shared/env.ts']]);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
});
