/**
 * Events for the local run: the seed's sample clicks, or N synthetic ones.
 */

/** The blog's sample payloads (as its exec.sh sent them with `aws lambda invoke`), dated `date`. */
export function sampleClicks(date: string): Record<string, string>[] {
  const click = (n: number, component: string, action: string, type: string, time: string) => ({
    requestid: `OAP-guid-00${n}`,
    contextid: `OAP-ctxt-00${n}`,
    callerid: 'OrderingApplication',
    component,
    action,
    type,
    createdtime: `${date}T${time}Z`,
  });
  return [
    click(1, 'login', 'load', 'webpage', '09:00:00'),
    click(2, 'login', 'click', 'button', '09:00:05'),
    click(3, 'products', 'load', 'webpage', '09:01:10'),
    click(4, 'products', 'click', 'button', '09:02:30'),
    click(5, 'checkout', 'load', 'webpage', '09:05:00'),
    click(6, 'checkout', 'click', 'button', '09:05:40'),
    click(7, 'confirmation', 'load', 'webpage', '09:06:00'),
    click(8, 'logout', 'click', 'link', '09:10:00'),
  ];
}

const CALLERS = ['OrderingApplication', 'BillingApplication', 'SupportPortal', 'MobileApp', 'PartnerApi'];
const COMPONENTS = ['login', 'products', 'search', 'cart', 'checkout', 'confirmation', 'profile', 'logout'];
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

/** `count` synthetic clicks on `date`, spread over callers, components and hours, in chunks. */
export function* generateClicks(
  date: string,
  count: number,
  chunkSize = 10_000,
  seed = 42,
): Generator<Record<string, string>[]> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const dayStart = Date.parse(`${date}T00:00:00.000Z`);
  for (let start = 0; start < count; start += chunkSize) {
    const chunk: Record<string, string>[] = [];
    for (let i = start; i < Math.min(count, start + chunkSize); i++) {
      chunk.push({
        requestid: `gen-${i}`,
        contextid: `ctx-${Math.floor(i / 10)}`,
        callerid: pick(CALLERS),
        component: pick(COMPONENTS),
        action: pick(ACTIONS),
        type: 'webpage',
        createdtime: new Date(dayStart + Math.floor(random() * 86_400_000)).toISOString(),
      });
    }
    yield chunk;
  }
}
