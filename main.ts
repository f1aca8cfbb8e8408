/**
 * The cdktf app: typed config → one stack per stage → its state backend.
 * Tests build stacks directly; only this file calls synth.
 */
import { App } from 'cdktf';
import { UserError } from './core/errors';
import { type ClickloggerConfig, loadConfig, stageConfig } from './stacks/config';
import { ClickloggerStack } from './stacks/clicklogger-stack';
import { attachBackend } from './stacks/backend';

const app = new App();
let config: ClickloggerConfig;
try {
  config = loadConfig(app.node.getAllContext() as Record<string, unknown>);
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  // A setting that cannot be used is one line, not a stack trace.
  process.stderr.write(`clicklogger: ${error.message}\n`);
  process.exit(2);
}
for (const stage of config.stages) {
  const stack = new ClickloggerStack(app, stageConfig(config, stage));
  attachBackend(stack, stack.node.id, config.backend, { outdir: app.outdir, projectDir: process.cwd() });
}
app.synth();
