import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnElement, CfnOutput, RemovalPolicy, Stack, type StackProps, Stage } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { cdsClientsSha256 } from '../../functions/adapters/auth/deployed-cds-clients';
import { ACK_PARTITION_PREFIX } from '../../functions/adapters/dynamodb/audit-store';
import { tableNames } from '../../functions/adapters/dynamodb/tables';
import { SERVICES } from '../../functions/core/cds/services';
import { APP_SERVICE_ID } from '../../functions/http/app-api';
import { type StageConfig, stageNames } from '../config';
import { AppContent, suppressBucketDeploymentFindings } from '../constructs/app-content';
import type { DataTable } from '../constructs/data-table';
import { FrontDoor } from '../constructs/front-door';
import { ServiceAlarms } from '../constructs/service-alarms';
import { ServiceApi } from '../constructs/service-api';
import { type ConcernSpec, ServiceConcern } from '../constructs/service-concern';

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  data: { rules: DataTable; audit: DataTable; key: IKey; auditSecret: ISecret };
  webAclArn: string;
  /** Absolute path of the repository (handlers are found under functions/handlers). */
  projectRoot: string;
  /** The SMART app's build output; absent: bucket and distribution only, filled by a later deploy. */
  appBuildDir?: string;
  /** The SMART app's API handler; absent: no /api routes. */
  appApiEntry?: string;
}

/** Where the trusted-clients file sits in every bundle (the Lambda task root). */
export const BUNDLED_CDS_CLIENTS = '/var/task/cds-clients.json';
/** The SMART app's launch page and its redirect target (the app page), relative to the public URL. */
export const SMART_LAUNCH_PATH = '/app/launch.html';
export const SMART_REDIRECT_PATH = '/app/index.html';
/** How long a Lambda answer waits for its audit write, so it lands before the sandbox is frozen. */
export const AUDIT_WAIT_MS = 250;

/**
 * Everything that can be replaced by a redeploy: the functions (one per concern), the HTTP API, CloudFront
 * with the SMART app's bucket, the logs key, alarms. Data lives in the stateful stack.
 */
