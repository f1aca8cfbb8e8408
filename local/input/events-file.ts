/**
 * Reads events as real systems write them: JSON Lines or one JSON array, both streamed in bounded
 * memory, from a file, a pipe or standard input (`-`), gzip-compressed or not. The input is
 * opened once and read once, so a pipe, a FIFO or `/dev/stdin` loses nothing. A UTF-8 byte
 * order mark and CRLF line ends are accepted; UTF-16 is refused with its name. In JSON Lines, a
 * line (an array element) that is not valid UTF-8 or not valid JSON is one unreadable event, named
 * by its line (its index); every other one is still read. Each event carries where it is. Fields
 * that a click does not have are dropped as soon as an event is parsed.
 */
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../core/errors';
import { CLICK_FIELDS } from '../../core/click-schema';
import { arrayPieces, type Position } from './json-array-stream';
import { firstSyntaxError } from './json-syntax';

export class EventsFileError extends UserError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'EventsFileError';
  }
}

/** Events of a file, in order, with where each one is. */
export interface EventChunk {
  readonly events: unknown[];
  /**
   * Where each event is in its file, by its index in `events`: its line (JSON Lines) or its index
   * (a JSON array). Numbers: the name ("line 3") is made for the few events named (placeOf).
   */
  readonly places: number[];
  readonly unit: 'line' | 'index';
  /** Entries that are no event at all (not valid UTF-8 or JSON), with where they are. */
  readonly unreadable: { where: string; reason: string }[];
}

/** Where the chunk's `index`th event is, e.g. "line 3" or "index 2"; undefined when unknown. */
export function placeOf(chunk: Pick<EventChunk, 'places' | 'unit'>, index: number): string | undefined {
  const place = chunk.places[index];
  return place === undefined ? undefined : `${chunk.unit} ${place}`;
}

/** A longer line or array element cannot be an event (a request holds at most 6 MiB): it is skipped, not buffered. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;
/**
 * A chunk (one ingestion request) closes at this many bytes of events, whatever their count:
 * the memory a chunk holds is bounded by bytes, as a Lambda request is (6 MiB).
 */
const MAX_CHUNK_BYTES = 6 * 1024 * 1024;
/** The name that reads standard input. */
export const STDIN = '-';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const GZIP = Buffer.from([0x1f, 0x8b]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

const noEvents = (name: string) => new EventsFileError(`${name} holds no events`);

/**
 * A byte stream read once, from which the first bytes can be looked at and then given back:
 * the format is decided on them without opening the input a second time.
 */
class Bytes {
  private readonly head: Buffer[] = [];
  private readonly source: AsyncIterator<Buffer>;

  constructor(
    stream: AsyncIterable<Buffer>,
    private readonly name: string,
  ) {
    this.source = stream[Symbol.asyncIterator]();
  }

  /** At least `n` bytes from the start (fewer at the end of the input), kept to be read again. */
  async peek(n: number): Promise<Buffer> {
    let have = this.head.reduce((sum, b) => sum + b.length, 0);
    while (have < n) {
      const next = await this.pull();
      if (next === undefined) break;
      this.head.push(next);
      have += next.length;
    }
    return Buffer.concat(this.head);
  }

  /** Lets go of the input (closes the file) when it is not read to the end. */
  async close(): Promise<void> {
    await this.source.return?.();
  }

  /** Every byte, the peeked ones first. */
  async *all(): AsyncGenerator<Buffer> {
    while (this.head.length > 0) yield this.head.shift()!;
    for (let next = await this.pull(); next !== undefined; next = await this.pull()) yield next;
  }

  private async pull(): Promise<Buffer | undefined> {
    try {
      const next = await this.source.next();
      return next.done ? undefined : next.value;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR'
          ? `${this.name} is not valid gzip data (cut short or corrupt)`
          : `cannot read ${this.name}: ${reasonOf(error)}`;
      throw new EventsFileError(message, error);
    }
  }
}

/** Opens the input once: a path (any kind of file: regular, FIFO, /dev/stdin) or `-`. */
async function open(file: string, stdin: NodeJS.ReadableStream): Promise<Bytes> {
  if (file === STDIN) return new Bytes(stdin as AsyncIterable<Buffer>, 'standard input');
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw new EventsFileError(`cannot read ${file}: it is a folder`);
    }
  } catch (error) {
    if (error instanceof EventsFileError) throw error;
    throw new EventsFileError(`cannot read ${file}: ${reasonOf(error)}`, error);
  }
  return new Bytes(handle.createReadStream({ highWaterMark: 64 * 1024 }), file);
}

/** The encoding a text that is not UTF-8 announces in its first bytes, if any. */
function otherEncoding(head: Buffer): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 (little-endian)';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 (big-endian)';
  // JSON starts with ASCII: a NUL beside the first character means two bytes a character.
  if (head.length >= 2 && head[1] === 0x00 && head[0] !== 0x00) return 'UTF-16 (little-endian)';
  if (head.length >= 2 && head[0] === 0x00 && head[1] !== 0x00) return 'UTF-16 (big-endian)';
  return undefined;
}

