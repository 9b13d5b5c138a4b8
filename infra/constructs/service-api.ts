import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  type HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { suppress } from '../nag';

export interface Route {
  method: HttpMethod;
  /** API Gateway path syntax: /cds-services/{id}, /api/{proxy+}. */
  path: string;
}

export interface ServiceApiProps {
  config: StageConfig;
  logKey: IKey;
}

/**
 * The HTTP API (payload v2): explicit routes only, each to the function of its concern; a stage-wide
 * throttle; JSON access logs without paths' query strings, bodies or headers.
 */
export class ServiceApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    const { config } = props;
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `tailor-${config.stage}`,
      description: `Tailor ${config.stage}: CDS Hooks service and SMART app API`,
      createDefaultStage: false,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.api.throttleRatePerSecond, burstLimit: config.api.throttleBurst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  /** Routes these calls to the function. */
  route(id: string, fn: IFunction, routes: Route[]): void {
    const integration = new HttpLambdaIntegration(`${id}Integration`, fn);
    for (const { method, path } of routes) {
      const [route] = this.api.addRoutes({ path, methods: [method], integration });
      if (route) {
        suppress(route, [
          {
            id: 'AwsSolutions-APIG4',
            reason:
              'Authorised in the function: CDS Hooks JWTs are verified per trusted EHR (its own issuer, JWKS and jku allow-list, aud = the URL called, jti replay); an HTTP API JWT authorizer takes one issuer and a fixed audience. /health is public on purpose.',
          },
        ]);
      }
    }
  }
}
