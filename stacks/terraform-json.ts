/**
 * The synthesized Terraform JSON (cdk.tf.json), as the local run, the cost model and the scan
 * read it back. Only the shape of what they read is typed: each reader names the fields it needs.
 */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
  readonly output?: Record<string, { value: unknown }>;
  readonly terraform?: Record<string, unknown>;
}

export function parseTerraformJson(text: string): TerraformJson {
  return JSON.parse(text) as TerraformJson;
}

/** The resources of one type as [logical id, config] pairs; `T` names the fields the caller reads. */
export function resourcesOf<T>(json: TerraformJson, type: string): [string, T][] {
  return Object.entries(json.resource?.[type] ?? {}) as [string, T][];
}

/** The one resource of `type`; throws when there is none or more than one. */
export function singleResource<T>(json: TerraformJson, type: string): T {
  const all = resourcesOf<T>(json, type);
  if (all.length !== 1) throw new Error(`synthesized stack has ${all.length} ${type}, expected 1`);
  return all[0][1];
}

/** The report's state machine (the erase's is named `…-erase-state-machine`). */
export function reportStateMachine<T extends { name: string }>(json: TerraformJson): T {
  const all = resourcesOf<T>(json, 'aws_sfn_state_machine').filter(([, m]) => !m.name.endsWith('-erase-state-machine'));
  if (all.length !== 1) throw new Error(`synthesized stack has ${all.length} report state machines, expected 1`);
  return all[0][1];
}
