import { usageError } from './errors';

/** Runs a node:util parseArgs call, turning its errors into one-line usage errors. */
export function parseFlags<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0].replace(/\.\s*To specify.*$/, '');
    throw usageError(`${message} (usage: ${usage})`);
  }
}
