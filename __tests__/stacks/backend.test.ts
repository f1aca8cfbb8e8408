import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { attachBackend } from '../../stacks/backend';
import type { BackendConfig } from '../../stacks/config';

function backendBlock(backend: BackendConfig, projectDir: string) {
  const outdir = path.join(projectDir, 'cdktf.out');
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'clicklogger-dev');
  attachBackend(stack, 'clicklogger-dev', backend, { outdir: app.outdir, projectDir });
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'clicklogger-dev', 'cdk.tf.json'), 'utf8'));
  return json.terraform.backend;
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicklogger-backend-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('local state: a path relative to the stack folder, at the project folder, so a moved clone keeps it', () => {
  const { local } = backendBlock({ kind: 'local' }, dir);
  expect(path.isAbsolute(local.path)).toBe(false);
  expect(path.resolve(dir, 'cdktf.out', 'stacks', 'clicklogger-dev', local.path)).toBe(
    path.join(dir, 'terraform.clicklogger-dev.tfstate'),
  );
});

it("S3 state: encrypted, locked with S3's lock file, or with the DynamoDB table when one is named", () => {
  expect(backendBlock({ kind: 's3', bucket: 'state', keyPrefix: 'clicklogger' }, dir).s3).toEqual({
    bucket: 'state',
    key: 'clicklogger/clicklogger-dev.tfstate',
    encrypt: true,
    use_lockfile: true,
  });
  const withTable = backendBlock({ kind: 's3', bucket: 'state', keyPrefix: 'p', dynamodbTable: 'locks' }, dir).s3;
  expect(withTable).toMatchObject({ dynamodb_table: 'locks' });
  expect(withTable.use_lockfile).toBeUndefined();
});
