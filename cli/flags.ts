import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { usageError } from './errors';

/**
 * Parses a command's flags (no positional arguments). Parse errors become one-line usage errors,
 * and so does a flag given twice with two different values: which one was meant?
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string) {
  const parse = () => parseArgs({ args: argv, options, strict: true, tokens: true, allowPositionals: false });
  let result: ReturnType<typeof parse>;
  try {
    result = parse();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0].replace(/\.\s*To specify.*$/, '');
    throw usageError(`${message} (usage: ${usage})`);
  }
  const seen = new Map<string, string | undefined>();
  for (const token of result.tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name) && seen.get(token.name) !== token.value) {
      throw usageError(`--${token.name} is given twice, as "${seen.get(token.name)}" and "${token.value}"`);
    }
    seen.set(token.name, token.value);
  }
  return result.values;
}
