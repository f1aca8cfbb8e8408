/**
 * `clicklogger doctor`: checks this machine and the account before a deploy, a line each, ✓ or
 * ✗ with the fix (doctor-checks.ts). Exits 1 when something a deploy needs is missing.
 */
import { UserError } from '../core/errors';
import { sparkRuntimeProblem } from '../local/emr/spark-job';
import { terraformVersion } from '../core/terraform-install';
import { stackName } from '../stacks/naming';
import { COMMAND_FLAGS } from './command-flags';
import {
  backendCheck,
  type Check,
  credentialsCheck,
  deployedCheck,
  nodeCheck,
  providerCheck,
  regionCheck,
  sparkCheck,
  terraformCheck,
} from './doctor-checks';
import { parseFlags } from './flags';
import type { Io } from './io';
import { projectConfig } from './project-config';
import { DOCTOR_USAGE } from './usage';

export async function doctorCommand(argv: string[], io: Io): Promise<number> {
  const { stage = 'dev' } = parseFlags(argv, COMMAND_FLAGS.doctor, DOCTOR_USAGE);
  const failed: Check[] = [];
  const show = (check: Check) => {
    io.out(`${check.ok ? '✓' : '✗'} ${check.text}`);
    if (!check.ok) failed.push(check);
  };
  show(nodeCheck());
  show(terraformCheck(terraformVersion()));
  show(providerCheck());
  show(sparkCheck(sparkRuntimeProblem()));
  let config;
  try {
    config = projectConfig();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    show({ ok: false, text: `config (cdktf.json and CLICKLOGGER_*): ${error.message}`, deployNeeds: true });
  }
  if (config !== undefined) {
    if (!config.stages.includes(stage))
      show({
        ok: false,
        text: `stage ${stage}: not among the configured stages (${config.stages.join(', ')}); set \`stages\` in cdktf.json or CLICKLOGGER_STAGES`,
        deployNeeds: true,
      });
    show(regionCheck(config));
    const { check, identity } = await credentialsCheck(config.region);
    show(check);
    show(await backendCheck(config, stage, identity !== undefined));
    show(deployedCheck(config, stage));
  }
  const blocking = failed.filter((check) => check.deployNeeds).length;
  if (blocking > 0) {
    io.out(
      `${blocking === 1 ? 'one problem blocks' : `${blocking} problems block`} a deploy: fix the ✗ above, then run \`clicklogger doctor\` again`,
    );
    return 1;
  }
  const stack = stackName(config?.appPrefix ?? 'clicklogger', stage);
  io.out(`ready to deploy: \`npx cdktf deploy ${stack} --outputs-file cdktf-outputs.json\` (docs/deploy.md)`);
  return 0;
}
