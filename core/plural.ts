/** `1 click`, `2 clicks`: the count and the word, for messages. (Reports have their own, kept byte for byte with Spark's.) */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A count as the CLI's messages write one: `2,000,000`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** An amount of dollars as the CLI's messages write one: `$2,380.28`, or `$0.0210` to four places. */
export function dollars(n: number, places = 2): string {
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places })}`;
}
