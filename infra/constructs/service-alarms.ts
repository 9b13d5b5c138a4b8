import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';

export interface ServiceAlarmsProps {
  config: StageConfig;
  /** Encrypts the alarm topic. */
  key: IKey;
}

const MINUTE = Duration.minutes(1);

/**
 * Alarms that page the operators through one encrypted SNS topic: the API's 5xx answers and p99 latency;
 * each function's errors, p99 duration and throttles. Missing data (no traffic) is not an alarm.
 */
export class ServiceAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.config = props.config;
    this.topic = new Topic(this, 'Topic', {
      displayName: `Tailor ${props.config.stage} alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const email of props.config.alarms.emails) this.topic.addSubscription(new EmailSubscription(email));
  }

  watchApi(api: HttpApi): void {
    const { alarms } = this.config;
    this.add(
      'Api5xx',
      api.metricServerError({ period: MINUTE, statistic: 'Sum' }),
      alarms.api5xxPerMinute,
      'API answers 5xx',
      2,
    );
    this.add(
      'ApiLatencyP99',
      api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
      alarms.apiP99LatencyMs,
      'API p99 latency (ms) over 5 minutes',
      1,
    );
  }

  watchFunction(name: string, fn: IFunction): void {
    const { alarms } = this.config;
    this.add(
      `${name}Errors`,
      fn.metricErrors({ period: MINUTE, statistic: 'Sum' }),
      alarms.functionErrorsPerMinute,
      `${name}: invocation errors`,
      2,
    );
    this.add(
      `${name}DurationP99`,
      fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }),
      alarms.functionP99DurationMs,
      `${name}: p99 duration (ms) over 5 minutes`,
      1,
    );
    this.add(
      `${name}Throttles`,
      fn.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
      alarms.throttlesPerMinute,
      `${name}: throttled invocations`,
      1,
    );
  }

  /**
   * What the service reports itself (EMF metrics in the Tailor namespace): a genomic check that failed (the
   * EHR got a "check failed" card instead of advice: no active rule set, store unreachable) per CDS service,
   * a failed assessment in the app, and any audit record that could not be written.
   */
  watchServiceMetrics(cdsServiceIds: string[], appServiceId: string): void {
    const { alarms } = this.config;
    const metric = (metricName: string, dimensionsMap?: Record<string, string>) =>
      new Metric({
        namespace: 'Tailor',
        metricName,
        ...(dimensionsMap ? { dimensionsMap } : {}),
        period: MINUTE,
        statistic: 'Sum',
      });
    for (const id of cdsServiceIds) {
      this.add(
        `CheckFailed-${id}`,
        metric('CheckFailed', { service: id }),
        alarms.failedChecksPerMinute,
        `${id}: genomic checks failed`,
        1,
      );
    }
    this.add(
      'AppAssessmentFailed',
      metric('AppAssessmentFailed'),
      alarms.failedChecksPerMinute,
      'SMART app assessments failed',
      1,
    );
    for (const id of [...cdsServiceIds, appServiceId]) {
      // An audit record that was not written is a gap in the trail: one is enough to look.
      this.add(
        `AuditWriteFailed-${id}`,
        metric('AuditWriteFailed', { service: id }),
        1,
        `${id}: audit records not written`,
        1,
      );
    }
  }

  private add(
    id: string,
    metric: IMetric,
    threshold: number,
    description: string,
    evaluationPeriods: number,
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: `Tailor ${this.config.stage}: ${description}`,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
