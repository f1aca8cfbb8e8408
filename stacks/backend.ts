import { CloudBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from 'cdktf';
import type { BackendConfig } from './config';

/** Attaches the configured state backend. Local state needs nothing: it is cdktf's default. */
export function attachBackend(stack: TerraformStack, stackId: string, backend: BackendConfig): void {
  switch (backend.kind) {
    case 'local':
      return;
    case 's3':
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stackId}.tfstate`,
        region: backend.region,
        dynamodbTable: backend.dynamodbTable,
        encrypt: true,
      });
      return;
    case 'cloud':
      new CloudBackend(stack, {
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(`${backend.workspacePrefix}${stackId}`),
      });
      return;
  }
}
