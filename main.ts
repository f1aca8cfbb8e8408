/**
 * The cdktf app: typed config → one stack per stage → its state backend.
 * Tests build stacks directly; only this file calls synth.
 */
import { App } from 'cdktf';
import { loadConfig, stageConfig } from './stacks/config';
import { ClickloggerStack } from './stacks/clicklogger-stack';
import { attachBackend } from './stacks/backend';

const app = new App();
const config = loadConfig(app.node.getAllContext() as Record<string, unknown>);
for (const stage of config.stages) {
  const stack = new ClickloggerStack(app, stageConfig(config, stage));
  attachBackend(stack, stack.node.id, config.backend);
}
app.synth();
