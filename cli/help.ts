/**
 * What `clicklogger <command> --help` and `clicklogger help <command>` print: what the command
 * does, each flag with its default, and examples. Typed against command-flags.ts, so a flag the
 * parser takes cannot lack its line here.
 */
import type { COMMAND_FLAGS, CommandName } from './command-flags';
import {
  BOOTSTRAP_USAGE,
  COST_USAGE,
  DOCTOR_USAGE,
  ERASE_USAGE,
  LOCAL_USAGE,
  REPORT_USAGE,
  RUN_USAGE,
  SEND_USAGE,
  SERVE_USAGE,
} from './usage';

interface FlagHelp {
  /** What the flag takes, as the usage line names it (FILE, YYYY-MM-DD); none for a switch. */
  readonly value?: string;
  readonly text: string;
  /** What applies when the flag is not given. */
  readonly otherwise?: string;
}

/** Each command's help; its flags are exactly the parser's (command-flags.ts). */
type Help = {
  readonly [C in CommandName]: {
    readonly usage: string;
    readonly summary: string;
    readonly flags: Readonly<Record<keyof (typeof COMMAND_FLAGS)[C], FlagHelp>>;
    readonly examples: readonly [string, string, ...string[]];
  };
};

const DATE = 'YYYY-MM-DD';
const OUT = { value: 'DIR', text: 'the folder the run keeps its data and reports in', otherwise: '.clicklogger' };
const ENGINE = {
  value: 'duckdb|spark',
  text: "the report job's engine: DuckDB in this process, or the PySpark job on local Spark (needs Java and the project's Python environment)",
  otherwise: 'duckdb',
};
const STAGE = {
  value: 'S',
  text: 'the deployed stage to drive, whose outputs file is cdktf-outputs.json',
  otherwise: 'dev',
};

