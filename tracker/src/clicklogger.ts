/**
 * The browser tracker: page loads and clicks, batched (20 clicks or 2 s), sent as text/plain JSON
 * (no preflight) with keepalive, so that a click made just before leaving still goes out.
 *
 * Delivery is at least once: every click is in localStorage before it is sent and leaves it only
 * when the collector has answered for it. A network error, a 429 or a 5xx keeps it there, and it
 * is resent with backoff and jitter, on this page or the next, under the same requestid: the
 * report's dedup counts it once. No dependencies: it must stay under 2 KB gzipped.
 */

/** How start() is told where to send. */
export interface TrackerOptions {
  /** The collector's URL, ending /clicks. */
  readonly endpoint: string;
  /** The application: each click's callerid. */
  readonly callerid: string;
  /** The page load's component. Default: the page's path. */
  readonly page?: string;
  /** The signed-in user, sent with each click (ingestion pseudonymizes it by default). */
  readonly user?: string;
  /**
   * What Global Privacy Control (navigator.globalPrivacyControl) means on this site: `no-user`
   * (the default) sends clicks without the user, `nothing` sends nothing at all.
   */
  readonly gpc?: 'no-user' | 'nothing';
}

/** What track() records. */
export interface TrackedClick {
  readonly component: string;
  /** Default: click. */
  readonly action?: string;
  /** Default: element. */
  readonly type?: string;
}

interface Click {
  user?: string;
  requestid: string;
  contextid: string;
  callerid: string;
  component: string;
  action: string;
  type: string;
  createdtime: string;
}

const BATCH = 20;
const BATCH_MS = 2_000;
/** A visit ends after 30 minutes without a click. */
const VISIT_IDLE_MS = 30 * 60_000;
/** The oldest clicks give way beyond this many waiting: a page offline for days must not fill storage. */
const QUEUE_MAX = 1_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;
const QUEUE_KEY = 'clicklogger:queue';
const VISIT_KEY = 'clicklogger:visit';

let endpoint = '';
let callerid = '';
let user: string | undefined;
/** False until start(), and when Global Privacy Control asks for nothing. */
let on = false;
/** Clicks of this page not yet in the queue: they join it at 20, after 2 s, or when the page hides. */
let pending: Click[] = [];
let batchTimer: ReturnType<typeof setTimeout> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
/** requestids sent and not yet answered. */
const inFlight = new Set<string>();

function uuid(): string {
  // randomUUID needs a secure context; getRandomValues does not.
  return crypto.randomUUID
    ? crypto.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
        (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (+c / 4)))).toString(16),
      );
}

function read<T>(storage: Storage, key: string): T | null {
  try {
    return JSON.parse(storage.getItem(key) as string) as T | null;
  } catch {
    return null;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or refused (private mode): the clicks in memory are still sent.
  }
}

/** The queue is read and written in one synchronous step each time, so two tabs lose nothing between. */
function queue(change?: (clicks: Click[]) => Click[]): Click[] {
  const clicks = read<Click[]>(localStorage, QUEUE_KEY) || [];
  if (!change) return clicks;
  const next = change(clicks).slice(-QUEUE_MAX);
  write(localStorage, QUEUE_KEY, next);
  return next;
}

function visit(): string {
  const now = Date.now();
  let current = read<{ id: string; t?: number }>(sessionStorage, VISIT_KEY);
  if (!current || !(now - (current.t as number) <= VISIT_IDLE_MS)) current = { id: uuid() };
  current.t = now;
  write(sessionStorage, VISIT_KEY, current);
  return current.id;
}

/** Records one click; it is sent with the next batch. */
export function track(click: TrackedClick): void {
  if (!on) return;
  pending.push({
    user,
    requestid: uuid(),
    contextid: visit(),
    callerid,
    component: click.component,
    action: click.action || 'click',
    type: click.type || 'element',
    createdtime: new Date().toISOString(),
  });
  if (pending.length >= BATCH) flush();
  else batchTimer ||= setTimeout(flush, BATCH_MS);
}

/** Sends what is waiting now. `leaving`: the page is going away, so send it all, backoff or not. */
export function flush(leaving?: boolean): void {
  clearTimeout(batchTimer);
  batchTimer = undefined;
  const fresh = pending;
  pending = [];
  const waiting = fresh.length ? queue((clicks) => clicks.concat(fresh)) : queue();
  if (retryTimer && !leaving) return;
  for (let i = 0, batch: Click[]; i < waiting.length; i += BATCH) {
    batch = waiting.slice(i, i + BATCH).filter((c) => !inFlight.has(c.requestid));
    if (batch.length) send(batch);
    // Outside leaving, one request at a time: the rest follows its answer.
    if (!leaving) return;
  }
}

function send(batch: Click[]): void {
  for (const c of batch) inFlight.add(c.requestid);
  const done = (keep: Click[], retry: boolean) => {
    const gone = new Set(batch.filter((c) => !keep.includes(c)).map((c) => c.requestid));
    for (const c of batch) inFlight.delete(c.requestid);
    queue((clicks) => clicks.filter((c) => !gone.has(c.requestid)));
    if (retry) {
      // An exponential backoff, each wait drawn between half and all of it: browsers that failed together retry apart.
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures++) * (0.5 + Math.random() / 2);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        flush();
      }, delay);
    } else {
      failures = 0;
      flush();
    }
  };
  fetch(endpoint, { method: 'POST', body: JSON.stringify(batch), keepalive: true }).then(
    async (response) => {
      if (response.status === 429 || response.status >= 500) return done(batch, true);
      // The answer names the clicks that were valid but not delivered; the others are done with.
      const answer = (await response.json().catch(() => ({}))) as { failed?: { index: number }[] };
      const failed = (answer.failed || []).map((f) => batch[f.index]).filter(Boolean);
      done(failed, failed.length > 0);
    },
    () => done(batch, true),
  );
}

/** Starts tracking: the page load, then every click on an element with data-clicklogger-component. */
export function start(options: TrackerOptions): void {
  const gpc = (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  if (gpc && options.gpc === 'nothing') return;
  on = true;
  endpoint = options.endpoint;
  callerid = options.callerid;
  user = gpc ? undefined : options.user;
  const d = document;
  // Capture phase: a link's click is seen before it navigates.
  d.addEventListener(
    'click',
    (event) => {
      const el = (event.target as Element).closest?.<HTMLElement>('[data-clicklogger-component]');
      const data = el?.dataset;
      if (data)
        track({
          component: data.clickloggerComponent as string,
          action: data.clickloggerAction,
          type: data.clickloggerType || el.tagName.toLowerCase(),
        });
    },
    true,
  );
  d.addEventListener('visibilitychange', () => d.visibilityState === 'hidden' && flush(true));
  addEventListener('pagehide', () => flush(true));
  track({ component: options.page || location.pathname, action: 'load', type: 'webpage' });
  // What an earlier page left unsent goes now, with this page's load.
  flush();
}
