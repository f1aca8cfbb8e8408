/**
 * Where `clicklogger report` reads the daily report files: a deployed stage's output bucket, or
 * the output folder of `clicklogger local`. A source answers a day's file, or null when the day
 * has no such file; a day whose file cannot be read is marked (`unreadable`), while a failure of
 * the source as a whole (credentials, network) stops the command.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { BUCKET_PURPOSES, REPORT_FILES } from '../core/contracts';
import { describeError } from '../core/errors';
import { reportKeyPrefix } from '../core/report-date';
import { s3Client } from './cloud';
import { CliError, usageError } from './errors';
import type { StackOutputs } from './stack-outputs';

export type ReportFile = { readonly text: string } | { readonly missing: true } | { readonly unreadable: string };

export interface ReportSource {
  /** Where the reports are, for messages: `s3://bucket/` or a folder. */
  readonly where: string;
  /** Where a day's file is, for messages. */
  locate(date: string, file: string): string;
  read(date: string, file: string): Promise<ReportFile>;
}

export function bucketSource(outputs: StackOutputs): ReportSource {
  const s3 = s3Client(outputs);
  const bucket = outputs.output_bucket;
  const keyOf = (date: string, file: string) => `${reportKeyPrefix(date)}/${file}`;
  return {
    where: `s3://${bucket}/`,
    locate: (date, file) => `s3://${bucket}/${keyOf(date, file)}`,
    async read(date, file) {
      const key = keyOf(date, file);
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { text: await object.Body!.transformToString('utf8') };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return { missing: true };
        throw new CliError(`cannot read s3://${bucket}/${key}: ${describeError(error)}`, { cause: error });
      }
    },
  };
}

/** `<region>-<prefix>-<stage>-loggregator-output-<account>`: the output bucket's folder of a local run. */
const OUTPUT_FOLDER = new RegExp(`^[a-z0-9-]+-${BUCKET_PURPOSES.output}-\\d{12}$`);

/** The output bucket's folder inside a `clicklogger local --out` folder. */
export async function folderSource(outDir: string): Promise<ReportSource> {
  let names: string[];
  try {
    names = (await fs.readdir(outDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw usageError(
        `--out ${outDir} is not a folder; give the folder a local run wrote (clicklogger local --out DIR, default .clicklogger)`,
      );
    }
    throw new CliError(`cannot read --out ${outDir}: ${describeError(error)}`, { cause: error });
  }
  const buckets = names.filter((name) => OUTPUT_FOLDER.test(name));
  if (buckets.length === 0) {
    throw new CliError(`${outDir} holds no reports: it is not the --out folder of a clicklogger local run`);
  }
  if (buckets.length > 1) throw new CliError(`${outDir} holds the reports of several stacks: ${buckets.join(', ')}`);
  const root = path.join(outDir, buckets[0]);
  const locate = (date: string, file: string) => path.join(root, ...reportKeyPrefix(date).split('/'), file);
  return {
    where: root,
    locate,
    async read(date, file) {
      const name = locate(date, file);
      try {
        return { text: await fs.readFile(name, 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
        return { unreadable: describeError(error) };
      }
    },
  };
}

/** A day's markdown report, or a one-line error saying where it looked. */
export async function fetchReport(source: ReportSource, date: string): Promise<string> {
  const file = await source.read(date, REPORT_FILES.markdown);
  if ('text' in file) return file.text;
  const reason = 'unreadable' in file ? `: ${file.unreadable}` : '';
  throw new CliError(`no report for ${date} at ${source.locate(date, REPORT_FILES.markdown)}${reason}`);
}
