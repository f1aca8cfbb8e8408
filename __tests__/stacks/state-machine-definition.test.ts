import {
  EVENTS_PER_POLL,
  executionTimeoutSeconds,
  MAX_POLLS,
  JOB_STATES,
  LAMBDA_INVOKE_RESOURCE,
  CANCEL_JOB_RUN_RESOURCE,
  reportWorkflowDefinition,
  type ReportWorkflowProps,
  STATES,
} from '../../stacks/state-machine-definition';
import { DEFAULT_FUNNELS } from '../../core/funnels';

const props: ReportWorkflowProps = {
  planDatesFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plan',
  statusFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:status',
  applicationId: 'app-1',
  jobRoleArn: 'arn:aws:iam::123456789012:role/job',
  scriptUri: 's3://source/spark/report_job.py',
  sqlUris: ['s3://source/spark/day_clicks.sql', 's3://source/spark/report.sql'],
  renderersUri: 's3://source/spark/report_render.py',
  visitsUri: 's3://source/spark/report_visits.py',
  pageUri: 's3://source/spark/report_page.py',
  funnels: DEFAULT_FUNNELS,
  sizing: { shufflePartitions: 400, maxExecutors: 7 },
  rowsPerCaller: 100,
  rawBucket: 'raw',
  outputBucket: 'out',
  logUri: 's3://logs/jobs/',
  jobTimeoutMinutes: 120,
  pollSeconds: 30,
};
const definition = reportWorkflowDefinition(props) as {
  States: Record<string, any>;
  StartAt: string;
  TimeoutSeconds: number;
};
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');

it('gives every Task a TimeoutSeconds', () => {
  expect(tasks.length).toBe(4);
  for (const [, task] of tasks) expect(task.TimeoutSeconds).toBeGreaterThan(0);
});

it('retries transient errors and catches everything on Lambda tasks', () => {
  for (const [, task] of tasks.filter(([, t]) => t.Resource === LAMBDA_INVOKE_RESOURCE)) {
    expect(task.Retry[0].ErrorEquals).toEqual(
      expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
    );
    expect(task.Retry[0].MaxAttempts).toBeGreaterThan(0);
    // Everything is caught: the last catcher takes States.ALL.
    expect(task.Catch.at(-1)).toEqual(expect.objectContaining({ ErrorEquals: ['States.ALL'] }));
  }
});

it('fails a bad date as InvalidInput and any other plan failure as PlanFailed, after retrying listings', () => {
  const plan = definition.States[STATES.planDates];
  expect(plan.Catch.map((c: { ErrorEquals: string[]; Next: string }) => [c.ErrorEquals, c.Next])).toEqual([
    [['InvalidInputDate'], STATES.describeInvalidInput],
    [['States.ALL'], STATES.describePlanFailure],
  ]);
  expect(plan.Retry[0].ErrorEquals).toContain('PartitionListingUnavailable');
  // One job run for every planned date.
  const submit = definition.States[STATES.startJobRun].Parameters;
  expect(submit['Name.$']).toBe('$.JobName');
  expect(submit.JobDriver.SparkSubmit['EntryPointArguments.$']).toBe("States.Array($.DatesArgument, 'raw', 'out')");
});

it('only points at states that exist', () => {
  const names = new Set(Object.keys(definition.States));
  const targets = JSON.stringify(definition)
    .match(/"(Next|Default|StartAt)":"[^"]+"/g)!
    .map((m) => m.split('":"')[1].slice(0, -1));
  expect(targets.length).toBeGreaterThan(5);
  for (const target of targets) expect(names).toContain(target);
});

it('routes each of the nine job states, and anything else to a Fail state', () => {
  const choice = definition.States[STATES.jobStateChoice];
  const route = (state: string) =>
    choice.Choices.find((c: any) => c.Or.some((r: any) => r.StringEquals === state))?.Next ?? choice.Default;
  for (const s of JOB_STATES.success) expect(route(s)).toBe(STATES.succeeded);
  for (const s of JOB_STATES.failure) expect(route(s)).toBe(STATES.describeFailure);
  for (const s of JOB_STATES.pending) expect(route(s)).toBe(STATES.waitForJob);
  expect(route('SOMETHING_NEW')).toBe(STATES.describeUnknown);
  expect(definition.States[STATES.describeFailure].Next).toBe(STATES.jobFailed);
  // A job in a state the workflow does not know may still run: it is cancelled first.
  expect(definition.States[STATES.describeUnknown].Next).toBe(STATES.cancelJobRun);
  expect(definition.States[STATES.jobFailed].Type).toBe('Fail');
  expect(definition.States[STATES.failAfterCancel].Type).toBe('Fail');
  expect(definition.States[STATES.describeFailure].Parameters['cause.$']).toContain('$.status.stateDetails');
});

