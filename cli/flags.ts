import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { usageError } from './errors';
import { nearest } from './suggest';

/**
 * Parses a command's flags (no positional arguments). Parse errors become one-line usage errors,
 * and so does a flag given twice with two different values (which one was meant?), unless it
 * is one that takes a list.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string) {
  // `--count -5` is a value, not a flag: joined as `--count=-5`, the command's own check says
  // what range it takes (parseArgs would call it ambiguous).
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const takesValue = argv[i].startsWith('--') && options[argv[i].slice(2)]?.type === 'string';
    if (takesValue && /^-\d/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  const parse = () => parseArgs({ args, options, strict: true, tokens: true, allowPositionals: false });
  let result: ReturnType<typeof parse>;
  try {
    result = parse();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0].replace(/\.\s*To specify.*$/, '');
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const near = unknown === undefined ? undefined : nearest(unknown, Object.keys(options));
    throw usageError(`${message}${near ? ` (did you mean --${near}?)` : ''} (usage: ${usage})`);
  }
  const seen = new Map<string, string | undefined>();
  for (const token of result.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name) && seen.get(token.name) !== token.value) {
      throw usageError(`--${token.name} is given twice, as "${seen.get(token.name)}" and "${token.value}"`);
    }
    seen.set(token.name, token.value);
  }
  return result.values;
}
