/**
 * The event API Gateway's HTTP API hands the ingestion function (payload format 2.0), built from
 * a request `clicklogger serve` received, so that the function's own code reads it.
 */
import { randomUUID } from 'node:crypto';
import { COLLECTOR_ROUTE } from '../../core/collector';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names, as payload 2.0 gives them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly sourceIp: string;
  readonly receivedAt: Date;
}

export function httpApiEvent(request: ReceivedRequest) {
  const routeKey = `${request.method} ${request.path}` === COLLECTOR_ROUTE.key ? COLLECTOR_ROUTE.key : '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: '',
    headers: request.headers,
    requestContext: {
      apiId: 'local',
      domainName: request.headers.host ?? 'localhost',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      timeEpoch: request.receivedAt.getTime(),
    },
    body: request.body,
    isBase64Encoded: false,
  };
}