describe('once a job is submitted', () => {
  /** Every state reachable from `from`, following Next, Default, Choices and Catch. */
  function reachable(from: string): Set<string> {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const state = definition.States[name];
      const targets = [state.Next, state.Default, ...(state.Choices ?? []).map((c: any) => c.Next)];
      for (const c of state.Catch ?? []) targets.push(c.Next);
      for (const target of targets) if (target) visit(target);
    };
    visit(from);
    return seen;
  }
  /** The states a path from `from` passes before it ends, when it can end only one way. */
  const failStatesAfter = (from: string) => [...reachable(from)].filter((s) => definition.States[s].Type === 'Fail');

  it('cancels the job on every path that fails while it may still run', () => {
    const catchOfStatus = definition.States[STATES.getJobStatus].Catch[0].Next;
    for (const start of [catchOfStatus, STATES.describeUnknown]) {
      expect(reachable(start)).toContain(STATES.cancelJobRun);
      // No Fail state is reachable without passing the cancel.
      const beforeCancel = [...reachable(start)].filter(
        (s) => !reachable(STATES.cancelJobRun).has(s) && definition.States[s].Type === 'Fail',
      );
      expect(beforeCancel).toEqual([]);
    }
    expect(failStatesAfter(STATES.cancelJobRun)).toEqual([STATES.failAfterCancel]);
  });

  it('calls CancelJobRun on the job this execution started, and retries it like StartJobRun', () => {
    const cancel = definition.States[STATES.cancelJobRun];
    expect(cancel.Resource).toBe(CANCEL_JOB_RUN_RESOURCE);
    expect(cancel.Parameters).toEqual({ 'ApplicationId.$': '$.job.applicationId', 'JobRunId.$': '$.job.jobRunId' });
    expect(cancel.Retry[0].ErrorEquals).toEqual(definition.States[STATES.startJobRun].Retry[0].ErrorEquals);
    // A failed cancel is described, not dropped.
    expect(reachable(cancel.Catch[0].Next)).toContain(STATES.noteCancelFailed);
  });

  it('leaves a job that has ended alone', () => {
    expect(reachable(STATES.describeFailure)).not.toContain(STATES.cancelJobRun);
  });
});

it('retries the errors the EMR tasks really raise, the service-wide catch-all among them', () => {
  expect(definition.States[STATES.startJobRun].Retry[0].ErrorEquals).toEqual(
    expect.arrayContaining([
      'EmrServerless.InternalServerException',
      'EmrServerless.EmrServerlessException',
      'EmrServerless.SdkClientException',
      'States.Timeout',
    ]),
  );
});

it('ends every failure through a Fail state that reads a described error and cause, never a raw Cause', () => {
  for (const [name, state] of states.filter(([, s]) => s.Type === 'Fail')) {
    expect({ name, ...state }).toEqual({
      name,
      Type: 'Fail',
      ErrorPath: '$.failure.error',
      CausePath: '$.failure.cause',
    });
  }
});

it('derives the client token from the execution, so a retry cannot start a second job', () => {
  expect(definition.States[STATES.startJobRun].Parameters['ClientToken.$']).toBe("States.Hash($$.Execution.Id, 'MD5')");
});

it('bounds the execution so the poll loop stays under the 25,000-event history limit', () => {
  const polls = Math.ceil(definition.TimeoutSeconds / props.pollSeconds);
  expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds(props));
  expect(definition.TimeoutSeconds).toBeGreaterThan(props.jobTimeoutMinutes * 60);
  expect(polls * EVENTS_PER_POLL).toBeLessThan(25_000);
  expect(MAX_POLLS * EVENTS_PER_POLL + 100).toBeLessThan(25_000);
});

it('refuses a poll interval so short that the loop could pass the history limit', () => {
  expect(() => reportWorkflowDefinition({ ...props, jobTimeoutMinutes: 1_440, pollSeconds: 5 })).toThrow(
    /too short for jobTimeoutMinutes 1440: \d+ polls would pass the 25,000-event execution history limit/,
  );
});

it('contains no "${" outside Terraform references, which Terraform would try to interpolate', () => {
  expect(JSON.stringify(definition)).not.toContain('${');
});
