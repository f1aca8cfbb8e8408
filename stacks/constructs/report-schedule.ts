import { Construct } from 'constructs';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { allow, grant, serviceRole, sourceGuard } from '../iam';
import { type ArnScope, arnOf } from '../naming';

export interface ReportScheduleProps {
  readonly namePrefix: string;
  readonly stateMachineArn: string;
  /** EventBridge Scheduler expression, in UTC, e.g. `cron(0 1 * * ? *)`. */
  readonly expression: string;
  readonly arnScope: ArnScope;
}

/** Starts the report state machine every day, for the day before (UTC). */
export class ReportSchedule extends Construct {
  readonly schedule: SchedulerSchedule;

  constructor(scope: Construct, id: string, props: ReportScheduleProps) {
    super(scope, id);
    const role = serviceRole(this, 'scheduler-role', {
      name: `${props.namePrefix}-scheduler-role`,
      service: 'scheduler.amazonaws.com',
      description: 'Lets the daily schedule start the report state machine',
      // Only schedules of the default group (this one's) may assume it (EventBridge Scheduler guide, "Set up the execution role").
      condition: sourceGuard(props.arnScope.account, arnOf(props.arnScope, 'scheduler', 'schedule-group/default')),
    });
    grant(this, 'scheduler-policy', role, [allow(['states:StartExecution'], props.stateMachineArn)]);
    this.schedule = new SchedulerSchedule(this, 'daily-report', {
      name: `${props.namePrefix}-daily-report`,
      description: 'Starts the report for the previous day (UTC)',
      scheduleExpression: props.expression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.stateMachineArn,
        roleArn: role.arn,
        // The state machine reports the day before ScheduledTime, so a late retry still reports the right day.
        input: JSON.stringify({ ScheduledTime: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3_600 },
      },
    });
  }
}
