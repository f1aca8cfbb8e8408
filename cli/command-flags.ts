/**
 * Every command's flags, as its parser takes them: the one list that the parsers, the help
 * (help.ts) and the test that holds the help to the parsers all read. Light on purpose: the
 * CLI loads it for `--help` without loading any command.
 */
import type { ParseArgsOptionsConfig } from 'node:util';

export const STAGE = { stage: { type: 'string', default: 'dev' } } as const;

export const COMMAND_FLAGS = {
  local: {
    events: { type: 'string' },
    date: { type: 'string' },
    generate: { type: 'string' },
    out: { type: 'string' },
    engine: { type: 'string' },
    keep: { type: 'boolean' },
    verbose: { type: 'boolean' },
  },
  serve: {
    port: { type: 'string' },
    host: { type: 'string' },
    out: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    keep: { type: 'boolean' },
    engine: { type: 'string' },
    verbose: { type: 'boolean' },
  },
  send: { ...STAGE, sample: { type: 'boolean' }, events: { type: 'string' }, date: { type: 'string' } },
  run: {
    ...STAGE,
    date: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'no-wait': { type: 'boolean' },
  },
  report: {
    stage: { type: 'string' },
    out: { type: 'string' },
    date: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    html: { type: 'string' },
  },
  cost: {
    stage: { type: 'string' },
    'clicks-per-day': { type: 'string' },
    'bytes-per-click': { type: 'string' },
    'clicks-per-request': { type: 'string' },
    json: { type: 'boolean' },
  },
  erase: {
    user: { type: 'string' },
    contextid: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    stage: { type: 'string' },
    engine: { type: 'string' },
    yes: { type: 'boolean' },
  },
  doctor: { ...STAGE },
  bootstrap: { ...STAGE, bucket: { type: 'string' }, lock: { type: 'string' } },
} as const satisfies Record<string, ParseArgsOptionsConfig>;

export type CommandName = keyof typeof COMMAND_FLAGS;
