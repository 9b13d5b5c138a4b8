import { RemovalPolicy } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import type { StageConfig } from '../config';
import { suppress } from '../nag';

export interface AppContentProps {
  config: StageConfig;
  /** The SMART app's build output (smart-app/dist). */
  buildDir: string;
  bucket: IBucket;
  distribution: IDistribution;
  logKey: IKey;
}

/** The app is served under /app/ (as the local server does); its API is at the origin root (/api). */
export const APP_PREFIX = 'app/';
/** The file beside the pages the SMART app reads at each launch for its stage settings (no rebuild per stage). */
export const SMART_CONFIG_FILE = 'config.json';

/**
 * Uploads the SMART app's build and its stage settings to the bucket and invalidates CloudFront. Built only
 * when the build exists: a stack synthesized before `npm run build` of the app still has the bucket and the
 * distribution, and the next deploy after a build fills them.
 */
export class AppContent extends Construct {
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: AppContentProps) {
    super(scope, id);
    const { config } = props;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [
        // The build's own config.json is the local default; the stage's replaces it.
        Source.asset(props.buildDir, { exclude: [SMART_CONFIG_FILE] }),
        Source.jsonData(SMART_CONFIG_FILE, { clientId: config.smart.clientId }),
      ],
      destinationBucket: props.bucket,
      destinationKeyPrefix: APP_PREFIX,
      distribution: props.distribution,
      distributionPaths: [`/${APP_PREFIX}*`],
      prune: true,
      memoryLimit: 512,
      logGroup,
    });
  }
}

/**
 * CDK's own upload function (a singleton per stack) and its role: their findings are CDK's design, each
 * acknowledged by name. The wildcard findings are listed one by one (cdk-nag v3 has no rule-wide ignore).
 */
export function suppressBucketDeploymentFindings(
  content: AppContent,
  handler: IConstruct | undefined,
  names: { appBucketLogicalId: string; assetsBucket: string },
): void {
  const role = content.deployment.handlerRole;
  const why =
    'CDK bucket-deployment function, run only by CloudFormation during a deployment: it copies the app from the CDK asset bucket into the app bucket and invalidates CloudFront; CDK grants it object-level access on both buckets.';
  suppress(role, [
    {
      id: 'AwsSolutions-IAM5',
      reason: why,
      appliesTo: [
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        `Resource::arn:aws:s3:::${names.assetsBucket}/*`,
        `Resource::<${names.appBucketLogicalId}.Arn>/*`,
        // cloudfront:CreateInvalidation and GetInvalidation take no resource-level scope.
        'Resource::*',
      ],
    },
    { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: `${why} The policy is the one CDK attaches.` },
  ]);
  if (!handler) return;
  suppress(handler, [
    {
      id: 'AwsSolutions-IAM4',
      reason: `${why} It logs through AWSLambdaBasicExecutionRole.`,
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
    { id: 'AwsSolutions-L1', reason: `${why} Its runtime is chosen by aws-cdk-lib.` },
    { id: 'HIPAA.Security-LambdaConcurrency', reason: `${why} One invocation per deployment.` },
    {
      id: 'HIPAA.Security-LambdaDLQ',
      reason: `${why} Invoked synchronously; CloudFormation reports a failure.`,
    },
    { id: 'HIPAA.Security-LambdaInsideVPC', reason: `${why} It calls only the S3 and CloudFront APIs.` },
  ]);
}
