import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, Testing } from 'cdktf';
import { ConfigSchema, stageConfig } from '../../stacks/config';
import { ClickloggerStack } from '../../stacks/clicklogger-stack';

export type Synthesized = {
  resource: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output: Record<string, { value: string }>;
  terraform?: Record<string, any>;
};

const appFolders: string[] = [];

/** A testing app whose folder removeAppFolders() deletes (jest.setup.ts calls it after each file). */
export function testApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-test-app-'));
  appFolders.push(outdir);
  return Testing.app({ outdir });
}

export function removeAppFolders(): void {
  for (const dir of appFolders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Builds a stage stack from config overrides (input form, as in cdktf.json context). */
export function buildStack(overrides: Record<string, unknown> = {}, stage = 'dev'): ClickloggerStack {
  const config = ConfigSchema.parse(overrides);
  return new ClickloggerStack(testApp(), stageConfig(config, stage));
}

export function synth(overrides: Record<string, unknown> = {}, stage = 'dev'): Synthesized {
  return JSON.parse(Testing.synth(buildStack(overrides, stage)));
}

/** All resources of one type, as [logical id, config] pairs. */
export function resources(json: Synthesized, type: string): [string, any][] {
  return Object.entries(json.resource[type] ?? {});
}

export function only(json: Synthesized, type: string): any {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0][1];
}

/** The one resource of `type` whose `key` contains `fragment`. */
export function find(json: Synthesized, type: string, key: string, fragment: string): any {
  const matches = resources(json, type).filter(([, r]) => String(r[key]).includes(fragment));
  if (matches.length !== 1)
    throw new Error(`expected one ${type} with ${key} containing ${fragment}, found ${matches.length}`);
  return matches[0][1];
}

/** Logical id → `${type}.${id}` reference prefix, to check what points at what. */
export function ref(type: string, id: string, attribute: string): string {
  return `\${${type}.${id}.${attribute}}`;
}

export function idOf(json: Synthesized, type: string, predicate: (r: any) => boolean): string {
  const match = resources(json, type).find(([, r]) => predicate(r));
  if (!match) throw new Error(`no ${type} matches`);
  return match[0];
}
