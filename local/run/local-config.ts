/**
 * The stage a local run builds: `dev` with the config's defaults, the stack users deploy. Apart
 * from the synthesis (which loads cdktf), so that an events file's ingestion can start from the
 * same config while the stack is synthesized; the run then checks that the two agree.
 */
import { parseConfig, type StageConfig, stageConfig } from '../../stacks/config';
import { DELIVERY_STREAM_PURPOSE, Naming } from '../../stacks/naming';

export function localStageConfig(context: Record<string, unknown> = {}): StageConfig {
  return stageConfig(parseConfig(context), 'dev');
}

/** What ingestion needs of the stack: the delivery stream's name, and how far ahead a click may be. */
export interface IngestionSettings {
  readonly streamName: string;
  readonly maxClockSkewMs: number;
}

/** The ingestion settings the stack is built with, from its config. */
export function localIngestionSettings(config: StageConfig = localStageConfig()): IngestionSettings {
  // The account is part of bucket names only; a resource name does not hold it.
  const names = new Naming(config.appPrefix, config.stage, config.region, '');
  return { streamName: names.resource(DELIVERY_STREAM_PURPOSE), maxClockSkewMs: config.maxClockSkewSeconds * 1000 };
}
