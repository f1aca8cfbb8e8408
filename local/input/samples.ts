/**
 * Events for the local run: the seed's sample payloads, or N synthetic clicks.
 */

/**
 * The blog's 8 sample payloads, exactly as its exec.sh (aws-samples/aws-emr-serverless-using-terraform)
 * sent them with `aws lambda invoke`: two each for login, products, checkout and submitorder. They
 * carry no createdtime: ingestion stamps the time it receives them.
 */
export const SEED_SAMPLES: readonly Readonly<Record<string, string>>[] = (
  [
    ['login', 'load', 'webpage'],
    ['login', 'load', 'webpage'],
    ['products', 'show', 'webpage'],
    ['products', 'show', 'webpage'],
    ['checkout', 'show', 'webpage'],
    ['checkout', 'show', 'webpage'],
    ['submitorder', 'backend', 'process'],
    ['submitorder', 'backend', 'process'],
  ] as const
).map(([component, action, type], i) => ({
  requestid: `OAP-guid-00${i + 1}`,
  contextid: `OAP-ctxt-00${i + 1}`,
  callerid: 'OrderingApplication',
  component,
  action,
  type,
}));

/** The samples with a createdtime on `date`, a few seconds apart from 09:00 UTC (for a day other than today). */
export function samplesOn(date: string): Record<string, string>[] {
  return SEED_SAMPLES.map((sample, i) => ({ ...sample, createdtime: `${date}T09:00:0${i}.000Z` }));
}

const CALLERS = ['OrderingApplication', 'BillingApplication', 'SupportPortal', 'MobileApp', 'PartnerApi'];
const COMPONENTS = ['login', 'products', 'search', 'cart', 'checkout', 'submitorder', 'profile', 'logout'];
/** The blog's funnel: a generated visit often takes its next step. */
const FUNNEL = ['login', 'products', 'checkout', 'submitorder'];
const ACTIONS = ['load', 'click', 'submit'];

/** A small deterministic PRNG (mulberry32), so generated runs are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` synthetic clicks on `date`, in chunks: visits of 1 to 12 clicks of one caller, a few
 * seconds to a minute apart, that often walk the blog's funnel (login → products → checkout →
 * submitorder) and stray elsewhere.
 */
export function* generateClicks(
  date: string,
  count: number,
  chunkSize = 10_000,
  seed = 42,
): Generator<Record<string, string>[]> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const dayStart = Date.parse(`${date}T00:00:00.000Z`);
  let visit = -1;
  let left = 0;
  let caller = '';
  let at = 0;
  let component = '';
  for (let start = 0; start < count; start += chunkSize) {
    const chunk: Record<string, string>[] = [];
    for (let i = start; i < Math.min(count, start + chunkSize); i++) {
      if (left === 0) {
        visit++;
        left = 1 + Math.floor(random() * 12);
        caller = pick(CALLERS);
        // Starts early enough for a whole visit to fit in the day.
        at = dayStart + Math.floor(random() * (86_400_000 - 3_600_000));
        component = random() < 0.5 ? FUNNEL[0] : pick(COMPONENTS);
      } else {
        at += 1000 + Math.floor(random() * 59_000);
        const next = FUNNEL.indexOf(component) + 1;
        component = next > 0 && next < FUNNEL.length && random() < 0.6 ? FUNNEL[next] : pick(COMPONENTS);
      }
      left--;
      chunk.push({
        requestid: `gen-${i}`,
        contextid: `ctx-${visit}`,
        callerid: caller,
        component,
        action: pick(ACTIONS),
        type: 'webpage',
        createdtime: new Date(at).toISOString(),
      });
    }
    yield chunk;
  }
}
