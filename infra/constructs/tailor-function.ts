import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { suppress } from '../nag';
import type { DataTable } from './data-table';

/** The DynamoDB calls Tailor's code makes; a function is granted exactly the ones its concern needs. */
export type TableAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'BatchWriteItem';
const READS: readonly TableAction[] = ['GetItem', 'Query'];

/**
 * A table call, on the whole table or only on items whose partition key matches one of `leadingKeys`
 * (IAM patterns such as "ACK#*": DynamoDB checks the key each call names).
 */
export type TableGrant = TableAction | { action: TableAction; leadingKeys: string[] };

/** ESM needs `require` for the CommonJS packages esbuild bundles (json-rules-engine, ajv). */
const LAMBDA_STUBS = fileURLToPath(new URL('../lambda-stubs', import.meta.url));

export const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface TailorFunctionProps {
  /** Absolute path of the handler module. */
  entry: string;
  description: string;
  config: StageConfig;
  /** Encrypts the function's log group. */
  logKey: IKey;
  environment: Record<string, string>;
  /** Files written into the bundle beside index.mjs (name → absolute source path). */
  bundleFiles?: Record<string, string>;
}

/**
 * A Tailor Lambda with the house defaults: Node 22 on arm64, one minified ESM bundle with source maps built
 * by the local esbuild (no Docker), the AWS SDK left to the runtime, its own encrypted log group with the
 * stage's retention, and a role that starts empty: every permission is added by name (`allowTable`,
 * `allowSecret`), nothing by wildcard or managed policy.
 */
export class TailorFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  /** The function's only policy: customer-managed, attached to its role alone. */
  readonly policy: ManagedPolicy;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TailorFunctionProps) {
    super(scope, id);
    const { config } = props;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Tailor ${config.stage}: ${props.description}`,
    });
    this.policy = new ManagedPolicy(this, 'Policy', {
      description: `Tailor ${config.stage}: what ${props.description} may do`,
      roles: [this.role],
    });
    // Only its own log group; the group exists, so no logs:CreateLogGroup.
    this.policy.addStatements(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const files = Object.entries(props.bundleFiles ?? {});
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: config.lambda.memoryMb,
      timeout: Duration.seconds(config.lambda.timeoutSeconds),
      ...(config.lambda.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: config.lambda.reservedConcurrency }
        : {}),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'tailor',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: 'Tailor',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        banner: REQUIRE_BANNER,
        externalModules: ['@aws-sdk/*'],
        // Code the handlers never run, left out of the bundles: see the stubs for why each is safe.
        esbuildArgs: {
          '--alias': [
            `ajv/dist/2020=${LAMBDA_STUBS}/no-ajv-compiler.ts`,
            `ajv-formats/dist/index=${LAMBDA_STUBS}/no-ajv-compiler.ts`,
            `jsonpath-plus=${LAMBDA_STUBS}/no-jsonpath.ts`,
          ],
        },
        forceDockerBundling: false,
        logLevel: LogLevel.ERROR,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) =>
            files.map(([name, source]) => `cp "${source}" "${output}/${name}"`),
        },
      },
    });
    // The role has its permissions before the function can run.
    this.fn.node.addDependency(this.policy);
    suppress(this.fn, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime Tailor is built and tested for (DESIGN.md section 3); moving to a newer runtime is a deliberate, tested change.',
      },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway only: a failed call is answered to the caller, nothing is queued.',
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          'Reaches only IAM-authenticated AWS endpoints (DynamoDB, Secrets Manager) and the EHR FHIR servers on the internet; a VPC would add NAT without protecting any private resource.',
      },
      ...(config.lambda.reservedConcurrency === undefined
        ? [
            {
              id: 'HIPAA.Security-LambdaConcurrency',
              reason: `Stage ${config.stage} sets no reserved concurrency (lambda.reservedConcurrency): in an account on the default concurrency quota reserving fails; WAF and the API throttle bound the load.`,
            },
          ]
        : []),
    ]);
  }

  /** Exactly these calls on the table (and its indexes), and the key operations they need, through DynamoDB only. */
  allowTable(table: DataTable, grants: TableGrant[], key: IKey): void {
    const anywhere = grants.filter((grant): grant is TableAction => typeof grant === 'string');
    if (anywhere.length > 0) {
      this.policy.addStatements(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: anywhere.map((action) => `dynamodb:${action}`),
          resources: table.resourceArns(),
        }),
      );
    }
    for (const grant of grants) {
      if (typeof grant === 'string') continue;
      this.policy.addStatements(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [`dynamodb:${grant.action}`],
          resources: table.resourceArns(),
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.leadingKeys } },
        }),
      );
    }
    const actions = grants.map((grant) => (typeof grant === 'string' ? grant : grant.action));
    const writes = actions.some((action) => !READS.includes(action));
    this.allowKey(
      key,
      writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      'dynamodb',
    );
  }

  /** Reads the secret's value at cold start. */
  allowSecret(secret: ISecret, key: IKey): void {
    this.policy.addStatements(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    this.allowKey(key, ['kms:Decrypt'], 'secretsmanager');
  }

  private allowKey(key: IKey, actions: string[], service: string): void {
    this.policy.addStatements(
      new PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
