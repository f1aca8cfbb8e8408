/**
 * Firehose's multi-record deaggregation of type JSON, as the delivery stream applies it before
 * partitioning: a record holds consecutive JSON objects (`{"a":1}{"a":2}`) or one per line, at
 * most 500; an array of objects is not valid input. The developer guide's "Apply dynamic
 * partitioning to aggregated data" describes it.
 */
export const MAX_SUB_RECORDS = 500;

export type Deaggregated = { readonly values: unknown[] } | { readonly error: string };

/** The objects of one line that holds several, back to back; undefined when it is not that. */
function splitConsecutive(line: string): unknown[] | undefined {
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        try {
          values.push(JSON.parse(line.slice(start, i + 1)));
        } catch {
          return undefined;
        }
      }
    } else if (depth === 0 && !/\s/.test(c)) return undefined;
  }
  return depth === 0 && !inString ? values : undefined;
}

export function deaggregateJson(text: string, max: number = MAX_SUB_RECORDS): Deaggregated {
  const values: unknown[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('[')) return { error: 'an array of JSON objects is not valid input for deaggregation' };
    let parsed: unknown[] | undefined;
    try {
      parsed = [JSON.parse(line)];
    } catch {
      parsed = splitConsecutive(line);
    }
    if (!parsed) return { error: 'record is not valid JSON' };
    values.push(...parsed);
    if (values.length > max) {
      return { error: `record holds more than ${max} JSON objects, the most deaggregation splits` };
    }
  }
  if (values.length === 0) return { error: 'record holds no JSON object' };
  return { values };
}
