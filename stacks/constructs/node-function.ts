import * as path from 'node:path';
import { Construct } from 'constructs';
import { Fn, TerraformAsset, AssetType } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { bundleFunction, type FunctionName } from '../../functions/build';
import { allow, Actions, grant, logGroupArns, type PolicyStatement, serviceRole, unscopable } from '../iam';

export interface NodeFunctionProps {
  /** Physical function name. */
  readonly functionName: string;
  /** Folder under functions/ holding handler.ts. */
  readonly entry: FunctionName;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** Default: 30. */
  readonly timeoutSeconds?: number;
  /** Default: 256. */
  readonly memoryMb?: number;
  readonly logRetentionDays: number;
  /** Concurrent executions reserved for the function, which also cap it. Default: none. */
  readonly reservedConcurrency?: number;
  /** What the function may do besides writing its own logs and traces. */
  readonly statements?: readonly PolicyStatement[];
}

/**
 * Context key: `false` skips esbuild and points each function's asset at its source folder.
 * Only for in-process synths that read settings (the local run, `clicklogger cost`), never deploys.
 */
export const BUNDLE_CONTEXT = 'clicklogger:bundleFunctions';
const FUNCTIONS_DIR = path.resolve(__dirname, '..', '..', 'functions');

/**
 * A Node.js 22 Lambda on arm64, bundled by esbuild, with its own declared log group,
 * X-Ray tracing and a role that can do only what `statements` grants.
 */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const bundle = this.node.tryGetContext(BUNDLE_CONTEXT) !== false;
    const asset = new TerraformAsset(this, 'bundle', {
      path: bundle ? bundleFunction(props.entry) : path.join(FUNCTIONS_DIR, props.entry),
      type: AssetType.ARCHIVE,
    });

    // Lambda's own default name, declared so that retention is ours and destroy removes it.
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
    });

    this.role = serviceRole(this, 'role', {
      name: `${props.functionName}-role`,
      service: 'lambda.amazonaws.com',
      description: `Execution role of ${props.functionName}`,
    });
    const policy = grant(this, 'policy', this.role, [
      allow(Actions.logsWrite, logGroupArns(this.logGroup.arn)),
      unscopable('xray'),
      ...(props.statements ?? []),
    ]);

    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      timeout: props.timeoutSeconds ?? 30,
      memorySize: props.memoryMb ?? 256,
      tracingConfig: { mode: 'Active' },
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        // No NODE_OPTIONS: the zip holds no source map (it stays in .build/maps), and
        // --enable-source-maps would only slow the cold start.
        variables: { ...props.environment },
      },
      // The first invocation must find its permissions and log group in place.
      dependsOn: [policy, this.logGroup],
    });
  }
}