export class StatelessStack extends Stack {
  readonly api: ServiceApi;
  readonly frontDoor: FrontDoor;
  readonly alarms: ServiceAlarms;
  readonly concerns: Record<string, ServiceConcern> = {};
  readonly opsKey: Key;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.opsKey = new Key(this, 'OpsKey', {
      alias: `alias/tailor-${config.stage}-ops`,
      description: `Tailor ${config.stage}: log groups and the alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.opsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    this.opsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.alarms = new ServiceAlarms(this, 'Alarms', { config, key: this.opsKey });
    this.api = new ServiceApi(this, 'Api', { config, logKey: this.opsKey });
    this.alarms.watchApi(this.api.api);
    this.alarms.watchServiceMetrics(
      SERVICES.map((service) => service.id),
      APP_SERVICE_ID,
    );

    const apiPaths = [
      '/cds-services',
      '/cds-services/*',
      '/health',
      ...(props.appApiEntry ? ['/api/*'] : []),
    ];
    this.frontDoor = new FrontDoor(this, 'FrontDoor', {
      config,
      api: this.api.api,
      apiPaths,
      webAclArn: props.webAclArn,
    });
    const publicUrl = this.frontDoor.publicUrl;

    const names = stageNames(config);
    const clientsFile = this.writeCdsClientsFile(config);
    const sharedEnvironment = {
      TAILOR_TABLE_PREFIX: names.tablePrefix,
      TAILOR_AUDIT_SECRET_ARN: props.data.auditSecret.secretArn,
      TAILOR_CDS_CLIENTS: BUNDLED_CDS_CLIENTS,
      TAILOR_CDS_CLIENTS_SHA256: cdsClientsSha256(readFileSync(clientsFile)),
      TAILOR_PUBLIC_URL: publicUrl,
      TAILOR_SMART_LAUNCH_URL: `${publicUrl}${SMART_LAUNCH_PATH}`,
      TAILOR_RULESET_REFRESH_SECONDS: String(config.ruleSetRefreshSeconds),
      TAILOR_ACK_WINDOW_HOURS: String(config.ackWindowHours),
      TAILOR_AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
      TAILOR_AUDIT_WAIT_MS: String(AUDIT_WAIT_MS),
    };
    const bundleFiles = { 'cds-clients.json': clientsFile };
    const handler = (file: string) => join(props.projectRoot, 'functions', 'handlers', file);

    const specs: Record<string, ConcernSpec> = {
      CdsServices: {
        entry: handler('cds-services.ts'),
        description: 'CDS Hooks discovery and services',
        routes: [
          { method: HttpMethod.GET, path: '/cds-services' },
          { method: HttpMethod.OPTIONS, path: '/cds-services' },
          { method: HttpMethod.POST, path: '/cds-services/{id}' },
          { method: HttpMethod.OPTIONS, path: '/cds-services/{proxy+}' },
          { method: HttpMethod.GET, path: '/health' },
        ],
        rules: ['GetItem', 'Query'],
        // Audit records (BatchWriteItem), JWT replay claims (a conditional PutItem), order-select
        // acknowledgements at order-sign (one Query of the patient's ACK# partition, and no other).
        audit: ['BatchWriteItem', 'PutItem', { action: 'Query', leadingKeys: [`${ACK_PARTITION_PREFIX}*`] }],
      },
      CdsFeedback: {
        entry: handler('cds-feedback.ts'),
        description: 'CDS Hooks feedback',
        routes: [{ method: HttpMethod.POST, path: '/cds-services/{id}/feedback' }],
        // The card's rule (GetItem), feedback and JWT replay claims (conditional PutItems), acknowledgements
        // of dismissed order-select cards (PutItem).
        audit: ['GetItem', 'PutItem'],
      },
    };
    if (props.appApiEntry) {
      specs.AppApi = {
        entry: props.appApiEntry,
        description: "SMART app's API",
        routes: [{ method: HttpMethod.ANY, path: '/api/{proxy+}' }],
        rules: ['GetItem', 'Query'],
        // Audit records only: the id_token is checked without a replay claim.
        audit: ['BatchWriteItem'],
        environment: {
          TAILOR_SMART_CLIENT_ID: config.smart.clientId,
          TAILOR_SMART_ISSUERS: config.smart.issuers.join(','),
        },
      };
    }
    for (const [id, spec] of Object.entries(specs)) {
      this.concerns[id] = new ServiceConcern(this, id, {
        ...spec,
        config,
        api: this.api,
        alarms: this.alarms,
        data: props.data,
        logKey: this.opsKey,
        sharedEnvironment,
        bundleFiles,
      });
    }

    if (props.appBuildDir) {
      const content = new AppContent(this, 'AppContent', {
        config,
        buildDir: props.appBuildDir,
        bucket: this.frontDoor.appBucket,
        distribution: this.frontDoor.distribution,
        logKey: this.opsKey,
      });
      const singleton = this.node.children.find((child) =>
        child.node.id.startsWith('Custom::CDKBucketDeployment'),
      );
      suppressBucketDeploymentFindings(content, singleton, {
        appBucketLogicalId: this.getLogicalId(this.frontDoor.appBucket.node.defaultChild as CfnElement),
        assetsBucket: `cdk-hnb659fds-assets-${props.env && 'account' in props.env && props.env.account ? props.env.account : '<AWS::AccountId>'}-${this.region}`,
      });
    }

    const tables = tableNames(names.tablePrefix);
    new CfnOutput(this, 'PublicUrl', { value: publicUrl });
    new CfnOutput(this, 'DiscoveryUrl', {
      value: `${publicUrl}/cds-services`,
      description: 'Register this in the EHR',
    });
    new CfnOutput(this, 'SmartLaunchUrl', { value: `${publicUrl}${SMART_LAUNCH_PATH}` });
    new CfnOutput(this, 'SmartRedirectUrl', { value: `${publicUrl}${SMART_REDIRECT_PATH}` });
    new CfnOutput(this, 'RulesTable', { value: tables.rules });
    new CfnOutput(this, 'ApiEndpoint', {
      value: this.api.api.apiEndpoint,
      description: 'Direct API endpoint (behind CloudFront in use)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }

  /** The trusted clients, in the service's file format, written once into the cloud assembly and bundled. */
  private writeCdsClientsFile(config: StageConfig): string {
    const dir = join(Stage.of(this)?.outdir ?? '.', 'tailor-files');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${config.stage}-cds-clients.json`);
    writeFileSync(path, `${JSON.stringify({ clients: config.cdsClients }, null, 2)}\n`);
    return path;
  }
}
