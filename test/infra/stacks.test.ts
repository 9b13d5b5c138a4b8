import { createHash } from 'node:crypto';
/**
 * The synthesized stacks, built in this process exactly as `cdk synth` builds them (cdk.json's context),
 * asserted by behaviour: what is encrypted, retained and logged, who may do what, which route reaches which
 * function, which headers the browser gets. Then cdk-nag's AWS Solutions and HIPAA Security packs.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type IPolicyValidationPluginBeta1, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AUDIT_TABLE, RULES_TABLE } from '../../functions/adapters/dynamodb/tables';
import { validateStageConfig } from '../../infra/config';
import { nagPacks } from '../../infra/nag';
import { dev } from '../../infra/stages/dev';
import { synthesizeStage, type TailorStacks } from '../../infra/tailor-app';
import { type Resource, Templates } from './templates';

const ACCOUNT = '111111111111';
const devConfig = validateStageConfig({ ...dev, env: { account: ACCOUNT, region: 'eu-north-1' } });
const CERTIFICATE = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0c6d2b4e-1111-2222-3333-444455556666`;
/** The other branches: a custom domain, reserved concurrency, alarm mail, the SMART app built, the app API. */
const fullConfig = validateStageConfig({
  ...dev,
  stage: 'full',
  env: { account: ACCOUNT, region: 'eu-west-1' },
  domain: { names: ['tailor.hospital.example'], certificateArn: CERTIFICATE },
  lambda: { ...dev.lambda, reservedConcurrency: 20 },
  alarms: { ...dev.alarms, emails: ['oncall@hospital.example'] },
});

let devApp: { app: App; stacks: TailorStacks; outdir: string };
let fullApp: { app: App; stacks: TailorStacks; outdir: string };
let t: Templates;
let full: Templates;
let appBuild: string;

/** A stand-in for smart-app/dist (the real build is another package's output). */
function fakeAppBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-app-build-'));
  for (const page of ['index.html', 'launch.html'])
    writeFileSync(join(dir, page), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'config.json'), '{ "clientId": "local-default" }');
  mkdirSync(join(dir, 'chunks'));
  return dir;
}

beforeAll(() => {
  devApp = synthesizeStage(devConfig, { nag: false, appBuildDir: null });
  appBuild = fakeAppBuild();
  fullApp = synthesizeStage(fullConfig, {
    nag: false,
    appBuildDir: appBuild,
    cloudFormationValidation: false,
  });
  const { stateful, edge, stateless } = devApp.stacks;
  t = new Templates([stateful, edge, stateless]);
  full = new Templates([fullApp.stacks.stateful, fullApp.stacks.edge, fullApp.stacks.stateless]);
}, 120_000);

afterAll(() => {
  for (const dir of [devApp?.outdir, fullApp?.outdir, appBuild])
    if (dir) rmSync(dir, { recursive: true, force: true });
});

const STATEFUL = 'Tailor-dev-Stateful';
const EDGE = 'Tailor-dev-Edge';
const STATELESS = 'Tailor-dev-Stateless';

