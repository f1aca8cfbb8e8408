/**
 * The suppression list's format, which `clicklogger erase` writes and ingestion reads (the local
 * run from its output folder, the Lambda from the output bucket): `{"suppressed": ["u_…", "c_…"]}`,
 * keyed pseudonyms only, never a plain user or context id.
 */
const PSEUDONYM = /^[uc]_[a-z2-7]{26}$/;

export class SuppressionListError extends Error {}

export function parseSuppressionList(text: string, where: string): string[] {
  let ids: unknown;
  try {
    ids = (JSON.parse(text) as { suppressed?: unknown }).suppressed;
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && PSEUDONYM.test(id))) {
    throw new SuppressionListError(`${where} is not a suppression list ({"suppressed": ["u_…", "c_…"]})`);
  }
  return ids as string[];
}

/** The list with `pseudonym` added (once), sorted. */
export function withSuppressed(ids: readonly string[], pseudonym: string): string {
  if (!PSEUDONYM.test(pseudonym)) throw new SuppressionListError(`${pseudonym} is not a pseudonym (u_… or c_…)`);
  return `${JSON.stringify({ suppressed: [...new Set([...ids, pseudonym])].sort() }, null, 2)}\n`;
}
