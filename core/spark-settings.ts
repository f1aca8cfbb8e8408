/** Reading a `--conf name=value` setting back out of a job's SparkSubmitParameters. */

/** The value of `--conf <name>=<value>` in `parameters`; undefined when it is not set. */
export function sparkSetting(parameters: string | undefined, name: string): string | undefined {
  return new RegExp(`--conf ${name.replaceAll('.', '\\.')}=(\\S+)`).exec(parameters ?? '')?.[1];
}
