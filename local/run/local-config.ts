/**
 * The stage a local run builds: `dev` with the config's defaults, the stack users deploy. Apart
 * from the synthesis (which loads cdktf), so that an events file's ingestion can start from the
 * same config while the stack is synthesized; the run then checks that the two agree.
 */
import { parseConfig, type StageConfig, stageConfig } from '../../stacks/config';
import { DELIVERY_STREAM_PURPOSE, Naming } from '../../stacks/naming';
import type { PrivacySettings } from '../../core/privacy';

/**
 * The two privacy settings come from the environment as a deployment's do (CLICKLOGGER_CLIENT_IP,
 * CLICKLOGGER_USER), so that a local run stores what the deployed stack would; nothing else does.
 */
export function localStageConfig(
  context: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): StageConfig {
  const privacy = Object.fromEntries(
    Object.entries({ clientIp: env.CLICKLOGGER_CLIENT_IP, user: env.CLICKLOGGER_USER }).filter(([, v]) => v),
  );
  return stageConfig(parseConfig({ ...privacy, ...context }), 'dev');
}

/** What ingestion needs of the stack: the delivery stream's name, how far ahead a click may be, and what it keeps of personal data. */
export interface IngestionSettings {
  readonly streamName: string;
  readonly maxClockSkewMs: number;
  readonly privacy: PrivacySettings;
}

/** The ingestion settings the stack is built with, from its config. */
export function localIngestionSettings(config: StageConfig = localStageConfig()): IngestionSettings {
  // The account is part of bucket names only; a resource name does not hold it.
  const names = new Naming(config.appPrefix, config.stage, config.region, '');
  return {
    streamName: names.resource(DELIVERY_STREAM_PURPOSE),
    maxClockSkewMs: config.maxClockSkewSeconds * 1000,
    privacy: { clientIp: config.clientIp, user: config.user },
  };
}
