import { usageError } from './errors';

interface OptionToken {
  readonly kind: string;
  readonly name?: string;
  readonly value?: string;
}

/**
 * Runs a node:util parseArgs call (with `tokens: true`), turning its errors into one-line usage
 * errors. A flag given twice with two different values is a usage error too: which one was meant?
 */
export function parseFlags<T extends { tokens?: readonly OptionToken[] }>(parse: () => T, usage: string): T {
  let result: T;
  try {
    result = parse();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0].replace(/\.\s*To specify.*$/, '');
    throw usageError(`${message} (usage: ${usage})`);
  }
  const seen = new Map<string, string | undefined>();
  for (const token of result.tokens ?? []) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name) && seen.get(token.name) !== token.value) {
      throw usageError(`--${token.name} is given twice, as "${seen.get(token.name)}" and "${token.value}"`);
    }
    seen.set(token.name, token.value);
  }
  return result;
}
