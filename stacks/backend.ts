import * as path from 'node:path';
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from 'cdktf';
import type { BackendConfig } from './config';

/** Where a stack keeps its state without a backend: beside cdktf.json, as cdktf does by default. */
export const localStateFile = (stackId: string) => `terraform.${stackId}.tfstate`;

/**
 * Attaches the configured state backend.
 *
 * Local state is written as a path relative to the stack's folder (cdktf.out/stacks/<stack>),
 * pointing at the project folder: cdktf's default is absolute, so a moved clone would lose
 * track of live resources. S3 state is locked with S3's own lock file (Terraform 1.10+) unless
 * a DynamoDB table is named.
 */
export function attachBackend(
  stack: TerraformStack,
  stackId: string,
  backend: BackendConfig,
  { outdir, projectDir }: { outdir: string; projectDir: string },
): void {
  switch (backend.kind) {
    case 'local': {
      const stackDir = path.resolve(projectDir, outdir, 'stacks', stackId);
      new LocalBackend(stack, { path: path.relative(stackDir, path.join(projectDir, localStateFile(stackId))) });
      return;
    }
    case 's3': {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stackId}.tfstate`,
        region: backend.region,
        dynamodbTable: backend.dynamodbTable,
        encrypt: true,
      });
      // cdktf 0.21 has no property for it yet.
      if (backend.dynamodbTable === undefined) s3.addOverride('use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, {
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(`${backend.workspacePrefix}${stackId}`),
      });
      return;
  }
}
