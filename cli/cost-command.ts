/**
 * `clicklogger cost`: each configured stack's fixed idle cost, and its monthly bill at a load,
 * service by service, beside the seed's design at the same load (cost/cost-model.ts).
 */
import { synthesizeStackJson } from '../local/run/synthesized-stack';
import { DEFAULT_LOAD, estimateCost, type Load, stackFacts, UnsupportedLoadError } from '../cost/cost-model';
import { stageConfig } from '../stacks/config';
import { idleCost, seedIdleCost } from '../cost/idle-cost';
import { stackName } from '../stacks/naming';
import { usageError } from './errors';
import { projectConfig } from './project-config';
import { count, dollars } from '../core/plural';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import type { Io } from './io';
import { COST_USAGE } from './usage';

/** A whole number from `min` to `max`, or a usage error naming the flag. */
function wholeNumber(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw usageError(`--${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

export async function costCommand(argv: string[], io: Io, cwd = process.cwd()): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.cost, COST_USAGE);
  const load: Load = {
    clicksPerDay: wholeNumber(values['clicks-per-day'], 'clicks-per-day', DEFAULT_LOAD.clicksPerDay, 1, 1e12),
    bytesPerClick: wholeNumber(values['bytes-per-click'], 'bytes-per-click', DEFAULT_LOAD.bytesPerClick, 50, 1_024_000),
    clicksPerRequest: wholeNumber(
      values['clicks-per-request'],
      'clicks-per-request',
      DEFAULT_LOAD.clicksPerRequest,
      1,
      100_000,
    ),
  };
  const config = projectConfig(cwd);
  const stages = values.stage ? [values.stage] : config.stages;
  const estimates = [];
  for (const stage of stages) {
    const json = synthesizeStackJson(stageConfig(config, stage));
    const name = stackName(config.appPrefix, stage);
    let estimate;
    try {
      estimate = estimateCost(stackFacts(json), load);
    } catch (error) {
      if (!(error instanceof UnsupportedLoadError)) throw error;
      throw usageError(`${name} cannot carry this load: ${error.message}`);
    }
    estimates.push({ stack: name, ...estimate });
    if (values.json) continue;
    const idle = idleCost(json);
    io.out(
      `${name}: idle cost ${dollars(idle.totalUsd)}/month (${dollars(idle.totalWithoutFreeTierUsd)} once the CloudWatch free tier is used up)`,
    );
    for (const item of idle.items) {
      io.out(
        `  ${dollars(item.monthlyUsd).padStart(10)}  ${item.what}${item.freeTier ? ' (within the free tier)' : ''}`,
      );
    }
    const seedIdle = seedIdleCost();
    io.out(
      `  the seed's design idles at ${dollars(seedIdle.natUsd)}/month (its NAT gateway), plus ` +
        `${dollars(seedIdle.warmWorkersUsd)}/month for 5 + 5 pre-initialized workers while the application is started`,
    );
    io.out(
      `${name} at ${count(load.clicksPerDay)} clicks a day (${count(load.bytesPerClick)} bytes each, ${count(load.clicksPerRequest)} a request): ` +
        `${dollars(estimate.monthlyUsd)}/month, ${dollars(estimate.perMillionClicksUsd, 4)} per million clicks`,
    );
    for (const item of estimate.items) {
      io.out(`  ${item.service.padEnd(15)} ${dollars(item.usd, 4).padStart(11)}  ${item.basis}`);
    }
    io.out(
      `the seed's design at the same load: ${dollars(estimate.seed.monthlyUsd)}/month, ` +
        `${dollars(estimate.seed.perMillionClicksUsd, 4)} per million clicks ` +
        '(one PutRecord a click, a NAT gateway, 10 pre-initialized workers)',
    );
  }
  if (values.json) {
    // One stack: its estimate; several: one per stack.
    const { stack: _stack, ...one } = estimates[0];
    io.out(JSON.stringify(estimates.length === 1 ? one : estimates, null, 2));
  }
  return 0;
}
