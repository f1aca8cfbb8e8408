/** The state machine's path as one line, with each repeated polling loop written once. */

const LONGEST_LOOP = 4;

function repeats(states: readonly string[], at: number, length: number): number {
  let times = 1;
  const same = (offset: number) =>
    at + offset + length <= states.length &&
    states.slice(at, at + length).every((s, i) => s === states[at + offset + i]);
  while (same(times * length)) times++;
  return times;
}

/** `A → (B → C) ×3 → D` for A, B, C, B, C, B, C, D. */
export function describeStates(states: readonly string[]): string {
  const parts: string[] = [];
  let at = 0;
  while (at < states.length) {
    let best = { length: 1, times: 1 };
    for (let length = 1; length <= LONGEST_LOOP; length++) {
      const times = repeats(states, at, length);
      if (times > 1 && times * length > best.times * best.length) best = { length, times };
    }
    const loop = states.slice(at, at + best.length).join(' → ');
    parts.push(best.times === 1 ? loop : `(${loop}) ×${best.times}`);
    at += best.length * best.times;
  }
  return parts.join(' → ');
}
