import { Construct } from 'constructs';
import type { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Actions, allow } from '../iam';
import type { ArnScope } from '../naming';
import { reportWorkflowDefinition, type ReportWorkflowProps } from '../state-machine-definition';
import { PARTITION_KEY, RAW_PREFIX, REPORT_FILES } from '../../core/contracts';
import { WORKFLOW_CALL_BUDGET } from '../../core/time-budget';
import { jobStateMachine } from './job-state-machine';
import { NodeFunction } from './node-function';

export interface OrchestrationProps extends Omit<ReportWorkflowProps, 'planDatesFunctionArn' | 'statusFunctionArn'> {
  readonly stateMachineName: string;
  readonly statusFunctionName: string;
  readonly planDatesFunctionName: string;
  /** Days before the latest asked-for day that each run checks for late clicks. */
  readonly lateDays: number;
  readonly rawBucketArn: string;
  readonly outputBucketArn: string;
  readonly kmsKeyArn?: string;
  readonly applicationArn: string;
  readonly arnScope: ArnScope;
  readonly logRetentionDays: number;
}

/** The report state machine and the two small functions it calls. */
export class Orchestration extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly status: NodeFunction;
  readonly planDates: NodeFunction;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);

    this.planDates = new NodeFunction(this, 'plan-dates', {
      functionName: props.planDatesFunctionName,
      entry: 'plan-dates',
      description: 'Plans the dates of a report run: those asked for, and late-data days whose partition changed',
      timeoutSeconds: WORKFLOW_CALL_BUDGET.functionTimeoutSeconds,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      environment: {
        RAW_BUCKET: props.rawBucket,
        OUTPUT_BUCKET: props.outputBucket,
        LATE_DAYS: String(props.lateDays),
        POWERTOOLS_SERVICE_NAME: 'clicklogger-plan-dates',
      },
      statements: [
        // The partition listings only.
        allow(Actions.s3ListBucket, props.rawBucketArn, {
          StringLike: { 's3:prefix': [`${RAW_PREFIX}/${PARTITION_KEY.name}=*`] },
        }),
        // Without ListBucket, S3 answers a missing report.json with AccessDenied, not NoSuchKey.
        allow(Actions.s3ListBucket, props.outputBucketArn),
        allow(Actions.s3Read, `${props.outputBucketArn}/*/${REPORT_FILES.json}`),
        ...(props.kmsKeyArn ? [allow(['kms:Decrypt'], props.kmsKeyArn)] : []),
      ],
    });

    this.status = new NodeFunction(this, 'job-status', {
      functionName: props.statusFunctionName,
      entry: 'job-status',
      description: 'Returns the state of one EMR Serverless job run (one GetJobRun per call)',
      timeoutSeconds: WORKFLOW_CALL_BUDGET.functionTimeoutSeconds,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      environment: { APPLICATION_ID: props.applicationId, POWERTOOLS_SERVICE_NAME: 'clicklogger-job-status' },
      statements: [allow(Actions.emrGetJobRun, `${props.applicationArn}/jobruns/*`)],
    });

    this.stateMachine = jobStateMachine(this, {
      name: props.stateMachineName,
      definition: reportWorkflowDefinition({
        ...props,
        planDatesFunctionArn: this.planDates.function.arn,
        statusFunctionArn: this.status.function.arn,
      }),
      applicationArn: props.applicationArn,
      jobRoleArn: props.jobRoleArn,
      lambdaArns: [this.status.function.arn, this.planDates.function.arn],
      arnScope: props.arnScope,
      logRetentionDays: props.logRetentionDays,
    });
  }
}
