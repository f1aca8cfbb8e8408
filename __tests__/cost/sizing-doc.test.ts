/**
 * docs/sizing.md's table is the code's: written by `npm run docs:sizing` from the default
 * stack, the job sizing and the cost model. This fails when one of them changes and the page
 * was not written again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackFacts } from '../../cost/cost-model';
import { sizingTable, TABLE_END, TABLE_START, withSizingTable } from '../../cost/sizing-table';
import { synth } from '../support/synth';

const PAGE = path.join(__dirname, '..', '..', 'docs', 'sizing.md');
const facts = stackFacts(synth());

it('holds the table the code gives (run npm run docs:sizing after changing the sizing)', () => {
  const page = fs.readFileSync(PAGE, 'utf8');
  expect(withSizingTable(page, sizingTable(facts))).toBe(page);
});

it('prices 1M, 100M and 1B clicks a day within the application’s limits', () => {
  const rows = sizingTable(facts).split('\n').slice(2);
  expect(rows.map((row) => row.split(' | ')[0])).toEqual(['| 1,000,000', '| 100,000,000', '| 1,000,000,000']);
  // A billion clicks: 7 executors granted, the most 16 vCPU hold beside the driver.
  expect(rows[2]).toContain('| 7 of ');
});

it('refuses a page without its markers rather than writing the table somewhere', () => {
  expect(() => withSizingTable('# Sizing\n', 'table')).toThrow(TABLE_START);
  expect(withSizingTable(`a\n${TABLE_START}\nold\n${TABLE_END}\nb`, 'new')).toBe(
    `a\n${TABLE_START}\n\nnew\n\n${TABLE_END}\nb`,
  );
});
