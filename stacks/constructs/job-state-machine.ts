/**
 * A state machine that runs EMR Serverless jobs (the report's, the erase's): its log group, its
 * role (StartJobRun on the application, CancelJobRun on its job runs, the Lambdas it calls,
 * PassRole for the one job role), and the machine itself. A function rather than a construct,
 * so that the report's resources keep the addresses they were deployed under.
 */
import type { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Actions, allow, grant, serviceRole, sourceGuard, unscopable } from '../iam';
import { type ArnScope, arnOf } from '../naming';

export interface JobStateMachineProps {
  readonly name: string;
  readonly definition: Record<string, unknown>;
  readonly applicationArn: string;
  readonly jobRoleArn: string;
  readonly lambdaArns: readonly string[];
  readonly arnScope: ArnScope;
  readonly logRetentionDays: number;
}

export function jobStateMachine(scope: Construct, props: JobStateMachineProps): SfnStateMachine {
  const logGroup = new CloudwatchLogGroup(scope, 'logs', {
    // The /aws/vendedlogs/ prefix keeps the log resource policy under its size limit.
    name: `/aws/vendedlogs/states/${props.name}`,
    retentionInDays: props.logRetentionDays,
  });

  const role = serviceRole(scope, 'role', {
    name: `${props.name}-role`,
    service: 'states.amazonaws.com',
    description: `Execution role of ${props.name}`,
    // Only this state machine may assume it (Step Functions guide, "Creating an IAM role for your state machine").
    condition: sourceGuard(props.arnScope.account, arnOf(props.arnScope, 'states', `stateMachine:${props.name}`)),
  });
  const policy = grant(scope, 'policy', role, [
    allow(Actions.emrStartJobRun, props.applicationArn),
    // Only the failure paths cancel, and only job runs of this application.
    allow(Actions.emrCancelJobRun, `${props.applicationArn}/jobruns/*`),
    allow(Actions.lambdaInvoke, [...props.lambdaArns]),
    allow(['iam:PassRole'], props.jobRoleArn, {
      StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' },
    }),
    unscopable('logDelivery'),
    unscopable('xray'),
    unscopable('xraySampling'),
  ]);

  return new SfnStateMachine(scope, 'state-machine', {
    name: props.name,
    type: 'STANDARD',
    roleArn: role.arn,
    definition: JSON.stringify(props.definition),
    loggingConfiguration: {
      level: 'ERROR',
      includeExecutionData: false,
      logDestination: `${logGroup.arn}:*`,
    },
    tracingConfiguration: { enabled: true },
    dependsOn: [policy],
  });
}