describe('stateful stack: data that outlives deployments', () => {
  test('one customer-managed key with rotation, retained', () => {
    const keys = t.resources(STATEFUL, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    expect(keys[0]![1]).toMatchObject({ Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test.each([
    ['rules', RULES_TABLE],
    ['audit', AUDIT_TABLE],
  ])(
    'the %s table: on demand, KMS with the stage key, PITR, deletion protection, retained, keys from the shared definition',
    (suffix, definition) => {
      const [keyId] = t.resources(STATEFUL, 'AWS::KMS::Key')[0]!;
      Template.fromStack(devApp.stacks.stateful).hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: `tailor-dev-${suffix}`,
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: {
            SSEEnabled: true,
            SSEType: 'KMS',
            KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
          },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          KeySchema: [
            { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
          ],
          TimeToLiveSpecification: definition.timeToLiveAttribute
            ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
            : Match.absent(),
        }),
      });
    },
  );

  test('audit items expire by expiresAt; rule sets never expire', () => {
    const tables = Object.fromEntries(
      t
        .resources(STATEFUL, 'AWS::DynamoDB::Table')
        .map(([, r]) => [r.Properties.TableName, r.Properties.TimeToLiveSpecification]),
    );
    expect(tables['tailor-dev-audit']).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(tables['tailor-dev-rules']).toBeUndefined();
  });

  test('the HMAC secret is generated by Secrets Manager, encrypted with the stage key, never in the template', () => {
    const secrets = t.resources(STATEFUL, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const [, secret] = secrets[0]!;
    expect(secret.Properties).toMatchObject({
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [t.resources(STATEFUL, 'AWS::KMS::Key')[0]![0], 'Arn'] },
    });
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.DeletionPolicy).toBe('Retain');
    // Nothing anywhere carries a value for it: functions get the ARN only.
    for (const [, fn] of t.resources(STATELESS, 'AWS::Lambda::Function')) {
      const variables =
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect(variables.TAILOR_AUDIT_SECRET).toBeUndefined();
    }
  });

  test('both tables are in a daily backup plan whose vault uses the stage key', () => {
    const [, selection] = t.resources(STATEFUL, 'AWS::Backup::BackupSelection')[0]!;
    const resources = (
      (selection.Properties.BackupSelection as { Resources: unknown[] }).Resources ?? []
    ).map((r) => t.target(STATEFUL, r));
    const tableIds = t.resources(STATEFUL, 'AWS::DynamoDB::Table').map(([id]) => `${STATEFUL}:${id}`);
    expect(resources.sort()).toEqual(tableIds.sort());
    expect(
      t.resources(STATEFUL, 'AWS::Backup::BackupVault')[0]![1].Properties.EncryptionKeyArn,
    ).toBeDefined();
  });

  test('the table names are outputs, for the rules CLI', () => {
    const outputs = t.template(STATEFUL).Outputs as Record<string, { Value: unknown; Description?: string }>;
    expect(t.target(STATEFUL, outputs.RulesTableName?.Value)).toMatch(/^Tailor-dev-Stateful:RulesTable/);
    expect(outputs.RulesTableName?.Description).toMatch(/tailor rules publish --table/);
    expect(t.target(STATEFUL, outputs.AuditTableName?.Value)).toMatch(/^Tailor-dev-Stateful:AuditTable/);
  });
});

test('the rules operator policy: exactly the calls of the tailor rules CLI, on the two tables and the key', () => {
  const [, policy] = t
    .resources(STATEFUL, 'AWS::IAM::ManagedPolicy')
    .find(([id]) => id.startsWith('RulesOperatorPolicy'))!;
  expect(policy.Properties.ManagedPolicyName).toBe('tailor-dev-rules-operator');
  const statements = (
    policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
  ).Statement.map((st) => [
    ([] as unknown[]).concat(st.Action).sort(),
    t.target(STATEFUL, st.Resource).replace(/[0-9A-F]{8}$/, ''),
  ]);
  expect(statements).toEqual([
    [
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      'Tailor-dev-Stateful:RulesTable',
    ],
    [['dynamodb:Scan'], 'Tailor-dev-Stateful:AuditTable'],
    [['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], 'Tailor-dev-Stateful:DataKey'],
  ]);
});

describe('edge stack: WAF for CloudFront', () => {
  test('lives in us-east-1, CloudFront scope, a per-IP rate rule from the stage config that blocks', () => {
    expect(devApp.stacks.edge.region).toBe('us-east-1');
    Template.fromStack(devApp.stacks.edge).hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              AggregateKeyType: 'IP',
              Limit: devConfig.waf.requestsPerWindow,
              EvaluationWindowSec: devConfig.waf.windowSeconds,
            },
          },
        }),
      ]),
    });
  });

  test('WAF logs to an encrypted group with retention; the bearer token and query strings are redacted', () => {
    Template.fromStack(devApp.stacks.edge).hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { QueryString: {} }],
    });
    Template.fromStack(devApp.stacks.edge).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-tailor-dev',
      RetentionInDays: devConfig.logRetentionDays,
      KmsKeyId: Match.anyValue(),
    });
  });

  test('the distribution uses this ACL (a cross-region reference to us-east-1)', () => {
    const [, distribution] = t.resources(STATELESS, 'AWS::CloudFront::Distribution')[0]!;
    const acl = (
      distribution.Properties.DistributionConfig as {
        WebACLId: { 'Fn::GetStackOutput': Record<string, string> };
      }
    ).WebACLId;
    expect(acl['Fn::GetStackOutput']).toMatchObject({ StackName: EDGE, Region: 'us-east-1' });
    expect(t.target(STATELESS, acl)).toMatch(/^Tailor-dev-Edge:WebAcl/);
  });
});

