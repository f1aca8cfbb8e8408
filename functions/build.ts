/**
 * Bundles a Lambda function with esbuild. The stack calls this at synth time
 * (as CDK's NodejsFunction does), so `cdktf synth` needs no separate build step.
 */
import * as path from 'node:path';
import { buildSync } from 'esbuild';

export const FUNCTION_NAMES = ['ingest', 'job-status', 'plan-dates'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

const ROOT = path.resolve(__dirname, '..');
const OUT_ROOT = path.join(ROOT, '.build', 'functions');

/** Builds `functions/<name>/handler.ts` into `.build/functions/<name>/index.js`; returns that folder. */
export function bundleFunction(name: FunctionName): string {
  const outdir = path.join(OUT_ROOT, name);
  buildSync({
    entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'error',
  });
  return outdir;
}
