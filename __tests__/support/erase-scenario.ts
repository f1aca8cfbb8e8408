/** The erase tests' scenario: two `--keep` runs over three days, alice on each, bob beside her. */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { main } from '../../cli/main';
import { captureIo } from './io';

export const OUTPUT = 'us-east-1-clicklogger-dev-loggregator-output-000000000000';
export const ALICE = 'alice@example.com';
export const DAYS = ['2023-02-07', '2023-02-08', '2023-02-09'];

export const click = (id: string, date: string, user: string, component: string) => ({
  requestid: id,
  contextid: `visit-${user}`,
  callerid: 'ShopTest',
  component,
  action: 'click',
  type: 'button',
  createdtime: `${date}T10:00:00Z`,
  user,
});
// Two sends, three days; alice on each day, bob beside her.
export const FIRST = [
  click('a1', DAYS[0], ALICE, 'login'),
  click('b1', DAYS[0], 'bob', 'login'),
  click('a2', DAYS[1], ALICE, 'checkout'),
  click('b2', DAYS[1], 'bob', 'checkout'),
];
export const SECOND = [
  click('a3', DAYS[2], ALICE, 'submitorder'),
  click('b3', DAYS[2], 'bob', 'submitorder'),
  click('a4', DAYS[1], ALICE, 'products'),
  click('b4', DAYS[1], 'bob', 'products'),
];

export async function cli(args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

export async function local(work: string, folder: string, events: unknown[], keep: boolean) {
  const file = path.join(work, `events-${Math.random().toString(36).slice(2)}.jsonl`);
  fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  const run = await cli(['local', '--events', file, '--out', folder, ...(keep ? ['--keep'] : [])]);
  expect(run.code).toBe(0);
  return run;
}
