/**
 * `clicklogger erase` in the cloud: the erase state machine (erase-definition.ts) and the role
 * its job runs under. The report job only reads the raw bucket; the erase job must rewrite it,
 * so it has a role of its own, and only it may delete raw clicks.
 */
import { Construct } from 'constructs';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import type { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { ERASURE, RAW_PREFIX } from '../../core/contracts';
import { eraseWorkflowDefinition, type EraseWorkflowProps } from '../erase-definition';
import { Actions, allow, grant, serviceRole, sourceGuard } from '../iam';
import type { ArnScope } from '../naming';
import { jobStateMachine } from './job-state-machine';

export interface ErasureProps extends Omit<EraseWorkflowProps, 'jobRoleArn' | 'rawBucket' | 'outputBucket'> {
  readonly stateMachineName: string;
  readonly jobRoleName: string;
  readonly applicationArn: string;
  readonly sourceBucket: S3Bucket;
  readonly rawBucket: S3Bucket;
  readonly outputBucket: S3Bucket;
  readonly logsBucket: S3Bucket;
  readonly kmsKeyArn?: string;
  readonly arnScope: ArnScope;
  readonly logRetentionDays: number;
}

export class Erasure extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly jobRole: IamRole;

  constructor(scope: Construct, id: string, props: ErasureProps) {
    super(scope, id);
    const { sourceBucket, rawBucket, outputBucket, logsBucket } = props;

    this.jobRole = serviceRole(this, 'job-role', {
      name: props.jobRoleName,
      service: 'emr-serverless.amazonaws.com',
      description: 'Runtime role of the clicklogger erase job: rewrites raw clicks without one person',
      condition: sourceGuard(props.arnScope.account, props.applicationArn),
    });
    grant(this, 'job-policy', this.jobRole, [
      allow(Actions.s3List, [sourceBucket.arn, rawBucket.arn, outputBucket.arn, logsBucket.arn]),
      allow(Actions.s3Read, [`${sourceBucket.arn}/*`]),
      // Read, rewrite and replace the raw clicks; nothing else in the raw bucket.
      allow([...Actions.s3Read, ...Actions.s3Write], `${rawBucket.arn}/${RAW_PREFIX}/*`),
      // The pending days and the erasure log; Hadoop HEADs a key before it writes it.
      allow(
        [...Actions.s3Read, ...Actions.s3Write],
        [`${outputBucket.arn}/${ERASURE.pending}`, `${outputBucket.arn}/${ERASURE.logPrefix}*`],
      ),
      allow(Actions.s3Write, `${logsBucket.arn}/*`),
      ...(props.kmsKeyArn ? [allow(Actions.kmsUse, props.kmsKeyArn)] : []),
    ]);

    this.stateMachine = jobStateMachine(this, {
      name: props.stateMachineName,
      definition: eraseWorkflowDefinition({
        ...props,
        jobRoleArn: this.jobRole.arn,
        rawBucket: rawBucket.bucket,
        outputBucket: outputBucket.bucket,
      }),
      applicationArn: props.applicationArn,
      jobRoleArn: this.jobRole.arn,
      lambdaArns: [props.statusFunctionArn],
      arnScope: props.arnScope,
      logRetentionDays: props.logRetentionDays,
    });
  }
}
