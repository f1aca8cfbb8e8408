/**
 * A plain TypeScript model of the report's visit definitions (docs/reports.md), written from the
 * definitions and not from the SQL: the property test holds both engines' figures to it.
 */
import type { Funnel } from '../../core/funnels';
import type { ComponentVisits, DayVisits, FunnelFigures, Transition, VisitFigures } from '../../report/visits';

export type RawClick = Record<'requestid' | 'contextid' | 'callerid' | 'component' | 'user' | 'createdtime', string>;

/** Byte order of the UTF-8 encodings, as both engines compare strings. */
export const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byKeys =
  <T>(...keys: ((t: T) => string)[]) =>
  (a: T, b: T) => {
    for (const key of keys) {
      const c = byteOrder(key(a), key(b));
      if (c !== 0) return c;
    }
    return 0;
  };

/** Nearest rank: the value at rank ceil(p·n) of the sorted values. */
function nearestRank(values: number[], tenths: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((values.length * tenths) / 10) - 1];
}

const msOfDay = (time: string) => Date.parse(time) - Date.parse(time.slice(0, 10));

function top(counts: Map<string, number>, limit: number): ComponentVisits[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]))
    .slice(0, limit)
    .map(([component, visits]) => ({ component, visits }));
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

export function modelVisits(copies: readonly RawClick[], date: string, funnels: readonly Funnel[]): DayVisits {
  // Each click once: its earliest copy (ties: component, contextid, user, in byte order).
  const earliest = new Map<string, RawClick>();
  const order = byKeys<RawClick>(
    (c) => c.createdtime,
    (c) => c.component,
    (c) => c.contextid,
    (c) => c.user,
  );
  for (const copy of copies) {
    if (copy.createdtime.slice(0, 10) !== date) continue;
    const key = JSON.stringify([copy.callerid, copy.requestid]);
    const kept = earliest.get(key);
    if (!kept || order(copy, kept) < 0) earliest.set(key, copy);
  }
  const visits = new Map<string, RawClick[]>();
  for (const click of earliest.values()) {
    const key = JSON.stringify([click.callerid, click.contextid]);
    visits.set(key, [...(visits.get(key) ?? []), click]);
  }
  const inOrder = byKeys<RawClick>(
    (c) => c.createdtime,
    (c) => c.requestid,
  );
  const all = [...visits.values()].map((clicks) => clicks.sort(inOrder));
  const callers = [...new Set(all.map((v) => v[0].callerid))].sort(byteOrder);

  const figures = callers.map((callerid): VisitFigures => {
    const mine = all.filter((v) => v[0].callerid === callerid);
    const entries = new Map<string, number>();
    const exits = new Map<string, number>();
    const transitions = new Map<string, number>();
    for (const v of mine) {
      bump(entries, v[0].component);
      bump(exits, v[v.length - 1].component);
      for (let i = 1; i < v.length; i++) bump(transitions, JSON.stringify([v[i - 1].component, v[i].component]));
    }
    const users = new Set(mine.flat().map((c) => c.user));
    users.delete('GUEST');
    users.delete('');
    return {
      callerid,
      visits: mine.length,
      users: users.size,
      clicks: mine.reduce((n, v) => n + v.length, 0),
      singleClickVisits: mine.filter((v) => v.length === 1).length,
      medianClicksPerVisit: nearestRank(
        mine.map((v) => v.length),
        5,
      ),
      medianVisitMs: nearestRank(
        mine.map((v) => msOfDay(v[v.length - 1].createdtime) - msOfDay(v[0].createdtime)),
        5,
      ),
      entries: top(entries, 5),
      exits: top(exits, 5),
      transitions: [...transitions]
        .map(([pair, count]): Transition => {
          const [from, to] = JSON.parse(pair) as [string, string];
          return { from, to, count };
        })
        .sort((a, b) => b.count - a.count || byteOrder(a.from, b.from) || byteOrder(a.to, b.to))
        .slice(0, 10),
    };
  });

  const funnelFigures: FunnelFigures[] = [];
  for (const funnel of funnels) {
    // Per visit, the millisecond each step was reached, greedily.
    const reached = all.map((v) => {
      const times: number[] = [];
      for (const step of funnel.steps) {
        const after = times.length === 0 ? -1 : times[times.length - 1];
        const hit = v.find((c) => c.component === step && msOfDay(c.createdtime) >= after);
        if (!hit) break;
        times.push(msOfDay(hit.createdtime));
      }
      return { callerid: v[0].callerid, times };
    });
    for (const callerid of callers) {
      const mine = reached.filter((r) => r.callerid === callerid && r.times.length > 0);
      if (mine.length === 0) continue;
      funnelFigures.push({
        name: funnel.name,
        callerid,
        steps: funnel.steps.map((component, s) => {
          const fromStart = mine.filter((r) => r.times.length > s).map((r) => r.times[s] - r.times[0]);
          return {
            component,
            visits: fromStart.length,
            medianMsFromStart: fromStart.length ? nearestRank(fromStart, 5) : null,
            p90MsFromStart: fromStart.length ? nearestRank(fromStart, 9) : null,
          };
        }),
      });
    }
  }
  return { funnels: funnelFigures, visits: figures };
}
