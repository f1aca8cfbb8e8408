/**
 * A day whose funnel depths are known by construction: DEPTH_VISITS[d] visits of caller "Shop"
 * reach exactly step d of the default funnel (login → products → checkout → submitorder), among
 * clicks that must not count (a checkout before login, a re-delivered click, a search first).
 */
import { DEFAULT_FUNNELS } from '../../core/funnels';
import type { RawClick } from './visit-model';

/** Visits that reach exactly depth 0, 1, 2, 3 and 4. */
export const DEPTH_VISITS = [3, 5, 4, 2, 6] as const;

export const KNOWN_DEPTHS = {
  /** Visits that reached step 1, 2, 3, 4: those of that depth or deeper. */
  stepVisits: [17, 12, 8, 6],
  /** Lower medians of the time from the login click: products 1 s later, checkout and submitorder 2 s. */
  medianMsFromStart: [0, 1000, 2000, 2000],
  visits: 20,
  /** Depth 0: a search; 1: + login; 2: + an early checkout and products; 3: + checkout; 4: + submitorder. */
  clicks: 3 * 1 + 5 * 2 + 4 * 4 + 2 * 5 + 6 * 6,
  singleClickVisits: 3,
  /** Every visit that logged in has its own user; the others are GUEST. */
  users: 17,
} as const;

export function knownDepthDay(date: string): RawClick[] {
  const clicks: RawClick[] = [];
  let visit = 0;
  DEPTH_VISITS.forEach((count, depth) => {
    for (let i = 0; i < count; i++, visit++) {
      const start = Date.parse(`${date}T10:00:00.000Z`) + visit * 60_000;
      const user = depth === 0 ? 'GUEST' : `user-${visit}`;
      const click = (n: number, component: string, offsetMs: number, requestid = `r${visit}-${n}`): RawClick => ({
        requestid,
        contextid: `visit-${visit}`,
        callerid: 'Shop',
        component,
        user,
        createdtime: new Date(start + offsetMs).toISOString(),
      });
      clicks.push(click(0, 'search', 0));
      if (depth >= 1) clicks.push(click(1, 'login', 1000));
      if (depth >= 2) {
        // Before login: not the funnel's checkout step.
        clicks.push(click(2, 'checkout', 100), click(3, 'products', 2000));
        // The products click delivered again, later: still one click.
        clicks.push(click(3, 'products', 5000));
      }
      if (depth >= 3) clicks.push(click(4, 'checkout', 3000));
      // The same millisecond as checkout: "at or after" counts it.
      if (depth >= 4) clicks.push(click(5, 'submitorder', 3000));
    }
  });
  return clicks;
}

const DAY_MS = 86_400_000;
const STEPS = [...DEFAULT_FUNNELS[0].steps, 'search'];

/** What a generated day of the differential test gives its visits. */
export interface VisitPlan {
  readonly seed: number;
  readonly callers: readonly string[];
  readonly components: readonly string[];
  readonly redeliveries: number;
}

/**
 * Visits of 1 to 6 clicks, mostly on the funnel's steps, some on the same millisecond; a visit
 * ("night") at both ends of the day, which midnight cuts; some clicks delivered again. All of
 * `caller`'s when given.
 */
export function generatedVisits(
  plan: VisitPlan,
  at: (offsetMs: number) => string,
  visits: number,
  caller?: string,
): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  let n = 0;
  const click = (callerid: string, component: string, offset: number, contextid: string, user: string) => ({
    requestid: `r${n++}`,
    contextid,
    callerid,
    component,
    action: 'a',
    type: 't',
    user,
    clientip: 'ip',
    createdtime: at(offset),
  });
  for (let v = 0; v < visits; v++) {
    const length = 1 + ((plan.seed + v * 7) % 6);
    const start = (plan.seed * 13 + v * 86_399) % (DAY_MS - 600_000);
    const callerid = caller ?? plan.callers[(plan.seed + v) % plan.callers.length];
    for (let c = 0; c < length; c++) {
      // Every third visit clicks twice in one millisecond.
      const offset = start + (v % 3 === 0 && c === 1 ? 0 : c * ((plan.seed % 5_000) + 1));
      const component =
        (v + c) % 5 === 4 ? plan.components[c % plan.components.length] : STEPS[(c + (v % 2)) % STEPS.length];
      rows.push(click(callerid, component, offset, `visit-${v}`, `user-${v % 4}`));
    }
  }
  rows.push(
    click(plan.callers[0], 'login', 250, 'night', 'u'),
    click(plan.callers[0], 'login', DAY_MS - 100, 'night', 'u'),
  );
  for (let k = 0; k < plan.redeliveries; k++) {
    const copy = { ...rows[(plan.seed + k * 5) % rows.length] };
    if (k % 2 === 1) copy.createdtime = at((plan.seed * 31 + k) % DAY_MS);
    rows.push(copy);
  }
  return rows;
}