describe('stateless stack: functions', () => {
  const functions = () => t.resources(STATELESS, 'AWS::Lambda::Function');
  const fnId = (concern: string) => t.id(STATELESS, 'AWS::Lambda::Function', `${concern}Handler`);

  test('one function per concern, each Node 22 on arm64 with its own log group', () => {
    expect(
      functions()
        .map(([id]) => id.replace(/Handler.*/, ''))
        .sort(),
    ).toEqual(['AppApi', 'CdsFeedback', 'CdsServices']);
    for (const [, fn] of functions()) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: devConfig.lambda.memoryMb,
        Timeout: devConfig.lambda.timeoutSeconds,
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/HandlerLogs/) } },
      });
    }
  });

  test('configuration by environment: tables, secret ARN, bundled clients file, public URL, Powertools', () => {
    for (const [, fn] of functions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        TAILOR_TABLE_PREFIX: 'tailor-dev',
        TAILOR_CDS_CLIENTS: '/var/task/cds-clients.json',
        TAILOR_AUDIT_RETENTION_DAYS: String(devConfig.auditRetentionDays),
        TAILOR_RULESET_REFRESH_SECONDS: String(devConfig.ruleSetRefreshSeconds),
        TAILOR_ACK_WINDOW_HOURS: String(devConfig.ackWindowHours),
        POWERTOOLS_SERVICE_NAME: 'tailor',
        POWERTOOLS_LOG_LEVEL: devConfig.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(t.target(STATELESS, variables.TAILOR_AUDIT_SECRET_ARN)).toMatch(
        /^Tailor-dev-Stateful:AuditSecret/,
      );
      // The public URL is CloudFront's: the JWT audience the EHR signs for.
      expect(JSON.stringify(variables.TAILOR_PUBLIC_URL)).toContain('FrontDoorDistribution');
    }
  });

  test('the trusted clients are bundled with each function, exactly as configured', () => {
    const outdir = join(devApp.app.outdir);
    const file = readFileSync(join(outdir, 'tailor-files', 'dev-cds-clients.json'), 'utf8');
    expect(JSON.parse(file)).toEqual({ clients: devConfig.cdsClients });
    // Each function gets the file's checksum: at cold start it reads the file trusted only if the bytes match.
    const sha256 = createHash('sha256').update(file).digest('hex');
    for (const [, fn] of functions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.TAILOR_CDS_CLIENTS_SHA256).toBe(sha256);
    }
  });

  test('least privilege: the CDS function reads rules, writes audit items, queries acknowledgements, reads the secret; nothing else', () => {
    const id = fnId('CdsServices');
    const permissions = t.permissions(STATELESS, id);
    expect(permissions).toEqual(
      [
        'dynamodb:BatchWriteItem on AUDIT',
        'dynamodb:GetItem on RULES',
        'dynamodb:PutItem on AUDIT',
        'dynamodb:Query on AUDIT only ACK#*',
        'dynamodb:Query on RULES',
        'kms:Decrypt on KEY via dynamodb',
        'kms:Decrypt on KEY via secretsmanager',
        'kms:Encrypt on KEY via dynamodb',
        'kms:GenerateDataKey on KEY via dynamodb',
        'logs:CreateLogStream on LOGS',
        'logs:PutLogEvents on LOGS',
        'secretsmanager:GetSecretValue on SECRET',
      ].map((line) => expect.stringMatching(placeholders(line, id))),
    );
  });

  test('least privilege: the feedback function never touches the rules table', () => {
    const id = fnId('CdsFeedback');
    expect(t.permissions(STATELESS, id)).toEqual(
      [
        'dynamodb:GetItem on AUDIT',
        'dynamodb:PutItem on AUDIT',
        'kms:Decrypt on KEY via dynamodb',
        'kms:Decrypt on KEY via secretsmanager',
        'kms:Encrypt on KEY via dynamodb',
        'kms:GenerateDataKey on KEY via dynamodb',
        'logs:CreateLogStream on LOGS',
        'logs:PutLogEvents on LOGS',
        'secretsmanager:GetSecretValue on SECRET',
      ].map((line) => expect.stringMatching(placeholders(line, id))),
    );
  });

  test('no wildcard action or resource in any policy of the service, no AWS managed policy, no inline policy', () => {
    const roles = t.resources(STATELESS, 'AWS::IAM::Role');
    for (const [, role] of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    expect(t.resources(STATELESS, 'AWS::IAM::Policy')).toEqual([]);
    for (const [, policy] of t.resources(STATELESS, 'AWS::IAM::ManagedPolicy')) {
      const text = JSON.stringify((policy.Properties.PolicyDocument as { Statement: unknown }).Statement);
      expect(text).not.toMatch(/"(Action|Resource)":"[^"]*\*[^"]*"/);
      expect(text).not.toMatch(/"[a-z0-9]+:[A-Za-z]*\*"/);
    }
  });
});

