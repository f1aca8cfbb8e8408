/** Logger and metrics, created once per execution environment (module scope). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();

// Every stage of an account shares the namespace: the stage dimension keeps their series apart.
const stage = process.env.CLICKLOGGER_STAGE;
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'clicklogger',
  ...(stage ? { defaultDimensions: { stage } } : {}),
});
