/**
 * Writes clicks as SNAPPY Parquet with the Glue table's columns (all strings, in schema
 * order), as Firehose's format conversion does.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DuckDBConnection } from '@duckdb/node-api';
import { Click, CLICK_FIELDS } from '../functions/shared/click-schema';
import { sqlString, withDuckDb } from '../report/duckdb';

const COLUMNS = CLICK_FIELDS.map((f) => `"${f.name}" VARCHAR`).join(', ');

async function appendClicks(connection: DuckDBConnection, table: string, clicks: readonly Click[]): Promise<void> {
  await connection.run(`CREATE TEMP TABLE ${table} (${COLUMNS})`);
  const appender = await connection.createAppender(table);
  for (const click of clicks) {
    for (const field of CLICK_FIELDS) appender.appendVarchar(click[field.name]);
    appender.endRow();
  }
  appender.closeSync();
}

/** Writes `clicks` to `file` (its folder is created), through a temporary file so no half file is left. */
export async function writeClicksParquet(clicks: readonly Click[], file: string, connection?: DuckDBConnection): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const write = async (db: DuckDBConnection) => {
    const table = `clicks_${Math.random().toString(36).slice(2)}`;
    await appendClicks(db, table, clicks);
    await db.run(`COPY ${table} TO ${sqlString(partial)} (FORMAT PARQUET, COMPRESSION SNAPPY)`);
    await db.run(`DROP TABLE ${table}`);
  };
  try {
    await (connection ? write(connection) : withDuckDb(write));
    await fs.rename(partial, file);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}
