import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import type { DataTable } from './data-table';
import type { ServiceAlarms } from './service-alarms';
import type { Route, ServiceApi } from './service-api';
import { type TableGrant, TailorFunction } from './tailor-function';

/** One concern of the service: its handler, its routes and exactly the table calls it makes. */
export interface ConcernSpec {
  /** Absolute path of the handler module. */
  entry: string;
  description: string;
  routes: Route[];
  rules?: TableGrant[];
  audit?: TableGrant[];
  environment?: Record<string, string>;
}

export interface ServiceConcernProps extends ConcernSpec {
  config: StageConfig;
  api: ServiceApi;
  alarms: ServiceAlarms;
  data: { rules: DataTable; audit: DataTable; key: IKey; auditSecret: ISecret };
  logKey: IKey;
  /** Environment every Tailor function gets (tables, secret, clients, URLs). */
  sharedEnvironment: Record<string, string>;
  bundleFiles: Record<string, string>;
}

/** A Lambda behind its API routes, with its grants and alarms: adding a concern is one of these. */
export class ServiceConcern extends Construct {
  readonly function: TailorFunction;

  constructor(scope: Construct, id: string, props: ServiceConcernProps) {
    super(scope, id);
    const { data } = props;
    this.function = new TailorFunction(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      config: props.config,
      logKey: props.logKey,
      environment: { ...props.sharedEnvironment, ...props.environment },
      bundleFiles: props.bundleFiles,
    });
    if (props.rules) this.function.allowTable(data.rules, props.rules, data.key);
    if (props.audit) this.function.allowTable(data.audit, props.audit, data.key);
    this.function.allowSecret(data.auditSecret, data.key);
    props.api.route(id, this.function.fn, props.routes);
    props.alarms.watchFunction(id, this.function.fn);
  }
}
