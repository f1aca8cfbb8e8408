/**
 * Funnels: named, ordered lists of components that the daily report follows visits through
 * (spark/funnels.sql). Config `funnels` holds them; the stack passes them to the Spark job as one
 * Spark setting (base64url JSON, so that no quoting of SparkSubmitParameters is needed), and the
 * local engines read that same setting from the job's parameters.
 */
import { z } from 'zod';
import { CLICK_FIELDS } from './click-schema';

export const MIN_FUNNEL_STEPS = 2;
/** spark/funnels.sql has a stage per step, up to this many. */
export const MAX_FUNNEL_STEPS = 10;
export const MAX_FUNNELS = 10;

const COMPONENT_BYTES = CLICK_FIELDS.find((f) => f.name === 'component')!.maxBytes;

const step = z
  .string()
  .refine((s) => s.trim() !== '', 'a step must not be blank')
  .refine((s) => Buffer.byteLength(s) <= COMPONENT_BYTES, `a step is a component, at most ${COMPONENT_BYTES} bytes`)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .refine((s) => !/[\u0000-\u001F\u007F]/.test(s), 'a step must not hold control characters');

export const FunnelSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'letters, digits, spaces, _ . - (at most 64)'),
  steps: z
    .array(step)
    .min(MIN_FUNNEL_STEPS, `a funnel has ${MIN_FUNNEL_STEPS} to ${MAX_FUNNEL_STEPS} steps`)
    .max(MAX_FUNNEL_STEPS, `a funnel has ${MIN_FUNNEL_STEPS} to ${MAX_FUNNEL_STEPS} steps`)
    .refine((steps) => new Set(steps).size === steps.length, 'a funnel must not repeat a step'),
});
export type Funnel = z.infer<typeof FunnelSchema>;

export const FunnelsSchema = z
  .array(FunnelSchema)
  .max(MAX_FUNNELS, `at most ${MAX_FUNNELS} funnels`)
  .refine((funnels) => new Set(funnels.map((f) => f.name)).size === funnels.length, 'funnel names must not repeat');

/** The blog's samples walk this funnel: login → products → checkout → submitorder. */
export const DEFAULT_FUNNELS: readonly Funnel[] = [
  { name: 'checkout', steps: ['login', 'products', 'checkout', 'submitorder'] },
];

/** The Spark setting that carries the funnels (spark/report_visits.py reads it). */
export const FUNNELS_SETTING = 'spark.clicklogger.funnels';

/** The setting's value: base64url JSON, one token whatever the names hold. */
export function encodeFunnels(funnels: readonly Funnel[]): string {
  return Buffer.from(JSON.stringify(funnels)).toString('base64url');
}

/** `--conf spark.clicklogger.funnels=<base64url JSON>` */
export function funnelsConf(funnels: readonly Funnel[]): string {
  return `--conf ${FUNNELS_SETTING}=${encodeFunnels(funnels)}`;
}

/** The funnels a job's SparkSubmitParameters carry; none when the setting is absent. */
export function funnelsFromSparkParameters(parameters: string | undefined): Funnel[] {
  const match = new RegExp(`(?:^|\\s)${FUNNELS_SETTING.replaceAll('.', '\\.')}=(\\S*)`).exec(parameters ?? '');
  if (!match) return [];
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    throw new Error(`${FUNNELS_SETTING} is not base64url JSON`);
  }
  const parsed = FunnelsSchema.safeParse(decoded);
  if (!parsed.success) throw new Error(`${FUNNELS_SETTING}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** funnels.sql's funnel_steps table: (funnel, step, component), both numbered from 1. */
export function funnelStepRows(funnels: readonly Funnel[]): [number, number, string][] {
  return funnels.flatMap((funnel, f) =>
    funnel.steps.map((component, s): [number, number, string] => [f + 1, s + 1, component]),
  );
}