/** "on RULES" etc. as a pattern over the resolved permission line. */
function placeholders(line: string, functionId: string, stage = 'dev'): RegExp {
  const concern = functionId.replace(/Handler.*/, '');
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^${escaped
      .replace('RULES', `Tailor-${stage}-Stateful:RulesTable\\w+`)
      .replace('AUDIT', `Tailor-${stage}-Stateful:AuditTable\\w+`)
      .replace('KEY', `Tailor-${stage}-Stateful:DataKey\\w+`)
      .replace('SECRET', `Tailor-${stage}-Stateful:AuditSecret\\w+`)
      .replace('LOGS', `Tailor-${stage}-Stateless:${concern}HandlerLogs\\w+`)}$`,
  );
}

describe('stateless stack: the HTTP API', () => {
  test('explicit routes only, each to the function of its concern', () => {
    const routes = Object.fromEntries(
      t.resources(STATELESS, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
        const target = JSON.stringify(route.Properties.Target).match(/"Ref":"(\w+)"/)?.[1] ?? '';
        const integration = (t.template(STATELESS).Resources as Record<string, Resource>)[target];
        const fn = t.target(STATELESS, integration?.Properties.IntegrationUri).split(':')[1]!;
        return [route.Properties.RouteKey, fn.replace(/Handler.*/, '')];
      }),
    );
    expect(routes).toEqual({
      'GET /cds-services': 'CdsServices',
      'OPTIONS /cds-services': 'CdsServices',
      'POST /cds-services/{id}': 'CdsServices',
      'OPTIONS /cds-services/{proxy+}': 'CdsServices',
      'GET /health': 'CdsServices',
      'POST /cds-services/{id}/feedback': 'CdsFeedback',
      'ANY /api/{proxy+}': 'AppApi',
    });
  });

  test('payload v2 Lambda proxy integrations', () => {
    for (const [, integration] of t.resources(STATELESS, 'AWS::ApiGatewayV2::Integration')) {
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    }
  });

  test('the stage throttles from config and writes JSON access logs with the request id, no bodies', () => {
    const [, stage] = t.resources(STATELESS, 'AWS::ApiGatewayV2::Stage')[0]!;
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: devConfig.api.throttleRatePerSecond,
        ThrottlingBurstLimit: devConfig.api.throttleBurst,
      },
    });
    const logs = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(t.target(STATELESS, logs.DestinationArn)).toMatch(/ApiAccessLogs/);
    const format = JSON.parse(logs.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    expect(Object.values(format).join(' ')).not.toMatch(/body|authorizer|header/i);
  });
});

describe('stateless stack: CloudFront, the SMART app and security headers', () => {
  const distribution = () =>
    t.resources(STATELESS, 'AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig as Record<
      string,
      unknown
    >;
  const policy = (prefix: string) =>
    (t.template(STATELESS).Resources as Record<string, Resource>)[
      t.id(STATELESS, 'AWS::CloudFront::ResponseHeadersPolicy', prefix)
    ]!.Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };

  test("the SMART app's CSP names exactly the configured EHR origins as frame-ancestors", () => {
    const { ContentSecurityPolicy } = policy('FrontDoorAppHeaders').SecurityHeadersConfig;
    const csp = String(ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).toContain(`frame-ancestors ${devConfig.ehrOrigins.join(' ')};`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${new URL(devConfig.smart.issuers[0]!).origin}`);
    expect(ContentSecurityPolicy?.Override).toBe(true);
    // X-Frame-Options cannot name several EHRs: it must not be set on the app.
    expect(policy('FrontDoorAppHeaders').SecurityHeadersConfig.FrameOptions).toBeUndefined();
  });

  test.each(['FrontDoorAppHeaders', 'FrontDoorApiHeaders'])(
    '%s: HSTS for two years with subdomains, nosniff',
    (name) => {
      const headers = policy(name).SecurityHeadersConfig;
      expect(headers.StrictTransportSecurity).toEqual({
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Override: true,
      });
      expect(headers.ContentTypeOptions).toEqual({ Override: true });
    },
  );

  test("the API's answers may not be framed or run anything", () => {
    const headers = policy('FrontDoorApiHeaders').SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy?.ContentSecurityPolicy).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  });

  test('API paths go to the HTTP API uncached over TLS 1.2 with the caller headers; everything else to the app bucket', () => {
    const config = distribution();
    const behaviors = config.CacheBehaviors as Record<string, unknown>[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual([
      '/cds-services',
      '/cds-services/*',
      '/health',
      '/api/*',
    ]);
    const apiHeaders = t.id(STATELESS, 'AWS::CloudFront::ResponseHeadersPolicy', 'FrontDoorApiHeaders');
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['POST', 'OPTIONS']),
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
        ResponseHeadersPolicyId: { Ref: apiHeaders },
      });
    }
    const origins = config.Origins as Record<string, Record<string, unknown>>[];
    const api = origins.find((o) => o.CustomOriginConfig);
    expect(api?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    const s3 = origins.find((o) => o.S3OriginConfig);
    expect(s3?.OriginAccessControlId).toBeDefined();
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: {
        Ref: t.id(STATELESS, 'AWS::CloudFront::ResponseHeadersPolicy', 'FrontDoorAppHeaders'),
      },
    });
  });

  test('the app bucket is private, SSL-only, encrypted, versioned, access-logged; reachable by this distribution only', () => {
    const bucketId = t.id(STATELESS, 'AWS::S3::Bucket', 'FrontDoorAppBucket');
    const bucket = (t.template(STATELESS).Resources as Record<string, Resource>)[bucketId]!;
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 's3/app/' },
    });
    const policyText = JSON.stringify(
      t
        .resources(STATELESS, 'AWS::S3::BucketPolicy')
        .find(([, p]) => JSON.stringify(p.Properties.Bucket).includes(bucketId))?.[1],
    );
    expect(policyText).toContain('"aws:SecureTransport":"false"');
    expect(policyText).toContain('cloudfront.amazonaws.com');
    expect(policyText).toMatch(
      /"AWS:SourceArn":\{"Fn::Join":.*:distribution\/",\{"Ref":"FrontDoorDistribution\w+"\}/,
    );
  });

  test('CloudFront access logs go to the logs bucket, without cookies', () => {
    expect(distribution().Logging).toMatchObject({ IncludeCookies: false, Prefix: 'cloudfront/' });
  });

  test('without the SMART app built there is nothing to upload, but the bucket and distribution exist', () => {
    expect(t.resources(STATELESS, 'Custom::CDKBucketDeployment')).toEqual([]);
  });
});

