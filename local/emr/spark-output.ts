/**
 * Reading what the report job said, among Spark's own logging: the same rules for the local
 * Spark engine (spark-submit's output as it runs) and for `clicklogger run` (the driver's logs
 * that EMR Serverless keeps in the logs bucket).
 */

/** The job's own error line (spark/report_job.py `main`). */
const JOB_ERROR = /^report_job: error: (.*)$/;
/** Spark's own log lines (`25/11/24 10:00:00 INFO …`), which say nothing of why a job failed. */
const SPARK_LOG_LINE = /^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} [A-Z]+ /;

/** The error the job reported in `line`, if it is the job's own error line. */
export function jobError(line: string): string | undefined {
  return JOB_ERROR.exec(line)?.[1];
}

/** Whether `line` is something the job (not Spark's logging) wrote. */
export function isJobOutput(line: string): boolean {
  return line.trim() !== '' && !SPARK_LOG_LINE.test(line);
}

/**
 * What the job said about how it ended: its own error lines when it wrote any, otherwise its
 * last `tail` lines (a Python traceback ends with the exception).
 */
export function jobsOwnWords(text: string, tail = 5): string[] {
  const lines = text.split(/\r?\n/);
  const errors = lines.filter((line) => jobError(line) !== undefined);
  if (errors.length > 0) return errors;
  return lines.filter(isJobOutput).slice(-tail);
}
