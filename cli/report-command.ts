/** `clicklogger report`: prints a day's report from the deployed stack's output bucket. */
import { fetchReport, requireDate, STAGE } from './cloud';
import { parseFlags } from './flags';
import type { Io } from './io';
import { loadOutputs } from './stack-outputs';

export const REPORT_USAGE = 'clicklogger report --date YYYY-MM-DD [--stage dev]';

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const values = parseFlags(argv, { ...STAGE, date: { type: 'string' } }, REPORT_USAGE);
  const date = requireDate(values.date, REPORT_USAGE);
  const outputs = loadOutputs({ stage: values.stage }, ['output_bucket']);
  io.out((await fetchReport(outputs, date)).trimEnd());
  return 0;
}