describe('stateless stack: alarms and logs', () => {
  const alarms = () => t.resources(STATELESS, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});

  test('API: 5xx count and p99 latency, thresholds from config', () => {
    expect(alarms()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          MetricName: '5xx',
          Statistic: 'Sum',
          Threshold: devConfig.alarms.api5xxPerMinute,
        }),
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          MetricName: 'Latency',
          ExtendedStatistic: 'p99',
          Threshold: devConfig.alarms.apiP99LatencyMs,
        }),
      ]),
    );
  });

  test.each(['CdsServices', 'CdsFeedback', 'AppApi'])('%s: errors, p99 duration and throttles', (concern) => {
    const fnId = t.id(STATELESS, 'AWS::Lambda::Function', `${concern}Handler`);
    const mine = alarms().filter((a) => JSON.stringify(a.Dimensions ?? []).includes(fnId));
    expect(mine.map((a) => [a.MetricName, a.Statistic ?? a.ExtendedStatistic, a.Threshold]).sort()).toEqual(
      [
        ['Duration', 'p99', devConfig.alarms.functionP99DurationMs],
        ['Errors', 'Sum', devConfig.alarms.functionErrorsPerMinute],
        ['Throttles', 'Sum', devConfig.alarms.throttlesPerMinute],
      ].sort(),
    );
  });

  test("the service's own failures: failed genomic checks per CDS service and in the app, any audit record not written", () => {
    const own = alarms()
      .filter((a) => a.Namespace === 'Tailor')
      .map((a) => `${a.MetricName} ${JSON.stringify(a.Dimensions ?? [])} >= ${a.Threshold}`)
      .sort();
    const dims = (service: string) => JSON.stringify([{ Name: 'service', Value: service }]);
    const failed = devConfig.alarms.failedChecksPerMinute;
    expect(own).toEqual(
      [
        ...['tailor-order-select', 'tailor-order-sign', 'tailor-patient-view'].flatMap((id) => [
          `CheckFailed ${dims(id)} >= ${failed}`,
          `AuditWriteFailed ${dims(id)} >= 1`,
        ]),
        `AuditWriteFailed ${dims('tailor-smart-app')} >= 1`,
        `AppAssessmentFailed [] >= ${failed}`,
      ].sort(),
    );
  });

  test('every alarm notifies the encrypted alarm topic, which only takes TLS', () => {
    const topicId = t.id(STATELESS, 'AWS::SNS::Topic', 'AlarmsTopic');
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    const topic = (t.template(STATELESS).Resources as Record<string, Resource>)[topicId]!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(JSON.stringify(t.resources(STATELESS, 'AWS::SNS::TopicPolicy'))).toContain(
      '"aws:SecureTransport":"false"',
    );
  });

  test('every log group in every stack has the stage retention and a KMS key; every function logs to its own', () => {
    const groups = [STATEFUL, EDGE, STATELESS].flatMap((name) => t.resources(name, 'AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (const [, group] of groups) {
      expect(group.Properties).toMatchObject({
        RetentionInDays: devConfig.logRetentionDays,
        KmsKeyId: expect.anything(),
      });
    }
    for (const [, fn] of t.resources(STATELESS, 'AWS::Lambda::Function'))
      expect(fn.Properties.LoggingConfig).toBeDefined();
  });
});

