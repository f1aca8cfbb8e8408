/**
 * How many rows of the counts table response.md lists for each caller (config
 * `reportRowsPerCaller`): a day with millions of distinct caller-supplied components would
 * otherwise list every one. report.json keeps every row. The stack passes the figure to the job
 * as a Spark setting; the local run reads it back from there, for either engine.
 */
import { sparkSetting } from './spark-settings';

export const DEFAULT_ROWS_PER_CALLER = 100;
export const MAX_ROWS_PER_CALLER = 1_000_000;
export const ROWS_PER_CALLER_SETTING = 'spark.clicklogger.rowsPerCaller';

export function rowsPerCallerConf(rowsPerCaller: number): string {
  return `--conf ${ROWS_PER_CALLER_SETTING}=${rowsPerCaller}`;
}

/** The figure a job's SparkSubmitParameters carry; the default when they carry none. */
export function rowsPerCallerFromSparkParameters(parameters: string | undefined): number {
  const value = sparkSetting(parameters, ROWS_PER_CALLER_SETTING);
  return value === undefined || !/^\d+$/.test(value) ? DEFAULT_ROWS_PER_CALLER : Number(value);
}
