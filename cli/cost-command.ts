/** `clicklogger cost`: the fixed monthly idle cost of each configured stack, from its synthesized Terraform. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeStackJson } from '../local/synthesized-stack';
import { loadConfig, stageConfig } from '../stacks/config';
import { idleCost, seedIdleCost } from '../stacks/idle-cost';
import { stackName } from '../stacks/naming';
import { parseFlags } from './flags';
import type { Io } from './io';

export const COST_USAGE = 'clicklogger cost [--stage STAGE]';

const usd = (n: number) => `$${n.toFixed(2)}`;

function cdktfContext(cwd: string): Record<string, unknown> {
  const file = path.join(cwd, 'cdktf.json');
  if (!fs.existsSync(file)) return {};
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return json.context ?? {};
}

export async function costCommand(argv: string[], io: Io, cwd = process.cwd()): Promise<number> {
  const values = parseFlags(argv, { stage: { type: 'string' } }, COST_USAGE);
  const config = loadConfig(cdktfContext(cwd));
  const stages = values.stage ? [values.stage] : config.stages;
  for (const stage of stages) {
    const cost = idleCost(synthesizeStackJson(stageConfig(config, stage)));
    io.out(
      `${stackName(config.appPrefix, stage)}: idle cost ${usd(cost.totalUsd)}/month (${usd(
        cost.totalWithoutFreeTierUsd,
      )} once the CloudWatch free tier is used up)`,
    );
    for (const item of cost.items) {
      io.out(`  ${usd(item.monthlyUsd).padStart(10)}  ${item.what}${item.freeTier ? ' (within the free tier)' : ''}`);
    }
    if (cost.items.length === 0) io.out('  nothing is billed while idle');
  }
  const seed = seedIdleCost();
  io.out(
    `seed design for comparison: NAT gateway ${usd(
      seed.natUsd,
    )}/month, plus 5 + 5 pre-initialized 4 vCPU / 20 GB workers ` +
      `${usd(seed.warmWorkersUsd)}/month while the application is started`,
  );
  return 0;
}
