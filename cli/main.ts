/**
 * The clicklogger CLI: `local` runs the pipeline on this machine, `serve` collects clicks from web pages on it, `erase`
 * removes one person's clicks from it; `send`, `run` and `report` drive a deployed stack; `doctor` and `bootstrap`
 * prepare a deploy.
 */
import { describeError, UserError } from '../core/errors';
import { usageError } from './errors';
import { type Io, processIo } from './io';
import { COMMAND_FLAGS, type CommandName } from './command-flags';
import { commandHelp, overallHelp } from './help';
import { nearest } from './suggest';
import type * as BootstrapCommand from './bootstrap-command';
import type * as CostCommand from './cost-command';
import type * as DoctorCommand from './doctor-command';
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
  doctor: () => (require('./doctor-command') as typeof DoctorCommand).doctorCommand,
  bootstrap: () => (require('./bootstrap-command') as typeof BootstrapCommand).bootstrapCommand,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const isCommand = (name: string | undefined): name is CommandName =>
  name !== undefined && Object.hasOwn(COMMAND_FLAGS, name);

/** The version in package.json, read when asked for. */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- read on demand, as the commands are
  return (require('../package.json') as { version: string }).version;
}

function unknownCommand(command: string): Error {
  const near = nearest(command, Object.keys(COMMAND_FLAGS));
  return usageError(
    `unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}; run \`clicklogger help\``,
  );
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const code = await runCommandLine(argv, io);
  const failure = await io.outputFailure?.();
  if (failure === undefined) return code;
  io.err(`clicklogger: cannot write the output: ${describeError(failure)}`);
  return code === 0 ? 1 : code;
}

async function runCommandLine(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  const flags = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined);
  if (isCommand(command) && (flags.includes('--help') || flags.includes('-h'))) {
    io.out(commandHelp(command));
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
      case 'doctor':
      case 'bootstrap':
        return await commands[command]()(rest, io);
      case 'help':
        if (rest.length === 0) break;
        if (!isCommand(rest[0])) throw unknownCommand(rest[0]);
        io.out(commandHelp(rest[0]));
        return 0;
      case '--version':
      case '-V':
      case 'version':
        io.out(`clicklogger ${version()}`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
        break;
      default:
        throw unknownCommand(command);
    }
  } catch (error) {
    if (error instanceof UserError) {
      io.err(`clicklogger: ${error.message}`);
      return error.exitCode;
    }
    io.err(`clicklogger: ${describeError(error)}`);
    return 1;
  }
  // No command, or help asked for: the commands, each in a line.
  io.out(overallHelp());
  return command === undefined ? 2 : 0;
}
