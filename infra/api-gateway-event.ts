/**
 * An API Gateway HTTP API event (payload format 2.0), as a Lambda receives it: for the bundle smoke tests,
 * `npm run measure:lambda`, and the tests' Lambda door. Kept apart from the CDK code so tests can build one
 * without loading aws-cdk-lib.
 */
import { randomUUID } from 'node:crypto';

export interface HttpCall {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An API Gateway HTTP API event (payload format 2.0), as the Lambda receives it. */
export function apiGatewayEvent(call: HttpCall, host = 'tailor.test'): Record<string, unknown> {
  const body =
    call.body === undefined
      ? undefined
      : typeof call.body === 'string'
        ? call.body
        : JSON.stringify(call.body);
  return {
    version: '2.0',
    routeKey: `${call.method} ${call.path}`,
    rawPath: call.path,
    rawQueryString: '',
    headers: {
      host,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...call.headers,
    },
    body: body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '111111111111',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method: call.method,
        path: call.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'tailor-infra-test',
      },
      requestId: randomUUID(),
      routeKey: `${call.method} ${call.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}
