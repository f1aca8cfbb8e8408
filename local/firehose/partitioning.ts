/**
 * Where a record goes: the partition query (`{data: .createdtime[0:10]}`) and Firehose's prefix
 * expressions (`!{partitionKeyFromQuery:data}`, `!{timestamp:yyyy}`, …). Pure, but for the clock
 * of timestamp prefixes.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

export interface PartitionQuery {
  /** The partition of a parsed record; throws when the field is missing or not a string. */
  (record: Record<string, unknown>): Record<string, string>;
  /** The partition key's name. */
  readonly key: string;
  /**
   * The partition values of a record's JSON lines without parsing them, when every line is
   * plainly one flat object (no nested object or array anywhere, the field once a line, as a
   * string without escapes); else undefined, and the record is parsed.
   */
  scanLines(text: string, lines: readonly string[]): string[] | undefined;
}

/** How often `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Reads `{key: .field[a:b]}` or `{key: .field}`: the query forms this stack uses. */
export function compilePartitionQuery(query: string): PartitionQuery {
  const m = /^\{\s*(\w+)\s*:\s*\.(\w+)(?:\[(\d+):(\d+)\])?\s*\}$/.exec(query.trim());
  if (!m) throw new Error(`unsupported MetadataExtractionQuery for the local sink: ${query}`);
  const [, key, field, from, to] = m;
  const slice = (value: string) => (from === undefined ? value : value.slice(Number(from), Number(to)));
  const extract = (record: Record<string, unknown>) => {
    const value = record[field];
    if (typeof value !== 'string') throw new Error(`${field} is missing or not a string`);
    return { [key]: slice(value) };
  };
  // Outside a string a JSON quote is never escaped, so in a record whose only '{' open its lines,
  // `{"field":"` or `,"field":"` is a line's top-level key.
  const needle = `"${field}":"`;
  const scanLines = (text: string, lines: readonly string[]) => {
    let objects = 0;
    for (const line of lines) if (line !== '') objects++;
    if (text.indexOf('[') !== -1 || occurrences(text, '{') !== objects || occurrences(text, needle) !== objects) {
      return undefined;
    }
    const values: string[] = [];
    for (const line of lines) {
      if (line === '') continue;
      if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
      const at = line.lastIndexOf(needle);
      const before = line.charCodeAt(at - 1);
      if (before !== 0x7b && before !== 0x2c) return undefined;
      const start = at + needle.length;
      const end = line.indexOf('"', start);
      if (end < 0) return undefined;
      const value = line.slice(start, end);
      if (value.includes('\\')) return undefined;
      values.push(slice(value));
    }
    return values;
  };
  return Object.assign(extract, { key, scanLines });
}

export const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatTimestamp(format: string, at: Date): string {
  return format
    .replace(/yyyy/g, String(at.getUTCFullYear()))
    .replace(/MM/g, pad(at.getUTCMonth() + 1))
    .replace(/dd/g, pad(at.getUTCDate()))
    .replace(/HH/g, pad(at.getUTCHours()));
}

/** Expands Firehose's `!{namespace:key}` prefix expressions. */
export function renderPrefix(
  template: string,
  values: { partition?: Record<string, string>; errorOutputType?: string; at: Date },
): string {
  return template.replace(/!\{([\w-]+):([^}]+)\}/g, (whole, namespace: string, key: string) => {
    if (namespace === 'partitionKeyFromQuery' && values.partition?.[key] !== undefined) return values.partition[key];
    if (namespace === 'firehose' && key === 'error-output-type' && values.errorOutputType)
      return values.errorOutputType;
    if (namespace === 'firehose' && key === 'random-string') return randomUUID().slice(0, 11);
    if (namespace === 'timestamp') return formatTimestamp(key, values.at);
    throw new Error(`cannot expand ${whole} in prefix ${template}`);
  });
}

/** A key prefix that stays inside its bucket folder. */
function isSafePrefix(prefix: string): boolean {
  return !path.isAbsolute(prefix) && prefix.split('/').every((part) => part !== '..' && part !== '.');
}

/** The delivery prefix of each partition: rendered from the stack's template, cached when it has no timestamp. */
export class PrefixRenderer {
  private readonly timed: boolean;
  private readonly prefixes = new Map<string, string | undefined>();
  private readonly prefixByValue = new Map<string, string | undefined>();

  constructor(
    private readonly template: string,
    /** The partition key's name. */
    private readonly key: string,
    private readonly clock: () => Date,
  ) {
    this.timed = template.includes('!{timestamp:');
  }

  /** The delivery prefix of a partition value, cached by the value itself. */
  forValue(value: string): string | undefined {
    if (this.timed) return this.forPartition({ [this.key]: value });
    if (!this.prefixByValue.has(value)) {
      this.prefixByValue.set(value, this.forPartition({ [this.key]: value }));
    }
    return this.prefixByValue.get(value);
  }

  /** The delivery prefix of a partition, or undefined when it would leave the bucket folder. */
  forPartition(partition: Record<string, string>): string | undefined {
    // Prefixes that depend only on the partition are cached: rendering one per record is costly.
    const key = this.timed ? undefined : JSON.stringify(partition);
    if (key === undefined || !this.prefixes.has(key)) {
      const prefix = renderPrefix(this.template, { partition, at: this.clock() });
      const safe = isSafePrefix(prefix) ? prefix : undefined;
      if (key === undefined) return safe;
      this.prefixes.set(key, safe);
    }
    return this.prefixes.get(key);
  }
}
