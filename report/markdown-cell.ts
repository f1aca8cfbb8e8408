/**
 * A value as one cell of a Markdown table row (response.md's one escaping rule):
 * `\` → `\\`, `|` → `\|`, and each line break (CRLF, CR or LF) → one space. */
export function escapeCell(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, ' ');
}
