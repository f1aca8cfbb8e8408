/**
 * The engines a local job run can use. Both run spark/report.sql over the local buckets and
 * write the same response.md and report.json:
 * - duckdb (the default): the embedded report engine, in-process and fast;
 * - spark: the PySpark job itself, with spark-submit on local Spark.
 * Both run the job's erase mode too (`erase …` arguments), and leave the same rows.
 */
import * as path from 'node:path';
import { runReport } from '../../report/engine';
import { ERASURE, JOB_FILES, sparkObjectUri } from '../../core/contracts';
import { funnelsFromSparkParameters } from '../../core/funnels';
import { rowsPerCallerFromSparkParameters } from '../../core/report-listing';
import { eraseWithDuckDb, parseEraseArguments } from '../run/erase';
import type { EngineName } from './engine-names';
import type { JobEngine } from './job-runner';
import { runSparkJob } from './spark-job';

export interface EngineOptions {
  /** Folder holding one sub-folder per bucket. */
  readonly outDir: string;
  /** The bucket the stack uploads the job's files to. */
  readonly sourceBucket: string;
  /** Spark's own output, line by line (spark only; without it, Spark's logs are hidden). */
  readonly onOutput?: (line: string) => void;
  /** How the erase mode writes the Parquet it rewrites (duckdb; Spark writes Snappy). */
  readonly parquetCompression: string;
}

/** The job's files in this repository. */
const SPARK_DIR = path.resolve(__dirname, '..', '..', 'spark');

/** s3:// URI of each job file the stack uploads → the same file in this repository. */
function sparkSourceFiles(sourceBucket: string): Map<string, string> {
  return new Map(JOB_FILES.map((file) => [sparkObjectUri(sourceBucket, file), path.join(SPARK_DIR, file)]));
}

export function jobEngine(name: EngineName, options: EngineOptions): JobEngine {
  if (name === 'spark') {
    const sourceFiles = sparkSourceFiles(options.sourceBucket);
    return (driver, signal) =>
      runSparkJob(driver, { sourceFiles, storageRoot: options.outDir, onOutput: options.onOutput, signal });
  }
  return async ({ entryPointArguments: args, sparkSubmitParameters }, signal) => {
    if (args[0] === ERASURE.mode) {
      const erase = parseEraseArguments(args);
      await eraseWithDuckDb(
        erase,
        {
          rawDir: path.join(options.outDir, erase.rawBucket),
          outputDir: path.join(options.outDir, erase.outputBucket),
        },
        options.parquetCompression,
      );
      return;
    }
    const [dates, rawBucket, outputBucket] = args;
    await runReport({
      dates: dates.split(','),
      rawDir: path.join(options.outDir, rawBucket),
      outDir: path.join(options.outDir, outputBucket),
      // What the deployed job reads: the funnels the state machine passes it.
      funnels: funnelsFromSparkParameters(sparkSubmitParameters),
      rowsPerCaller: rowsPerCallerFromSparkParameters(sparkSubmitParameters),
      signal,
    });
  };
}
