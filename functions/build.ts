/**
 * Bundles a Lambda function with esbuild. The stack calls this at synth time
 * (as CDK's NodejsFunction does), so `cdktf synth` needs no separate build step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

export const FUNCTION_NAMES = ['ingest', 'job-status', 'plan-dates'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

const ROOT = path.resolve(__dirname, '..');
const OUT_ROOT = path.join(ROOT, '.build', 'functions');
/** Source maps stay here, beside the build and out of the deployed zips. */
export const MAPS_ROOT = path.join(ROOT, '.build', 'maps');

/**
 * Builds `functions/<name>/handler.ts` into `.build/functions/<name>/index.js` (the folder the
 * stack zips) and its source map into `.build/maps/<name>/index.js.map`; returns the first.
 * The zip holds no map, which would be most of its size; names are kept, so a stack trace still
 * names its functions, and the map decodes it locally (`node --enable-source-maps` beside it).
 */
export function bundleFunction(name: FunctionName): string {
  const outdir = path.join(OUT_ROOT, name);
  const result = buildSync({
    entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: 'external',
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'error',
    write: false,
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  for (const file of result.outputFiles) {
    const target = file.path.endsWith('.map') ? path.join(MAPS_ROOT, name, path.basename(file.path)) : file.path;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.contents);
  }
  return outdir;
}
