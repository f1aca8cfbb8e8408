/**
 * The clicklogger CLI: `local` runs the pipeline on this machine; `send`, `run` and `report`
 * drive a deployed stack.
 */
import { describeError, UserError } from '../functions/shared/errors';
import { usageError } from './errors';
import { type Io, processIo } from './io';
import { LOCAL_USAGE, localCommand } from './local-command';
import { COST_USAGE, costCommand } from './cost-command';
import { REPORT_USAGE, reportCommand } from './report-command';
import { RUN_USAGE, runCommand } from './run-command';
import { SEND_USAGE, sendCommand } from './send-command';

const USAGES: Record<string, string> = {
  local: LOCAL_USAGE,
  send: SEND_USAGE,
  run: RUN_USAGE,
  report: REPORT_USAGE,
  cost: COST_USAGE,
};
const USAGE = ['usage:', ...Object.values(USAGES).map((u) => `  ${u}`), '  clicklogger <command> --help'].join('\n');

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const code = await runCommandLine(argv, io);
  const failure = io.outputFailure?.();
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
        return await localCommand(rest, io);
      case 'send':
        return await sendCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case 'cost':
        return await costCommand(rest, io);
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
