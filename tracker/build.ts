/**
 * Builds the tracker: `clicklogger.min.js` (the script tag's), `clicklogger.mjs` (an ES module for
 * bundlers) and `clicklogger.d.ts` (its types). `clicklogger serve` builds it in memory; run this
 * file to write the three into tracker/dist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import * as ts from 'typescript';

const SOURCE = path.join(__dirname, 'src');
/** Browsers of the last few years: optional chaining, `??=`, fetch keepalive. */
const TARGET = ['chrome100', 'firefox100', 'safari15'];

export interface TrackerFiles {
  readonly 'clicklogger.min.js': string;
  readonly 'clicklogger.mjs': string;
  readonly 'clicklogger.d.ts': string;
}

async function bundle(entry: string, format: 'iife' | 'esm'): Promise<string> {
  const result = await build({
    entryPoints: [path.join(SOURCE, entry)],
    bundle: true,
    minify: true,
    format,
    target: TARGET,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export async function buildTracker(): Promise<TrackerFiles> {
  const [script, module] = await Promise.all([bundle('script.ts', 'iife'), bundle('clicklogger.ts', 'esm')]);
  const source = fs.readFileSync(path.join(SOURCE, 'clicklogger.ts'), 'utf8');
  const types = ts.transpileDeclaration(source, {
    fileName: 'clicklogger.ts',
    compilerOptions: { isolatedDeclarations: true, removeComments: false },
  });
  if (types.diagnostics?.length) {
    throw new Error(`tracker types: ${ts.flattenDiagnosticMessageText(types.diagnostics[0].messageText, '\n')}`);
  }
  return { 'clicklogger.min.js': script, 'clicklogger.mjs': module, 'clicklogger.d.ts': types.outputText };
}

if (require.main === module) {
  void buildTracker().then((files) => {
    const dist = path.join(__dirname, 'dist');
    fs.mkdirSync(dist, { recursive: true });
    for (const [name, text] of Object.entries(files) as [string, string][])
      fs.writeFileSync(path.join(dist, name), text);
    process.stdout.write(`tracker: ${Object.keys(files).join(', ')} in ${dist}\n`);
  });
}
