/**
 * `clicklogger report`: a day's markdown report, or a range of days as markdown or as one HTML
 * page, from a deployed stage's output bucket (--stage) or a `clicklogger local` folder (--out).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { REPORT_FILES } from '../core/contracts';
import { describeError } from '../core/errors';
import { writeFileAtomically } from '../report/atomic-file';
import { escapeHtml, groupDigits, renderHtml } from '../report/html';
import { trendSections } from '../report/trend-html';
import { askedDates } from './dates';
import { CliError, usageError } from './errors';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import type { Io } from './io';
import { noReport, readEach, readHtmlDays } from './report-days';
import { bucketSource, fetchReport, folderSource, type ReportSource } from './report-sources';
import { deployedStage } from './stage-access';
import { REPORT_USAGE } from './usage';

async function sourceOf(values: { stage?: string; out?: string }): Promise<ReportSource> {
  if (values.stage !== undefined && values.out !== undefined) {
    throw usageError(`read a stage (--stage) or a local run's folder (--out), not both (usage: ${REPORT_USAGE})`);
  }
  if (values.out !== undefined) return folderSource(path.resolve(values.out));
  return bucketSource(await deployedStage(values.stage ?? 'dev', ['output_bucket']));
}

/**
 * Where --html writes: through a symbolic link to its target, so that the link stays; refused
 * unless that is a regular file or nothing yet (a rename would replace a device or a folder).
 */
async function pageTarget(file: string): Promise<string> {
  let target: string;
  try {
    target = await fs.realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(`cannot write ${file}: ${describeError(error)}`, { cause: error });
    }
    // Nothing there yet, or a link to nothing: the link's target is where the page goes, in a
    // folder that must exist (--html never makes one: a typo would leave folders about).
    const link = await fs.lstat(file).catch(() => undefined);
    const page = link?.isSymbolicLink() ? path.resolve(path.dirname(file), await fs.readlink(file)) : file;
    const folder = await fs.stat(path.dirname(page)).catch(() => undefined);
    if (!folder?.isDirectory()) {
      throw usageError(
        `--html ${file}: the folder ${path.dirname(page)} does not exist; make it, or give a path in one`,
      );
    }
    return page;
  }
  if (!(await fs.stat(target)).isFile()) {
    const leads = target === file ? '' : ` (it leads to ${target})`;
    throw usageError(`--html ${file} is not a regular file${leads}; give a file's path`);
  }
  return target;
}

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.report, REPORT_USAGE);
  const { dates } = askedDates(values, REPORT_USAGE);
  const source = await sourceOf(values);

  if (values.html !== undefined) {
    // `-`: the page on standard output, and what was reported on standard error.
    const file = values.html === '-' ? undefined : path.resolve(values.html);
    const target = file === undefined ? undefined : await pageTarget(file);
    const days = await readHtmlDays(source, dates);
    const page = renderHtml(days, trendSections(days, escapeHtml, groupDigits));
    const missing = days.filter((day) => day.rows === null);
    const reported = `${days.length - missing.length} of ${days.length} days reported`;
    if (file === undefined || target === undefined) {
      io.out(page.trimEnd());
      io.err(reported);
    } else {
      try {
        await writeFileAtomically(target, page);
      } catch (error) {
        throw new CliError(`cannot write ${file}: ${describeError(error)}`, { cause: error });
      }
      io.out(`wrote ${file}: ${reported}`);
    }
    for (const day of missing) io.err(`no report for ${day.date}: ${day.problem}`);
    return 0;
  }

  // One day is that day's report, or an error; a range marks the days that have none.
  if (dates.length === 1) {
    io.out((await fetchReport(source, dates[0])).trimEnd());
    return 0;
  }
  const reports = await readEach(dates, (date) => source.read(date, REPORT_FILES.markdown));
  // As with --html: a range in which no day has a report is an error, not an empty success.
  if (reports.every((report) => !('text' in report))) {
    const unreadable = reports.findIndex((report) => 'unreadable' in report);
    const bad = unreadable === -1 ? undefined : reports[unreadable];
    throw noReport(
      source,
      dates,
      bad && 'unreadable' in bad ? { date: dates[unreadable], problem: `unreadable: ${bad.unreadable}` } : undefined,
    );
  }
  reports.forEach((report, i) => {
    if (i > 0) io.out('');
    if ('text' in report) io.out(report.text.trimEnd());
    else io.out(`No report for ${dates[i]} (${'missing' in report ? 'missing' : report.unreadable}).`);
  });
  return 0;
}