describe('the other branches: custom domain, reserved concurrency, alarm mail, SMART app built, app API', () => {
  const FULL = 'Tailor-full-Stateless';

  test('the app API is one more concern: its route, its function with the SMART settings, its CloudFront path', () => {
    const routes = full.resources(FULL, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes).toContain('ANY /api/{proxy+}');
    const appApi = full.id(FULL, 'AWS::Lambda::Function', 'AppApiHandler');
    const fn = (full.template(FULL).Resources as Record<string, Resource>)[appApi]!;
    expect((fn.Properties.Environment as { Variables: Record<string, string> }).Variables).toMatchObject({
      TAILOR_SMART_CLIENT_ID: fullConfig.smart.clientId,
      TAILOR_SMART_ISSUERS: fullConfig.smart.issuers.join(','),
    });
    const config = full.resources(FULL, 'AWS::CloudFront::Distribution')[0]![1].Properties
      ?.DistributionConfig as {
      CacheBehaviors: { PathPattern: string }[];
    };
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toContain('/api/*');
  });

  test('least privilege: the app API reads rules and writes audit records (BatchWriteItem), no replay claims so no PutItem', () => {
    const id = t.id(STATELESS, 'AWS::Lambda::Function', 'AppApiHandler');
    expect(t.permissions(STATELESS, id)).toEqual(
      [
        'dynamodb:BatchWriteItem on AUDIT',
        'dynamodb:GetItem on RULES',
        'dynamodb:Query on RULES',
        'kms:Decrypt on KEY via dynamodb',
        'kms:Decrypt on KEY via secretsmanager',
        'kms:Encrypt on KEY via dynamodb',
        'kms:GenerateDataKey on KEY via dynamodb',
        'logs:CreateLogStream on LOGS',
        'logs:PutLogEvents on LOGS',
        'secretsmanager:GetSecretValue on SECRET',
      ].map((line) => expect.stringMatching(placeholders(line, id))),
    );
  });

  test('the SMART app is uploaded under app/ with the stage config.json replacing the build default, and CloudFront is invalidated', () => {
    Template.fromStack(fullApp.stacks.stateless).hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'app/',
      DistributionPaths: ['/app/*'],
      Prune: true,
    });
    const assets = readdirSync(fullApp.app.outdir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name.startsWith('asset.'))
      .map((entry) => entry.name);
    const configs = assets.flatMap((asset) => {
      try {
        return [JSON.parse(readFileSync(join(fullApp.app.outdir, asset, 'config.json'), 'utf8')) as unknown];
      } catch {
        return [];
      }
    });
    expect(configs).toEqual([{ clientId: fullConfig.smart.clientId }]);
    const build = assets.find((asset) =>
      readdirSync(join(fullApp.app.outdir, asset)).includes('launch.html'),
    );
    expect(build).toBeDefined();
  });

  test('a custom domain gets its certificate and TLS 1.2 (2021) as the minimum', () => {
    const config = full.resources(FULL, 'AWS::CloudFront::Distribution')[0]![1].Properties
      ?.DistributionConfig as Record<string, unknown>;
    expect(config.Aliases).toEqual(['tailor.hospital.example']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
  });

  test('reserved concurrency and alarm subscriptions from config', () => {
    for (const [, fn] of full
      .resources(FULL, 'AWS::Lambda::Function')
      .filter(([id]) => id.includes('Handler'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(20);
    }
    Template.fromStack(fullApp.stacks.stateless).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@hospital.example',
    });
  });
});

