/** `1 click`, `2 clicks`: the count and the word, for messages. (Reports have their own, kept byte for byte with Spark's.) */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
