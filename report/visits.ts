/**
 * What visits did on a day: the figures of spark/visits.sql, visit_paths.sql and funnels.sql, run
 * over the day_clicks table, assembled into report.json's `visits` and `funnels`.
 * spark/report_visits.py assembles the same from the same rows; every list keeps the order the
 * SQL gives it, so the two never sort strings themselves.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Funnel, funnelStepRows } from '../core/funnels';
import { reportSql } from './sql';

export interface FunnelStepFigures {
  readonly component: string;
  /** Visits that reached this step. */
  readonly visits: number;
  /** Lower median and p90 (nearest-rank) of the milliseconds from the step-1 click; null without visits. */
  readonly medianMsFromStart: number | null;
  readonly p90MsFromStart: number | null;
}

export interface FunnelFigures {
  readonly name: string;
  readonly callerid: string;
  readonly steps: readonly FunnelStepFigures[];
}

export interface ComponentVisits {
  readonly component: string;
  readonly visits: number;
}

export interface Transition {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

export interface VisitFigures {
  readonly callerid: string;
  readonly visits: number;
  readonly users: number;
  readonly clicks: number;
  readonly singleClickVisits: number;
  readonly medianClicksPerVisit: number;
  readonly medianVisitMs: number;
  readonly entries: readonly ComponentVisits[];
  readonly exits: readonly ComponentVisits[];
  readonly transitions: readonly Transition[];
}

export interface DayVisits {
  readonly funnels: readonly FunnelFigures[];
  readonly visits: readonly VisitFigures[];
}

export const NO_VISITS: DayVisits = { funnels: [], visits: [] };

type Int = number | bigint;
const text = (value: string | null) => value ?? '';

/** The rows of the three queries, as both engines return them (integers may be BIGINT). */
export interface VisitRows {
  readonly visits: readonly {
    report_date: string;
    callerid: string | null;
    visits: Int;
    users: Int;
    clicks: Int;
    single_click_visits: Int;
    median_clicks: Int;
    median_visit_ms: Int;
  }[];
  readonly paths: readonly {
    report_date: string;
    callerid: string | null;
    kind: string;
    component: string | null;
    next_component: string | null;
    n: Int;
  }[];
  readonly funnels: readonly {
    report_date: string;
    funnel: Int;
    callerid: string | null;
    step: Int;
    visits: Int;
    median_ms: Int;
    p90_ms: Int;
  }[];
}

/** The rows grouped by a key, each group in the rows' order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

export function assembleVisits(funnels: readonly Funnel[], rows: VisitRows): DayVisits {
  const paths = groupBy(rows.paths, (p) => `${p.kind}\n${text(p.callerid)}`);
  const visits = rows.visits.map((row): VisitFigures => {
    const callerid = text(row.callerid);
    const placesOf = (kind: string) => paths.get(`${kind}\n${callerid}`) ?? [];
    const places = (kind: string) => placesOf(kind).map((p) => ({ component: text(p.component), visits: Number(p.n) }));
    return {
      callerid,
      visits: Number(row.visits),
      users: Number(row.users),
      clicks: Number(row.clicks),
      singleClickVisits: Number(row.single_click_visits),
      medianClicksPerVisit: Number(row.median_clicks),
      medianVisitMs: Number(row.median_visit_ms),
      entries: places('entry'),
      exits: places('exit'),
      transitions: placesOf('transition').map((p) => ({
        from: text(p.component),
        to: text(p.next_component),
        count: Number(p.n),
      })),
    };
  });
  const reached = groupBy(rows.funnels, (r) => `${Number(r.funnel)}\n${text(r.callerid)}`);
  const figures: FunnelFigures[] = [];
  for (const [key, steps] of reached) {
    const funnel = funnels[Number(key.slice(0, key.indexOf('\n'))) - 1];
    figures.push({
      name: funnel.name,
      callerid: text(steps[0].callerid),
      // The SQL gives the steps reached, from step 1 on; the rest were reached by no visit.
      steps: funnel.steps.map((component, s) => {
        const row = steps[s];
        return {
          component,
          visits: row ? Number(row.visits) : 0,
          medianMsFromStart: row ? Number(row.median_ms) : null,
          p90MsFromStart: row ? Number(row.p90_ms) : null,
        };
      }),
    });
  }
  return { funnels: figures, visits };
}

/** Creates funnel_steps, the funnels' steps as bound values (funnels.sql joins it). */
export async function createFunnelSteps(db: DuckDBConnection, funnels: readonly Funnel[]): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE funnel_steps (funnel INTEGER, step INTEGER, component VARCHAR)');
  for (const [funnel, step, component] of funnelStepRows(funnels)) {
    await db.run('INSERT INTO funnel_steps VALUES ($1, $2, $3)', [funnel, step, component]);
  }
}

/**
 * Whether a funnel's first step was clicked at all (the day's counts say): without one, no visit
 * entered a funnel, and the funnel query is not run.
 */
export function anyFunnelStarts(funnels: readonly Funnel[], counts: readonly { component: string | null }[]): boolean {
  const clicked = new Set(counts.map((row) => row.component ?? ''));
  return funnels.some((funnel) => clicked.has(funnel.steps[0]));
}

/** Each date's visit figures, from the day_clicks table (and funnel_steps). */
export async function queryVisits(
  db: DuckDBConnection,
  funnels: readonly Funnel[],
  counts: readonly { component: string | null }[],
): Promise<Map<string, DayVisits>> {
  const read = async <T extends { report_date: string }>(query: 'visits' | 'visitPaths' | 'funnels') =>
    groupBy((await db.runAndReadAll(reportSql(query))).getRowObjectsJS() as unknown as T[], (r) => r.report_date);
  const visits = await read<VisitRows['visits'][number]>('visits');
  const paths = await read<VisitRows['paths'][number]>('visitPaths');
  type Reached = VisitRows['funnels'][number];
  const reached = anyFunnelStarts(funnels, counts) ? await read<Reached>('funnels') : new Map<string, Reached[]>();
  const days = new Map<string, DayVisits>();
  for (const [date, rows] of visits) {
    days.set(
      date,
      assembleVisits(funnels, { visits: rows, paths: paths.get(date) ?? [], funnels: reached.get(date) ?? [] }),
    );
  }
  return days;
}
