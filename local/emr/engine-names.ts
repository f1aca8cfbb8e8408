/** The engines a local report job can run on (job-engines.ts has them); apart, so naming one loads neither. */
export const ENGINES = ['duckdb', 'spark'] as const;
export type EngineName = (typeof ENGINES)[number];

export function isEngineName(value: string): value is EngineName {
  return (ENGINES as readonly string[]).includes(value);
}
