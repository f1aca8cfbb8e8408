import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPORT_FIXTURES = path.join(__dirname, '..', 'fixtures', 'report');
export const EVENTS_FILE = path.join(REPORT_FIXTURES, 'events.jsonl');
export const EXPECTED_DATES = fs.readdirSync(path.join(REPORT_FIXTURES, 'expected')).sort();

export function fixtureEvents(): unknown[] {
  return fs
    .readFileSync(EVENTS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

export function expected(date: string, file: 'response.md' | 'report.json' | 'report.html'): string {
  return fs.readFileSync(path.join(REPORT_FIXTURES, 'expected', date, file), 'utf8');
}

/**
 * A report.json with what depends on the run left out: how many files the day's clicks came in,
 * their newest time and their digest. The expected files are kept in this form; the rest is
 * compared byte for byte.
 */
export function comparableReportJson(json: string): string {
  return json.replace(
    /"read":\{"files":\d+,"rows":(\d+),"newest":(?:null|"[^"]*"),"digest":"[0-9a-f]{64}"\}/,
    '"read":{"rows":$1}',
  );
}
