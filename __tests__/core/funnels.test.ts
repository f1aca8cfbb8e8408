import {
  DEFAULT_FUNNELS,
  encodeFunnels,
  funnelsConf,
  funnelsFromSparkParameters,
  funnelStepRows,
} from '../../core/funnels';

it('carries the funnels through SparkSubmitParameters as one token, whatever their names hold', () => {
  const funnels = [{ name: 'a b', steps: ['päge one', 'x|y', '"quoted"'] }];
  const parameters = `--files s3://b/x.sql ${funnelsConf(funnels)} --conf spark.driver.memory=2g`;
  expect(funnelsConf(funnels).split(' ')).toHaveLength(2);
  expect(funnelsFromSparkParameters(parameters)).toEqual(funnels);
  expect(funnelsFromSparkParameters('--conf spark.driver.memory=2g')).toEqual([]);
  expect(funnelsFromSparkParameters(undefined)).toEqual([]);
});

it('refuses a setting that is not base64url JSON, or not funnels', () => {
  expect(() => funnelsFromSparkParameters('--conf spark.clicklogger.funnels=%%%')).toThrow(
    'spark.clicklogger.funnels is not base64url JSON',
  );
  const oneStep = encodeFunnels([{ name: 'a', steps: ['x'] }]);
  expect(() => funnelsFromSparkParameters(`--conf spark.clicklogger.funnels=${oneStep}`)).toThrow(
    'spark.clicklogger.funnels: a funnel has 2 to 10 steps',
  );
});

it('numbers the steps of each funnel from 1, for the funnel_steps table', () => {
  expect(funnelStepRows([...DEFAULT_FUNNELS, { name: 'b', steps: ['y', 'z'] }])).toEqual([
    [1, 1, 'login'],
    [1, 2, 'products'],
    [1, 3, 'checkout'],
    [1, 4, 'submitorder'],
    [2, 1, 'y'],
    [2, 2, 'z'],
  ]);
});