export const HELP: Help = {
  local: {
    usage: LOCAL_USAGE,
    summary:
      'Runs the whole pipeline on this machine: ingestion, Firehose, the report state machine and the report job.',
    flags: {
      events: {
        value: 'FILE',
        text: 'ingest this JSON Lines or JSON array file (- for standard input); bad lines are rejected one by one',
        otherwise: "the blog's 8 sample clicks",
      },
      date: {
        value: DATE,
        text: 'the day to report (UTC); with --events, only that day',
        otherwise: 'today, or with --events every day the file holds',
      },
      generate: { value: 'N', text: 'generate N clicks of visits on --date instead of the samples (1 to 100000000)' },
      out: OUT,
      engine: ENGINE,
      keep: { text: 'keep what earlier runs stored in --out, rather than starting from an empty folder' },
      verbose: { text: 'say what each stage does, with times and memory' },
    },
    examples: [
      'clicklogger local',
      'clicklogger local --events clicks.jsonl --out /tmp/run',
      'clicklogger local --generate 1000000 --date 2023-02-08 --engine spark',
    ],
  },
  serve: {
    usage: SERVE_USAGE,
    summary:
      'Collects clicks from web pages on this machine, as the public collector does, and reports them when stopped (Ctrl-C).',
    flags: {
      port: { value: 'PORT', text: 'the port to listen on', otherwise: '8787' },
      host: {
        value: 'HOST',
        text: 'the address to listen on; another than the loopback is reachable from the network',
        otherwise: '127.0.0.1',
      },
      out: OUT,
      'allow-origin': {
        value: 'ORIGIN',
        text: 'a page origin that may send (repeat for more)',
        otherwise: 'the stack’s collectorOrigins',
      },
      keep: { text: 'keep what earlier runs stored in --out' },
      engine: ENGINE,
      verbose: { text: 'say more of what the collector and the run do' },
    },
    examples: ['clicklogger serve', 'clicklogger serve --port 9000 --allow-origin http://localhost:3000'],
  },
  send: {
    usage: SEND_USAGE,
    summary: "Sends clicks to a deployed stack's ingestion function.",
    flags: {
      stage: STAGE,
      sample: { text: "send the blog's 8 sample clicks" },
      events: { value: 'FILE', text: 'send the clicks of this JSON Lines or JSON array file' },
      date: { value: DATE, text: 'with --sample, stamp the samples on this day', otherwise: 'the samples as they are' },
    },
    examples: ['clicklogger send --sample', 'clicklogger send --stage prod --events clicks.jsonl'],
  },
  run: {
    usage: RUN_USAGE,
    summary: "Starts a deployed stack's report state machine for a day or a range, and waits for it.",
    flags: {
      stage: STAGE,
      date: { value: DATE, text: 'the day to report' },
      from: { value: DATE, text: 'the first day of a range (with --to)' },
      to: { value: DATE, text: 'the last day of a range (with --from)' },
      'no-wait': { text: 'return once the execution has started' },
    },
    examples: ['clicklogger run --date 2023-02-08', 'clicklogger run --from 2023-02-01 --to 2023-02-07 --no-wait'],
  },
  report: {
    usage: REPORT_USAGE,
    summary: "Prints the reports of a day or a range, from a deployed stage's bucket or a local run's folder.",
    flags: {
      stage: { ...STAGE, otherwise: 'dev, unless --out is given' },
      out: { value: 'DIR', text: "read a local run's folder instead of a stage" },
      date: { value: DATE, text: 'the day to print' },
      from: { value: DATE, text: 'the first day of a range (with --to)' },
      to: { value: DATE, text: 'the last day of a range (with --from)' },
      html: { value: 'FILE', text: "also write an HTML page of the range's reports to FILE" },
    },
    examples: [
      'clicklogger report --date 2023-02-08 --out .clicklogger',
      'clicklogger report --from 2023-02-01 --to 2023-02-07 --html week.html',
    ],
  },
  cost: {
    usage: COST_USAGE,
    summary:
      "Prices each stage's stack by service at a load, from its synthesized settings, beside the seed design's bill.",
    flags: {
      stage: { value: 'S', text: 'price this stage only', otherwise: 'every configured stage' },
      'clicks-per-day': {
        value: 'N',
        text: 'the clicks a day (the report job must fit the application’s limits)',
        otherwise: '1000000',
      },
      'bytes-per-click': { value: 'B', text: 'the bytes of one click as JSON', otherwise: '220' },
      'clicks-per-request': { value: 'K', text: 'the clicks a sender puts in one request', otherwise: '100' },
      json: { text: 'print the estimate as JSON' },
    },
    examples: ['clicklogger cost', 'clicklogger cost --clicks-per-day 1000000000 --json'],
  },
  erase: {
    usage: ERASE_USAGE,
    summary: "Removes one person's clicks (by user or contextid) from the stored data, and reports the days again.",
    flags: {
      user: { value: 'U', text: 'the user whose clicks to remove, as their pages send it (docs/privacy.md)' },
      contextid: { value: 'C', text: 'the contextid whose clicks to remove' },
      from: { value: DATE, text: 'the first day to erase from', otherwise: 'the oldest stored day' },
      to: { value: DATE, text: 'the last day to erase from', otherwise: 'the newest stored day' },
      out: { ...OUT, text: "erase from a local run's folder" },
      stage: { value: 'S', text: 'erase from a deployed stage' },
      engine: ENGINE,
      yes: { text: 'do not ask before erasing' },
    },
    examples: [
      'clicklogger erase --user alice --out .clicklogger',
      'clicklogger erase --contextid 3b9f --stage prod --from 2023-02-01 --yes',
    ],
  },
  doctor: {
    usage: DOCTOR_USAGE,
    summary:
      'Checks this machine and the AWS account before a deploy, a line each: Node, Terraform, credentials, region, state backend, the stage.',
    flags: { stage: { value: 'S', text: 'the stage whose state and outputs to check', otherwise: 'dev' } },
    examples: ['clicklogger doctor', 'clicklogger doctor --stage prod'],
  },
  bootstrap: {
    usage: BOOTSTRAP_USAGE,
    summary:
      'Makes the S3 bucket (versioned, encrypted, private) that keeps the Terraform state, and prints the settings to deploy with it.',
    flags: {
      stage: { value: 'S', text: 'the stage whose deploy command to print', otherwise: 'dev' },
      bucket: { value: 'NAME', text: 'the bucket to make or use', otherwise: '<appPrefix>-tfstate-<account>-<region>' },
      lock: {
        value: 'file|dynamodb',
        text: "how Terraform locks the state: S3's own lock file (Terraform 1.10+), or a DynamoDB table",
        otherwise: 'file, or dynamodb for a Terraform before 1.10',
      },
    },
    examples: ['clicklogger bootstrap', 'clicklogger bootstrap --bucket acme-terraform-state --lock dynamodb'],
  },
};

/** The help of one command: usage, what it does, each flag, examples. */
export function commandHelp(command: CommandName): string {
  const help = HELP[command];
  const flags = Object.entries(help.flags as Record<string, FlagHelp>).map(([name, flag]) => {
    const head = `  --${name}${flag.value ? ` ${flag.value}` : ''}`;
    const otherwise = flag.otherwise ? ` (default: ${flag.otherwise})` : '';
    return `${head.padEnd(30)} ${flag.text}${otherwise}`;
  });
  return [
    `usage: ${help.usage}`,
    '',
    help.summary,
    '',
    'flags:',
    ...flags,
    `  ${'--help'.padEnd(28)} print this help`,
    '',
    'examples:',
    ...help.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** The help of the CLI: each command in a line. */
export function overallHelp(): string {
  const names = Object.keys(HELP) as CommandName[];
  return [
    'usage: clicklogger <command> [flags]',
    '',
    'commands:',
    ...names.map((name) => `  ${name.padEnd(10)} ${HELP[name].summary}`),
    '',
    'clicklogger help <command> (or clicklogger <command> --help) describes a command and its flags;',
    'clicklogger --version prints the version. Exit codes: 0 done, 1 failed, 2 a usage error.',
  ].join('\n');
}
