/** Reads an events file: a JSON array, or JSON Lines (one event per line). */
import * as fs from 'node:fs/promises';

export class EventsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventsFileError';
  }
}

export async function readEventsFile(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new EventsFileError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const trimmed = text.trimStart();
  if (trimmed === '') throw new EventsFileError(`${file} is empty`);
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new EventsFileError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new EventsFileError(`${file} is not a JSON array`);
    return parsed;
  }
  const events: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    try {
      events.push(JSON.parse(lines[i]));
    } catch {
      throw new EventsFileError(`${file} line ${i + 1} is not valid JSON`);
    }
  }
  return events;
}
