/**
 * Where a text stops being JSON, at any nesting depth: jsonc-parser's scanner cuts it into
 * tokens, and an explicit stack (not recursion) checks their order, so an array nested 100,000
 * deep gets a line and column instead of a stack overflow.
 */
import { createScanner } from 'jsonc-parser';

// jsonc-parser's SyntaxKind and ScanError values; its `const enum`s cannot be read under isolatedModules.
const T = {
  openBrace: 1,
  closeBrace: 2,
  openBracket: 3,
  closeBracket: 4,
  comma: 5,
  colon: 6,
  null: 7,
  true: 8,
  false: 9,
  string: 10,
  number: 11,
  lineComment: 12,
  blockComment: 13,
  lineBreak: 14,
  trivia: 15,
  eof: 17,
} as const;
const SCAN_ERRORS = [
  'None',
  'UnexpectedEndOfComment',
  'UnexpectedEndOfString',
  'UnexpectedEndOfNumber',
  'InvalidUnicode',
  'InvalidEscapeCharacter',
  'InvalidCharacter',
];

type Expecting = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';

export interface SyntaxError {
  /** Offset of the token where the text stops being JSON. */
  readonly offset: number;
  /** What was wrong, in jsonc-parser's words (`ValueExpected`, `CommaExpected`, …). */
  readonly code: string;
}

/** The first place where `text` is not JSON, or undefined when it is. */
export function firstSyntaxError(text: string): SyntaxError | undefined {
  const scanner = createScanner(text, false);
  const open: ('array' | 'object')[] = [];
  let expecting = 'value' as Expecting;
  const afterValue = () => (expecting = open.length === 0 ? 'end' : 'commaOrClose');

  for (;;) {
    const token = scanner.scan() as number;
    const offset = scanner.getTokenOffset();
    const scanError = scanner.getTokenError() as number;
    if (scanError !== 0) return { offset, code: SCAN_ERRORS[scanError] ?? 'InvalidSymbol' };
    if (token === T.trivia || token === T.lineBreak) continue;
    if (token === T.lineComment || token === T.blockComment) return { offset, code: 'InvalidCommentToken' };
    const top = open[open.length - 1];

    switch (expecting) {
      case 'end':
        if (token === T.eof) return undefined;
        return { offset, code: 'EndOfFileExpected' };
      case 'colon':
        if (token !== T.colon) return { offset, code: 'ColonExpected' };
        expecting = 'value';
        continue;
      case 'key':
      case 'keyOrClose':
        if (expecting === 'keyOrClose' && token === T.closeBrace) {
          open.pop();
          afterValue();
          continue;
        }
        if (token !== T.string) return { offset, code: 'PropertyNameExpected' };
        expecting = 'colon';
        continue;
      case 'commaOrClose':
        if (token === T.comma) {
          expecting = top === 'array' ? 'value' : 'key';
          continue;
        }
        if (token === (top === 'array' ? T.closeBracket : T.closeBrace)) {
          open.pop();
          afterValue();
          continue;
        }
        if (token === T.eof) return { offset, code: top === 'array' ? 'CloseBracketExpected' : 'CloseBraceExpected' };
        return { offset, code: 'CommaExpected' };
      case 'valueOrClose':
      case 'value':
        if (expecting === 'valueOrClose' && token === T.closeBracket) {
          open.pop();
          afterValue();
          continue;
        }
        if (token === T.openBracket) {
          open.push('array');
          expecting = 'valueOrClose';
        } else if (token === T.openBrace) {
          open.push('object');
          expecting = 'keyOrClose';
        } else if (
          token === T.string ||
          token === T.number ||
          token === T.true ||
          token === T.false ||
          token === T.null
        ) {
          afterValue();
        } else {
          return { offset, code: 'ValueExpected' };
        }
        continue;
    }
  }
}
