import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const RAW = 'us-east-1-clicklogger-dev-firehose-delivery-000000000000';

/** Every click stored under a local run's output folder, one JSON line each, in requestid order. */
export async function storedClickLines(out: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const glob = path.join(out, RAW, '**', '*.parquet').replaceAll("'", "''");
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${glob}') ORDER BY requestid`);
    return reader.getRowObjectsJS().map((row) => JSON.stringify(row));
  } finally {
    instance.closeSync();
  }
}
