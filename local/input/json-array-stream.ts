/**
 * The elements of a top-level JSON array, streamed: the bytes are cut at the array's own commas
 * (outside strings and nested values), and each element's bytes are handed on to be parsed on
 * their own. A 200 MB array is read in the memory of one element, as JSON Lines are.
 *
 * Only the cut is done here; whether an element is valid JSON is JSON.parse's to say. Where the
 * array itself is broken (a missing value between commas, an array that never ends, text after
 * it), the piece says where, by line and column (1-based, in UTF-16 units as a JS string counts
 * them), so that the reader can name it as it names a bad line.
 */

/** Where a piece starts in the input. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export type ArrayPiece =
  /**
   * An element's bytes (not yet parsed), and where it starts; `cutShort` where the input ended
   * in it or after it, without the closing bracket.
   */
  | {
      readonly kind: 'element';
      readonly index: number;
      readonly bytes: Buffer;
      readonly at: Position;
      readonly cutShort?: Position;
    }
  /** An element longer than the limit: skipped, not buffered. */
  | { readonly kind: 'too-long'; readonly index: number }
  /** The array breaks here (`code` as the JSON syntax check names it); `atEnd` when nothing follows. */
  | {
      readonly kind: 'broken';
      readonly index: number;
      readonly at: Position;
      readonly code: string;
      readonly atEnd: boolean;
    };

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const isBlank = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * The pieces of the array in `input`, whose first byte that is not blank or a BOM is `[`. After
 * a `broken` piece nothing more is read.
 */
export async function* arrayPieces(input: AsyncIterable<Buffer>, maxElementBytes: number): AsyncGenerator<ArrayPiece> {
  let started = false; // past the opening bracket
  let ended = false; // past the closing bracket
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  let index = 0;
  let line = 1;
  let column = 0; // UTF-16 units before the current byte, on its line
  let first = true; // the input's first bytes, where a BOM may stand
  /** The current element: its parts so far, their size, and where it started. */
  let parts: Buffer[] | undefined;
  let size = 0;
  let tooLong = false;
  let at: Position = { line: 1, column: 1 };
  let expectValue = true; // after `[` or `,`: an element must come before `,` (or `]`, after `[`)

  const finish = (): ArrayPiece => {
    const piece: ArrayPiece = tooLong
      ? { kind: 'too-long', index }
      : { kind: 'element', index, bytes: Buffer.concat(parts!, size), at };
    parts = undefined;
    size = 0;
    tooLong = false;
    index++;
    return piece;
  };

  for await (let buf of input) {
    if (first) {
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    let from = 0; // where the current element's bytes start in this buffer
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (parts !== undefined) {
        if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACKET || b === OPEN_BRACE) depth++;
        else if ((b === CLOSE_BRACKET || b === CLOSE_BRACE) && depth > 0) depth--;
        else if (depth === 0 && (b === COMMA || b === CLOSE_BRACKET)) {
          if (!tooLong) parts.push(buf.subarray(from, i));
          size += i - from;
          yield finish();
          expectValue = b === COMMA;
          if (b === CLOSE_BRACKET) ended = true;
        }
      } else if (!isBlank(b)) {
        const here = { line, column: column + 1 };
        if (!started) {
          started = b === OPEN_BRACKET; // the caller saw to it that the array starts here
        } else if (ended) {
          yield { kind: 'broken', index, at: here, code: 'EndOfFileExpected', atEnd: false };
          return;
        } else if (b === COMMA || (b === CLOSE_BRACKET && expectValue && index > 0)) {
          yield { kind: 'broken', index, at: here, code: 'ValueExpected', atEnd: false };
          return;
        } else if (b === CLOSE_BRACKET) {
          ended = true;
        } else {
          // An element starts.
          parts = [];
          at = here;
          from = i;
          expectValue = false;
          if (b === QUOTE) inString = true;
          else if (b === OPEN_BRACKET || b === OPEN_BRACE) depth = 1;
        }
      }
      if (b === NEWLINE) {
        line++;
        column = 0;
      } else if ((b & 0xc0) !== 0x80) {
        // A character starts here; one of four bytes is two UTF-16 units.
        column += b >= 0xf0 ? 2 : 1;
      }
    }
    if (parts !== undefined) {
      const rest = buf.length - from;
      if (!tooLong && size + rest > maxElementBytes) {
        tooLong = true;
        parts = [];
      }
      // Copied: a small remainder must not keep the input's whole buffer alive.
      if (!tooLong) parts.push(Buffer.from(buf.subarray(from)));
      size += rest;
    }
  }
  const end = { line, column: column + 1 };
  if (parts !== undefined) {
    // Cut short inside or after an element: it is handed on as it is, with where the input ended.
    const piece = finish();
    yield piece.kind === 'element' ? { ...piece, cutShort: end } : piece;
  } else if (started && !ended) {
    yield { kind: 'broken', index, at: end, code: expectValue ? 'ValueExpected' : 'CloseBracketExpected', atEnd: true };
  }
}
