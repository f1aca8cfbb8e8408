/** What every command that drives a deployed stage checks before its first request. */
import { stackName } from '../stacks/naming';
import { requireCredentials } from './credentials';
import { loadOutputs, type StackOutputs } from './stack-outputs';

/** The stage's outputs, once it is known to be deployed and credentials resolve; else one line with the fix. */
export async function deployedStage(stage: string, required: (keyof StackOutputs)[]): Promise<StackOutputs> {
  const outputs = loadOutputs({ stage }, required);
  await requireCredentials(stackName('clicklogger', stage), outputs.region);
  return outputs;
}
