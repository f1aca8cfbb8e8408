/**
 * Runs the report job as EMR Serverless would, on local Spark: `spark-submit` from the
 * project's Python environment, with the entry point, `--files` and arguments of the
 * state machine's StartJobRun. Only the s3:// URIs of the job's own files are mapped to this
 * repository, and `spark.clicklogger.storageRoot` maps the buckets to the local run's folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { isJobOutput, jobError } from './spark-output';
import { PYTHON_ENV_HINT, pythonEnvBin, pythonEnvHas, pythonEnvVariables } from './python-env';

export interface SparkSubmitDriver {
  readonly entryPoint: string;
  readonly entryPointArguments: readonly string[];
  readonly sparkSubmitParameters?: string;
}

export interface SparkRunOptions {
  /** s3:// URI of each job file the stack uploads → the file in this repository. */
  readonly sourceFiles: ReadonlyMap<string, string>;
  /** Folder holding one sub-folder per bucket. */
  readonly storageRoot: string;
  /** Receives Spark's own output, line by line; without it, Spark logs at WARN and is not shown. */
  readonly onOutput?: (line: string) => void;
  /** Stops the job: its whole process tree, which the promise waits for. */
  readonly signal?: AbortSignal;
}

/** How long a stopped job may take to exit before it is killed. */
const STOP_GRACE_MS = 10_000;

/** The Java that emr-7.5.0 runs Spark 3.5.2 on, and the only one the local Spark engine accepts. */
const JAVA_MAJOR = 17;

/** The version `java -version` prints (`openjdk version "17.0.15" 2025-04-15`; `1.8.0_392` is Java 8). */
export function javaVersion(output: string): { version: string; major: number } | undefined {
  const version = /version "([^"]+)"/.exec(output)?.[1];
  if (version === undefined) return undefined;
  const [first, second] = version.split(/[.+_-]/).map(Number);
  return { version, major: first === 1 ? second : first };
}

function javaCommand(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Why the Spark engine cannot run here, with how to fix it; undefined when it can. */
export function sparkRuntimeProblem(): string | undefined {
  const java = spawnSync(javaCommand(), ['-XX:-UsePerfData', '-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    return `the Spark engine needs Java ${JAVA_MAJOR}: install it (e.g. \`apt-get install openjdk-17-jre-headless\`) and put \`java\` on the PATH or set JAVA_HOME`;
  }
  const found = javaVersion(`${java.stderr}${java.stdout}`);
  if (found?.major !== JAVA_MAJOR) {
    const which = process.env.JAVA_HOME ? `JAVA_HOME (${process.env.JAVA_HOME})` : 'the `java` on the PATH';
    return `the Spark engine needs Java ${JAVA_MAJOR}, the Java of Spark 3.5 on emr-7.5.0; ${which} is ${found ? `Java ${found.version}` : 'of an unknown version'}`;
  }
  if (!pythonEnvHas('pyspark')) {
    return `the Spark engine needs pyspark from the project's Python environment: ${PYTHON_ENV_HINT}`;
  }
  return undefined;
}

function localFile(uri: string, files: ReadonlyMap<string, string>): string {
  const file = files.get(uri);
  if (file === undefined) throw new Error(`no local copy of ${uri}: only the job's own files are mapped`);
  return file;
}

/** A local run's shuffle partitions: a few per core of `local[2]`; adaptive execution coalesces them. */
const LOCAL_SHUFFLE_PARTITIONS = 16;

/** spark-submit's arguments: the driver's, with job-file URIs mapped, plus the local settings. */
function sparkSubmitArgs(driver: SparkSubmitDriver, options: SparkRunOptions): string[] {
  const mapUris = (token: string) =>
    token.startsWith('s3://')
      ? token
          .split(',')
          .map((uri) => localFile(uri, options.sourceFiles))
          .join(',')
      : token;
  const parameters = (driver.sparkSubmitParameters ?? '').split(/\s+/).filter(Boolean).map(mapUris);
  return [
    '--master',
    'local[2]',
    '--conf',
    `spark.clicklogger.storageRoot=${options.storageRoot}`,
    '--conf',
    'spark.ui.enabled=false',
    // The raw local file system: no .crc files beside the report, as in a bucket.
    '--conf',
    'spark.hadoop.fs.file.impl=org.apache.hadoop.fs.RawLocalFileSystem',
    ...(options.onOutput ? [] : ['--conf', 'spark.log.level=WARN']),
    // The driver JVM's temporary files in this run's temp folder, and no hsperfdata in /tmp.
    '--driver-java-options',
    `-Djava.io.tmpdir=${os.tmpdir()} -XX:-UsePerfData`,
    ...parameters,
    // After the stack's: its shuffle is sized for the busiest day in the cloud (thousands of
    // partitions), and this is one machine's day.
    '--conf',
    `spark.sql.shuffle.partitions=${LOCAL_SHUFFLE_PARTITIONS}`,
    localFile(driver.entryPoint, options.sourceFiles),
    ...driver.entryPointArguments,
  ];
}

/**
 * Resolves when the job exits 0; otherwise rejects with the job's own error line. The job runs
 * in a process group of its own (spark-submit, the JVM, the Python driver), so that stopping
 * it stops all of them; the promise settles only once they have exited.
 */
export async function runSparkJob(driver: SparkSubmitDriver, options: SparkRunOptions): Promise<void> {
  const args = sparkSubmitArgs(driver, options);
  options.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(pythonEnvBin('spark-submit'), args, {
      env: {
        ...pythonEnvVariables(),
        SPARK_LOCAL_IP: '127.0.0.1',
        PYSPARK_PYTHON: pythonEnvBin('python'),
        // spark-submit first runs a small launcher JVM: no hsperfdata from it either.
        SPARK_LAUNCHER_OPTS: '-XX:-UsePerfData',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const group = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // The group has already exited.
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const stop = () => {
      group('SIGTERM');
      killer = setTimeout(() => group('SIGKILL'), STOP_GRACE_MS);
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    let jobErrorLine: string | undefined;
    // Without the job's own error line, the last thing the job (not Spark) wrote; spark-submit
    // passes the Python driver's stderr on through its stdout.
    let lastWords: string | undefined;
    const watch = (stream: NodeJS.ReadableStream) =>
      readline.createInterface({ input: stream }).on('line', (line) => {
        options.onOutput?.(line);
        jobErrorLine = jobError(line) ?? jobErrorLine;
        if (isJobOutput(line)) lastWords = line.trim();
      });
    watch(child.stdout);
    watch(child.stderr);
    child.once('error', (error) =>
      reject(new Error(`cannot start spark-submit: ${error.message}; ${PYTHON_ENV_HINT}`, { cause: error })),
    );
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', stop);
      clearTimeout(killer);
      if (options.signal?.aborted) return reject(new Error('the job was stopped', { cause: options.signal.reason }));
      if (code === 0) return resolve();
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      reject(new Error(jobErrorLine ?? `spark-submit ${how}: ${lastWords ?? 'no output'}`));
    });
  });
}
