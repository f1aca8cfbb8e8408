/** The ingestion metrics of each stage are their own series: the stage is a dimension of every one. */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

function metricsWith(env: Record<string, string>): Metrics {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let metrics!: Metrics;
    jest.isolateModules(() => {
      ({ metrics } = jest.requireActual<{ metrics: Metrics }>('../../../functions/shared/observability'));
    });
    return metrics;
  } finally {
    process.env = saved;
  }
}

function dimensionsOf(metrics: Metrics): string[][] {
  metrics.addMetric('accepted', MetricUnit.Count, 1);
  return metrics.serializeMetrics()._aws.CloudWatchMetrics[0].Dimensions;
}

it('adds the stage the stack sets as a dimension', () => {
  const metrics = metricsWith({ CLICKLOGGER_STAGE: 'prod', POWERTOOLS_SERVICE_NAME: 'clicklogger-ingest' });
  expect(dimensionsOf(metrics)).toEqual([expect.arrayContaining(['service', 'stage'])]);
  expect(metrics.serializeMetrics()).toMatchObject({ stage: 'prod', service: 'clicklogger-ingest' });
});

it('adds no stage dimension where none is set', () => {
  const metrics = metricsWith({ POWERTOOLS_SERVICE_NAME: 'clicklogger-ingest' });
  expect(dimensionsOf(metrics).flat()).not.toContain('stage');
});