/** The first byte that is not a UTF-8 BOM or blank, or undefined when there is none. */
async function firstByte(bytes: Bytes): Promise<number | undefined> {
  for (let n = 64 * 1024; ; n *= 2) {
    const head = await bytes.peek(n);
    const start = head.subarray(0, 3).equals(BOM) ? 3 : 0;
    for (let i = start; i < head.length; i++) {
      const byte = head[i];
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
    }
    if (head.length < n) return undefined;
  }
}

/** An element's or a line's event, kept to the click's fields: a large unknown field is let go at once. */
function slim(event: unknown): unknown {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event;
  const fields = event as Record<string, unknown>;
  let known = 0;
  for (const key in fields) if (CLICK_FIELD_NAMES.has(key)) known++;
  if (known === Object.keys(fields).length) return event;
  const kept: Record<string, unknown> = {};
  for (const name of CLICK_FIELD_NAMES) if (Object.hasOwn(fields, name)) kept[name] = fields[name];
  return kept;
}
const CLICK_FIELD_NAMES = new Set<string>(CLICK_FIELDS.map((f) => f.name));

const syntaxAt = (at: Position, code: string) => `not valid JSON at line ${at.line}, column ${at.column} (${code})`;

/** Why `text` (which starts at `at` in the input) is not JSON, and where in the input. */
function notJson(text: string, at: Position): string {
  const error = firstSyntaxError(text);
  if (!error) return 'not valid JSON';
  const before = text.slice(0, error.offset);
  const lines = before.split('\n');
  const column = lines.length === 1 ? at.column + before.length : error.offset - before.lastIndexOf('\n');
  return syntaxAt({ line: at.line + lines.length - 1, column }, error.code);
}

/** An array element's event, or why it is none. */
function parseElement(bytes: Buffer, at: Position): { event: unknown } | { reason: string } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { reason: 'not valid UTF-8' };
  }
  try {
    return { event: slim(JSON.parse(text)) };
  } catch {
    return { reason: notJson(text, at) };
  }
}

/** A JSON array, streamed: each element is one event, or one unreadable entry, as a line is. */
async function* readArray(bytes: Bytes, name: string, chunkSize: number): AsyncGenerator<EventChunk> {
  const empty = (): EventChunk => ({ events: [], places: [], unit: 'index', unreadable: [] });
  let chunk = empty();
  let chunkBytes = 0;
  let entries = 0;
  for await (const piece of arrayPieces(bytes.all(), MAX_LINE_BYTES)) {
    const where = `index ${piece.index}`;
    entries++;
    if (piece.kind === 'broken') {
      const rest = piece.atEnd ? '' : `; nothing after it in ${name} is read`;
      chunk.unreadable.push({ where, reason: `${syntaxAt(piece.at, piece.code)}${rest}` });
    } else if (piece.kind === 'too-long') {
      chunk.unreadable.push({ where, reason: `longer than ${MAX_LINE_BYTES / 2 ** 20} MiB` });
    } else {
      const parsed = parseElement(piece.bytes, piece.at);
      if ('reason' in parsed) {
        chunk.unreadable.push({ where, reason: parsed.reason });
      } else {
        chunk.events.push(parsed.event);
        chunk.places.push(piece.index);
        chunkBytes += piece.bytes.length;
        // A whole last element, but no closing bracket: the array was cut short after it.
        if (piece.cutShort) {
          entries++;
          const reason = syntaxAt(piece.cutShort, 'CloseBracketExpected');
          chunk.unreadable.push({ where: `index ${piece.index + 1}`, reason });
        }
      }
    }
    if (chunk.events.length + chunk.unreadable.length >= chunkSize || chunkBytes >= MAX_CHUNK_BYTES) {
      yield chunk;
      chunk = empty();
      chunkBytes = 0;
    }
  }
  if (entries === 0) throw noEvents(name);
  if (chunk.events.length + chunk.unreadable.length > 0) yield chunk;
}

/**
 * The lines of `block` (each ends at a '\n', the last at the block's end), decoded; undefined for
 * a line that is not valid UTF-8. A line's leading byte order mark is dropped.
 */
