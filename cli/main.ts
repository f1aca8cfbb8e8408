/**
 * The clicklogger CLI: `local` runs the pipeline on this machine, `serve` collects clicks from web pages on it, `erase`
 * removes one person's clicks from it; `send`, `run` and `report` drive a deployed stack.
 */
import { describeError, UserError } from '../core/errors';
import { usageError } from './errors';
import { type Io, processIo } from './io';
import { COST_USAGE, ERASE_USAGE, LOCAL_USAGE, REPORT_USAGE, RUN_USAGE, SEND_USAGE, SERVE_USAGE } from './usage';
import type * as CostCommand from './cost-command';
import type * as EraseCommand from './erase-command';
import type * as LocalCommand from './local-command';
import type * as ReportCommand from './report-command';
import type * as RunCommand from './run-command';
import type * as SendCommand from './send-command';
import type * as ServeCommand from './serve-command';

/*
 * Each command's module is loaded when it runs, not before: a local run starts its ingestion
 * worker before cdktf has loaded, and `send` does not wait for the local run's code.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- require() is how CommonJS loads on demand */
const commands = {
  local: () => (require('./local-command') as typeof LocalCommand).localCommand,
  serve: () => (require('./serve-command') as typeof ServeCommand).serveCommand,
  send: () => (require('./send-command') as typeof SendCommand).sendCommand,
  run: () => (require('./run-command') as typeof RunCommand).runCommand,
  report: () => (require('./report-command') as typeof ReportCommand).reportCommand,
  cost: () => (require('./cost-command') as typeof CostCommand).costCommand,
  erase: () => (require('./erase-command') as typeof EraseCommand).eraseCommand,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const USAGES: Record<string, string> = {
  local: LOCAL_USAGE,
  serve: SERVE_USAGE,
  send: SEND_USAGE,
  run: RUN_USAGE,
  report: REPORT_USAGE,
  cost: COST_USAGE,
  erase: ERASE_USAGE,
};
const USAGE = ['usage:', ...Object.values(USAGES).map((u) => `  ${u}`), '  clicklogger <command> --help'].join('\n');

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const code = await runCommandLine(argv, io);
  const failure = await io.outputFailure?.();
  if (failure === undefined) return code;
  io.err(`clicklogger: cannot write the output: ${describeError(failure)}`);
  return code === 0 ? 1 : code;
}

async function runCommandLine(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  const usage = command !== undefined && Object.hasOwn(USAGES, command) ? USAGES[command] : undefined;
  const flags = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined);
  if (usage && (flags.includes('--help') || flags.includes('-h'))) {
    io.out(`usage: ${usage}`);
    return 0;
  }
  try {
    switch (command) {
      case 'local':
      case 'serve':
      case 'send':
      case 'run':
      case 'report':
      case 'cost':
      case 'erase':
        return await commands[command]()(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw usageError(`unknown command "${command}"; run \`clicklogger help\``);
    }
  } catch (error) {
    if (error instanceof UserError) {
      io.err(`clicklogger: ${error.message}`);
      return error.exitCode;
    }
    io.err(`clicklogger: ${describeError(error)}`);
    return 1;
  }
}