describe('cdk-nag: AWS Solutions and HIPAA Security', () => {
  const check = (app: App) => {
    const findings = nagPacks(app).flatMap((pack) =>
      (
        pack as unknown as IPolicyValidationPluginBeta1 & {
          validateScope(scope: IConstruct): {
            violations: { ruleName: string; violatingResources: { constructPath?: string }[] }[];
          };
        }
      )
        .validateScope(app)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    return findings;
  };

  test('the dev stage: zero unacknowledged findings', () => {
    expect(check(devApp.app)).toEqual([]);
  });

  test('the other branches (custom domain, app upload, app API): zero unacknowledged findings', () => {
    expect(check(fullApp.app)).toEqual([]);
  });

  test('every acknowledgment sits on a resource (never a stack or the app) and gives a reason', () => {
    const acknowledgments: { path: string; id: string; reason: string }[] = [];
    const walk = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledgments.push({ path: node.node.path, id, reason });
        }
      }
      for (const child of node.node.children) walk(child);
    };
    walk(fullApp.app);
    walk(devApp.app);
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const { path, reason } of acknowledgments) {
      const node =
        fullApp.app.node.tryFindChild(path.split('/')[0]!) ??
        devApp.app.node.tryFindChild(path.split('/')[0]!);
      expect(path.split('/').length, `${path} is a stack or the app`).toBeGreaterThan(1);
      expect(Stack.isStack(node) && path === node?.node.path).toBe(false);
      expect(reason.length, path).toBeGreaterThan(30);
    }
  });
});

describe('the nag check is not vacuous', () => {
  test('an unprotected bucket in a stack is reported', async () => {
    const { App: CdkApp, Stack: CdkStack } = await import('aws-cdk-lib');
    const { Bucket } = await import('aws-cdk-lib/aws-s3');
    const app = new CdkApp();
    new Bucket(new CdkStack(app, 'Probe'), 'Unsafe');
    const findings = nagPacks(app).flatMap(
      (pack) =>
        (
          pack as unknown as { validateScope(scope: IConstruct): { violations: { ruleName: string }[] } }
        ).validateScope(app).violations,
    );
    expect(findings.map((f) => f.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });
});
