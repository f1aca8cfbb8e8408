import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { findTerraform, validateStack } from '../../scripts/terraform';
import { buildStack } from '../support/synth';
import { requireTool } from '../support/ci';

const available = requireTool('terraform', findTerraform() !== undefined);
const maybe = available ? it : it.skip;

describe('terraform validate with the real AWS provider', () => {
  maybe.each([
    ['default', {}],
    [
      'every feature on',
      {
        studio: true,
        collector: 'public',
        collectorOrigins: ['https://shop.example.com'],
        emr: { preInitializedWorkers: 2 },
      },
    ],
  ])(
    'accepts the %s stack',
    (_name, overrides) => {
      const outdir = Testing.fullSynth(buildStack(overrides));
      const stackDir = path.join(outdir, 'stacks', 'clicklogger-dev');
      expect(fs.existsSync(path.join(stackDir, 'cdk.tf.json'))).toBe(true);
      try {
        expect(() => validateStack(stackDir)).not.toThrow();
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
