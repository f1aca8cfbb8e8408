/** Small helpers around an in-memory DuckDB database. */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * Never download an extension: the ones the project uses (parquet, json) are built in, and a
 * run must not reach the network, so a missing one is an error rather than a fetch.
 */
export const DUCKDB_OFFLINE = { autoinstall_known_extensions: 'false' } as const;

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Runs `work` on a fresh in-memory database and always closes it; `signal` interrupts the running query. */
export async function withDuckDb<T>(
  work: (connection: DuckDBConnection) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  const instance = await DuckDBInstance.create(':memory:', DUCKDB_OFFLINE);
  const connection = await instance.connect();
  const interrupt = () => connection.interrupt();
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    return await work(connection);
  } finally {
    signal?.removeEventListener('abort', interrupt);
    connection.closeSync();
    instance.closeSync();
  }
}
