/**
 * Reads an events file as real systems write them: JSON Lines (streamed, in bounded memory) or
 * one JSON array. A UTF-8 byte order mark and CRLF line ends are accepted. In JSON Lines, a line
 * that is not valid UTF-8 or not valid JSON is one unreadable event, named by its line; every
 * other line is still read. Each event carries where it is: its line, or its index in the array.
 */
import * as fs from 'node:fs';
import { parse as parseLenient, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { UserError } from '../functions/shared/errors';

class EventsFileError extends UserError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'EventsFileError';
  }
}

/** Events of a file, in order, with where each one is. */
export interface EventChunk {
  readonly events: unknown[];
  /** Where each event is in its file, e.g. "line 3" or "index 2". */
  readonly where: string[];
  /** Entries that are no event at all (not valid UTF-8 or JSON), with where they are. */
  readonly unreadable: { where: string; reason: string }[];
}

/** A JSON array is parsed whole; past this size, JSON Lines is the way. */
const MAX_ARRAY_BYTES = 256 * 1024 * 1024;
/** A longer line cannot be an event (a request holds at most 6 MiB): it is skipped, not buffered. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function cannotRead(file: string, error: unknown): EventsFileError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new EventsFileError(`cannot read ${file}: ${reason}`, error);
}

const noEvents = (file: string) => new EventsFileError(`${file} holds no events`);

/** The first non-blank byte after an optional BOM, or undefined for a blank file. */
async function firstByte(file: string): Promise<number | undefined> {
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    let start = true;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf = chunk;
      if (start && buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
      start = false;
      for (const byte of buf) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}

/** Line and column (1-based) of a character offset in `text`. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

async function readArray(file: string, size: number, chunkSize: number): Promise<EventChunk[]> {
  if (size > MAX_ARRAY_BYTES) {
    throw new EventsFileError(
      `${file} is a JSON array of ${(size / 2 ** 20).toFixed(0)} MiB; arrays up to ${MAX_ARRAY_BYTES / 2 ** 20} MiB are read whole: write larger files as JSON Lines (one event per line)`,
    );
  }
  let bytes = await fs.promises.readFile(file);
  if (bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new EventsFileError(`${file} is not valid UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse does not always say where; a tolerant parser does.
    const errors: ParseError[] = [];
    parseLenient(text, errors, { disallowComments: true, allowTrailingComma: false });
    const where = errors[0]
      ? ` at ${lineAndColumn(text, errors[0].offset)} (${printParseErrorCode(errors[0].error)})`
      : '';
    throw new EventsFileError(`${file} is not valid JSON${where}`);
  }
  if (!Array.isArray(parsed)) throw new EventsFileError(`${file} is not a JSON array`);
  if (parsed.length === 0) throw noEvents(file);
  const chunks: EventChunk[] = [];
  for (let i = 0; i < parsed.length; i += chunkSize) {
    const events = parsed.slice(i, i + chunkSize);
    chunks.push({ events, where: events.map((_, j) => `index ${i + j}`), unreadable: [] });
  }
  return chunks;
}

async function* readLines(file: string, chunkSize: number): AsyncGenerator<EventChunk> {
  let chunk: EventChunk = { events: [], where: [], unreadable: [] };
  let lineNumber = 0;
  let entries = 0;
  const take = (line: Buffer) => {
    lineNumber++;
    if (lineNumber === 1 && line.subarray(0, 3).equals(BOM)) line = line.subarray(3);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      entries++;
      chunk.unreadable.push({ where: `line ${lineNumber}`, reason: 'not valid UTF-8' });
      return;
    }
    if (text.trim() === '') return;
    entries++;
    try {
      chunk.events.push(JSON.parse(text));
      chunk.where.push(`line ${lineNumber}`);
    } catch {
      chunk.unreadable.push({ where: `line ${lineNumber}`, reason: 'not valid JSON' });
    }
  };
  const full = () => chunk.events.length + chunk.unreadable.length >= chunkSize;

  let rest: Buffer = Buffer.alloc(0);
  let skipping = false; // inside a line over MAX_LINE_BYTES
  const stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      let buf = rest.length > 0 ? Buffer.concat([rest, data]) : data;
      let from = 0;
      for (let at = buf.indexOf(0x0a, from); at !== -1; at = buf.indexOf(0x0a, from)) {
        if (skipping) {
          skipping = false;
          lineNumber++;
          entries++;
          chunk.unreadable.push({ where: `line ${lineNumber}`, reason: `longer than ${MAX_LINE_BYTES / 2 ** 20} MiB` });
        } else {
          take(buf.subarray(from, at));
        }
        from = at + 1;
        if (full()) {
          yield chunk;
          chunk = { events: [], where: [], unreadable: [] };
        }
      }
      buf = buf.subarray(from);
      if (buf.length > MAX_LINE_BYTES) {
        skipping = true;
        buf = Buffer.alloc(0);
      }
      // Copy, so the stream's buffer is not kept alive by a small remainder.
      rest = skipping ? Buffer.alloc(0) : Buffer.from(buf);
    }
  } catch (error) {
    throw cannotRead(file, error);
  }
  if (skipping) {
    lineNumber++;
    entries++;
    chunk.unreadable.push({ where: `line ${lineNumber}`, reason: `longer than ${MAX_LINE_BYTES / 2 ** 20} MiB` });
  } else if (rest.length > 0) {
    take(rest);
  }
  if (entries === 0) throw noEvents(file);
  if (chunk.events.length + chunk.unreadable.length > 0) yield chunk;
}

/** The events of `file` in chunks of at most `chunkSize` entries. */
export async function* readEvents(file: string, chunkSize = 10_000): AsyncGenerator<EventChunk> {
  let size: number;
  try {
    const stat = await fs.promises.stat(file);
    size = stat.size;
    if (stat.isDirectory()) throw new EventsFileError(`cannot read ${file}: EISDIR`);
  } catch (error) {
    throw error instanceof EventsFileError ? error : cannotRead(file, error);
  }
  let first: number | undefined;
  try {
    first = await firstByte(file);
  } catch (error) {
    throw cannotRead(file, error);
  }
  if (first === undefined) throw noEvents(file);
  if (first === 0x5b /* [ */) {
    yield* await readArray(file, size, chunkSize);
    return;
  }
  yield* readLines(file, chunkSize);
}

/** Every event of `file` (for `send`): an unreadable entry is an error naming it. */
export async function readEventsFile(file: string): Promise<unknown[]> {
  const events: unknown[] = [];
  for await (const chunk of readEvents(file)) {
    const [bad] = chunk.unreadable;
    if (bad) throw new EventsFileError(`${file} ${bad.where} is ${bad.reason}`);
    events.push(...chunk.events);
  }
  return events;
}
