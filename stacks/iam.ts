/**
 * Least privilege as code: named permission sets, policies built as objects
 * and serialized once, and one trust policy per service principal.
 */
import type { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Named permission sets; each grant scopes one of them to specific ARNs. */
export const Actions = {
  firehosePut: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
  logsWrite: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  emrStartJobRun: ['emr-serverless:StartJobRun'],
  emrGetJobRun: ['emr-serverless:GetJobRun'],
  emrCancelJobRun: ['emr-serverless:CancelJobRun'],
  lambdaInvoke: ['lambda:InvokeFunction'],
  s3List: ['s3:GetBucketLocation', 's3:ListBucket'],
  s3ListBucket: ['s3:ListBucket'],
  s3Read: ['s3:GetObject'],
  s3Write: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
  firehoseS3: [
    's3:AbortMultipartUpload',
    's3:GetBucketLocation',
    's3:GetObject',
    's3:ListBucket',
    's3:ListBucketMultipartUploads',
    's3:PutObject',
  ],
  glueReadTable: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
  kmsUse: ['kms:Decrypt', 'kms:GenerateDataKey'],
  /** The ingestion function creates the stage's pseudonym key on first use, and reads it. */
  pseudonymKey: ['ssm:GetParameter', 'ssm:PutParameter'],
  studioNetworkInterfaces: [
    'ec2:CreateNetworkInterface',
    'ec2:CreateNetworkInterfacePermission',
    'ec2:DeleteNetworkInterface',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:CreateTags',
  ],
  studioSecurityGroupRules: [
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupIngress',
  ],
} as const;

/**
 * Actions AWS does not let a policy scope to a resource; the only ones allowed on "*".
 * Each entry says why.
 */
export const UNSCOPABLE_ACTIONS = {
  xray: {
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    reason: 'X-Ray trace submission has no resource-level permissions',
  },
  xraySampling: {
    actions: ['xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    reason:
      'Step Functions tracing reads X-Ray sampling rules (Step Functions guide, "Trace with X-Ray"); no resource-level permissions',
  },
  logDelivery: {
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    reason: 'Step Functions log delivery (vended logs) requires these on "*"',
  },
  ec2Describe: {
    actions: [
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ec2:DescribeTags',
    ],
    reason: 'EC2 Describe actions have no resource-level permissions (EMR Studio only)',
  },
} as const;

export function unscopable(kind: keyof typeof UNSCOPABLE_ACTIONS): PolicyStatement {
  return {
    Sid: `Unscopable${kind[0].toUpperCase()}${kind.slice(1)}`,
    Effect: 'Allow',
    Action: UNSCOPABLE_ACTIONS[kind].actions,
    Resource: '*',
  };
}

export function allow(
  actions: readonly string[],
  resources: string | readonly string[],
  condition?: PolicyStatement['Condition'],
): PolicyStatement {
  return { Effect: 'Allow', Action: actions, Resource: resources, ...(condition ? { Condition: condition } : {}) };
}

export function logGroupArns(logGroupArn: string): string[] {
  // aws_cloudwatch_log_group.arn has no ":*" suffix; streams need it.
  return [logGroupArn, `${logGroupArn}:*`];
}

export interface ServiceRoleProps {
  readonly name: string;
  /** The single service principal allowed to assume the role. */
  readonly service: string;
  readonly description: string;
  /**
   * The confused-deputy guard the service documents for its role's trust policy (see
   * `sourceGuard` and `externalIdGuard`); omit where the service documents none (Lambda).
   */
  readonly condition?: PolicyStatement['Condition'];
}

/**
 * Only `sourceArn` in `account` may make the service assume the role: the aws:SourceAccount and
 * aws:SourceArn keys, which EMR Serverless, EventBridge Scheduler and Step Functions send.
 */
export function sourceGuard(account: string, sourceArn: string): PolicyStatement['Condition'] {
  return { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sourceArn } };
}

/** Firehose assumes its delivery role with the account id as sts:ExternalId (its developer guide's trust policy). */
export function externalIdGuard(account: string): PolicyStatement['Condition'] {
  return { StringEquals: { 'sts:ExternalId': account } };
}

/** A role trusted by exactly one service principal. */
export function serviceRole(scope: Construct, id: string, props: ServiceRoleProps): IamRole {
  const trust = {
    Effect: 'Allow',
    Principal: { Service: props.service },
    Action: 'sts:AssumeRole',
    ...(props.condition ? { Condition: props.condition } : {}),
  };
  return new IamRole(scope, id, {
    name: props.name,
    description: props.description,
    assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [trust] }),
  });
}

/** Attaches an inline policy made of the given statements. */
export function grant(
  scope: Construct,
  id: string,
  role: IamRole,
  statements: readonly PolicyStatement[],
): IamRolePolicy {
  return new IamRolePolicy(scope, id, { role: role.id, name: id, policy: policyDocument(statements) });
}
