/** Writes the sizing table of docs/sizing.md from the default stack and the cost model. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackFacts } from '../cost/cost-model';
import { sizingTable, withSizingTable } from '../cost/sizing-table';
import { synthesizeStackJson } from '../local/run/synthesized-stack';
import { ConfigSchema, stageConfig } from '../stacks/config';

const page = path.join(__dirname, '..', 'docs', 'sizing.md');
const facts = stackFacts(synthesizeStackJson(stageConfig(ConfigSchema.parse({}), 'dev')));
fs.writeFileSync(page, withSizingTable(fs.readFileSync(page, 'utf8'), sizingTable(facts)));
process.stdout.write(`wrote the sizing table of ${path.relative(process.cwd(), page)}\n`);
