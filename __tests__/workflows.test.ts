/** The repository's GitHub workflows, validated against the workflow schema by action-validator. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateWorkflow } from '@action-validator/core';

const DIR = path.resolve(__dirname, '..', '.github', 'workflows');
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

it('has the test and plan workflows', () => {
  expect(files.sort()).toEqual(['plan.yml', 'test.yml']);
});

it.each(files)('%s is a valid workflow', (file) => {
  expect(validateWorkflow(fs.readFileSync(path.join(DIR, file), 'utf8')).errors).toEqual([]);
});

it('the validator rejects a broken workflow, so the check above can fail', () => {
  expect(validateWorkflow('on: push\njobs:\n  x:\n    steps: 3\n').errors.length).toBeGreaterThan(0);
});

it('runs the README test command on pull requests', () => {
  const source = fs.readFileSync(path.join(DIR, 'test.yml'), 'utf8');
  expect(source).toContain('pull_request:');
  expect(source).toContain('run: npm test');
});
