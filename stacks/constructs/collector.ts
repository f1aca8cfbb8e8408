import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { COLLECTOR_CORS, COLLECTOR_ROUTE } from '../../core/collector';

export interface CollectorProps {
  readonly apiName: string;
  readonly ingest: LambdaFunction;
  /** Origins whose pages may send; `['*']` lets every origin. */
  readonly allowOrigins: readonly string[];
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetentionDays: number;
  /** Where the count of throttled requests (from the access log) is published. */
  readonly metricsNamespace: string;
}

/**
 * The public collector: an HTTP API (billed per request, nothing idle) whose one route,
 * `POST /clicks`, proxies to the ingestion function. CORS admits the listed origins only, the stage
 * throttles, and every request is in an access log without the client's address.
 */
export class Collector extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly url: string;
  /** Requests the stage answered 429, counted from the access log: HTTP APIs publish no such metric. */
  readonly throttledMetric: { readonly namespace: string; readonly name: string };

  constructor(scope: Construct, id: string, props: CollectorProps) {
    super(scope, id);
    this.api = new Apigatewayv2Api(this, 'api', {
      name: props.apiName,
      protocolType: 'HTTP',
      description: 'Public click collector: POST /clicks from web pages',
      corsConfiguration: {
        allowOrigins: [...props.allowOrigins],
        allowMethods: [...COLLECTOR_CORS.methods],
        allowHeaders: [...COLLECTOR_CORS.headers],
        maxAge: COLLECTOR_CORS.maxAgeSeconds,
      },
    });
    const integration = new Apigatewayv2Integration(this, 'ingest', {
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: props.ingest.arn,
      integrationMethod: 'POST',
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: 29_000,
    });
    new Apigatewayv2Route(this, 'route', {
      apiId: this.api.id,
      routeKey: COLLECTOR_ROUTE.key,
      target: `integrations/${integration.id}`,
      // Web pages cannot hold a secret: the origin check, the limits and the throttle guard it.
      authorizationType: 'NONE',
    });

    const accessLogs = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${props.apiName}`,
      retentionInDays: props.logRetentionDays,
    });
    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
      },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        // No client address here: ingestion decides what of it is kept.
        format: JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTimeEpoch',
          route: '$context.routeKey',
          status: '$context.status',
          bytes: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationStatus: '$context.integrationStatus',
          error: '$context.error.message',
        }),
      },
    });

    new LambdaPermission(this, 'invoke', {
      statementId: 'collector-invoke',
      action: 'lambda:InvokeFunction',
      functionName: props.ingest.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/*/${COLLECTOR_ROUTE.method}${COLLECTOR_ROUTE.path}`,
    });

    this.throttledMetric = { namespace: props.metricsNamespace, name: `${props.apiName}-throttled` };
    new CloudwatchLogMetricFilter(this, 'throttled', {
      name: `${props.apiName}-throttled`,
      logGroupName: accessLogs.name,
      pattern: '{ $.status = "429" }',
      metricTransformation: {
        namespace: this.throttledMetric.namespace,
        name: this.throttledMetric.name,
        value: '1',
        defaultValue: '0',
      },
    });
    this.url = `${this.api.apiEndpoint}${COLLECTOR_ROUTE.path}`;
  }
}