function decodeLines(block: Buffer): (string | undefined)[] {
  const lines: (string | undefined)[] = [];
  if (isUtf8(block)) {
    // Nearly always: the whole block is decoded at once, then split.
    const text = block.toString('utf8');
    for (let start = 0, at = 0; at !== -1; start = at + 1) {
      at = text.indexOf('\n', start);
      const line = text.slice(start, at === -1 ? undefined : at);
      lines.push(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    }
    return lines;
  }
  for (let start = 0, at = 0; at !== -1; start = at + 1) {
    at = block.indexOf(0x0a, start);
    try {
      // The decoder drops a leading byte order mark.
      lines.push(utf8.decode(block.subarray(start, at === -1 ? undefined : at)));
    } catch {
      lines.push(undefined);
    }
  }
  return lines;
}

async function* readLines(bytes: Bytes, name: string, chunkSize: number): AsyncGenerator<EventChunk> {
  const empty = (): EventChunk => ({ events: [], places: [], unit: 'line', unreadable: [] });
  let chunk = empty();
  let chunkBytes = 0;
  let lineNumber = 0;
  let entries = 0;
  /** One line: a blank one is skipped, any other is one event or one unreadable entry. */
  const take = (text: string | undefined) => {
    lineNumber++;
    if (text === undefined) {
      entries++;
      chunk.unreadable.push({ where: `line ${lineNumber}`, reason: 'not valid UTF-8' });
      return;
    }
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1);
    if (text.trim() === '') return;
    entries++;
    try {
      chunk.events.push(slim(JSON.parse(text)));
      chunk.places.push(lineNumber);
      chunkBytes += text.length;
    } catch {
      chunk.unreadable.push({ where: `line ${lineNumber}`, reason: 'not valid JSON' });
    }
  };
  const tooLong = () => {
    lineNumber++;
    entries++;
    chunk.unreadable.push({ where: `line ${lineNumber}`, reason: `longer than ${MAX_LINE_BYTES / 2 ** 20} MiB` });
  };
  const full = () => chunk.events.length + chunk.unreadable.length >= chunkSize || chunkBytes >= MAX_CHUNK_BYTES;

  let rest: Buffer = Buffer.alloc(0);
  let skipping = false; // inside a line over MAX_LINE_BYTES
  for await (const data of bytes.all()) {
    let buf = rest.length > 0 ? Buffer.concat([rest, data]) : data;
    let from = 0;
    if (skipping) {
      const at = buf.indexOf(0x0a);
      if (at !== -1) {
        skipping = false;
        tooLong();
        from = at + 1;
        if (full()) {
          yield chunk;
          chunk = empty();
          chunkBytes = 0;
        }
      }
    }
    const end = skipping ? -1 : buf.lastIndexOf(0x0a);
    if (end >= from) {
      for (const line of decodeLines(buf.subarray(from, end))) {
        take(line);
        if (full()) {
          yield chunk;
          chunk = empty();
          chunkBytes = 0;
        }
      }
      from = end + 1;
    }
    buf = buf.subarray(from);
    if (skipping || buf.length > MAX_LINE_BYTES) {
      skipping = true;
      buf = Buffer.alloc(0);
    }
    // Copy, so the stream's buffer is not kept alive by a small remainder.
    rest = skipping ? Buffer.alloc(0) : Buffer.from(buf);
  }
  if (skipping) tooLong();
  else if (rest.length > 0) take(decodeLines(rest)[0]);
  if (entries === 0) throw noEvents(name);
  if (chunk.events.length + chunk.unreadable.length > 0) yield chunk;
}

/**
 * The events of `file` (or of standard input, for `-`) in chunks of at most `chunkSize`
 * entries. The input is opened once; gzip is undone on the way.
 */
export async function* readEvents(
  file: string,
  chunkSize = 10_000,
  stdin: NodeJS.ReadableStream = process.stdin,
): AsyncGenerator<EventChunk> {
  const name = file === STDIN ? 'standard input' : file;
  const raw = await open(file, stdin);
  let bytes = raw;
  try {
    if ((await raw.peek(2)).subarray(0, 2).equals(GZIP)) {
      const gunzip = createGunzip();
      // pipeline, not pipe: an error of the input reaches the reader instead of stalling it.
      pipeline(Readable.from(raw.all()), gunzip, () => undefined);
      bytes = new Bytes(gunzip, name);
    }
    const encoding = otherEncoding(await bytes.peek(4));
    if (encoding) {
      throw new EventsFileError(
        `${name} is ${encoding} text; events are read as UTF-8: convert it first (e.g. iconv -f UTF-16 -t UTF-8)`,
      );
    }
    const first = await firstByte(bytes);
    if (first === undefined) throw noEvents(name);
    if (first === 0x5b /* [ */) yield* readArray(bytes, name, chunkSize);
    else yield* readLines(bytes, name, chunkSize);
  } finally {
    await bytes.close();
    if (bytes !== raw) await raw.close();
  }
}

/**
 * Every event of `file` (for `send`), and the entries that could not be read, each with where it
 * is and why: as `local` does, a bad line is rejected alone and the rest are taken.
 */
export async function readEventsFile(
  file: string,
): Promise<{ events: unknown[]; unreadable: { where: string; reason: string }[] }> {
  const events: unknown[] = [];
  const unreadable: { where: string; reason: string }[] = [];
  for await (const chunk of readEvents(file)) {
    unreadable.push(...chunk.unreadable.map(({ where, reason }) => ({ where, reason })));
    events.push(...chunk.events);
  }
  return { events, unreadable };
}
