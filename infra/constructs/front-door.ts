import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { API_CONTENT_SECURITY_POLICY, appContentSecurityPolicy } from '../csp';
import { suppress } from '../nag';

export interface FrontDoorProps {
  config: StageConfig;
  api: HttpApi;
  /** CloudFront path patterns answered by the API (everything else is the SMART app). */
  apiPaths: string[];
  /** The CLOUDFRONT-scoped web ACL (us-east-1). */
  webAclArn: string;
}

const HSTS = {
  accessControlMaxAge: Duration.days(730),
  includeSubdomains: true,
  override: true,
};

/**
 * One CloudFront distribution for everything an EHR reaches: the SMART app from a private S3 bucket (origin
 * access control) and the API paths from the HTTP API. WAF sits on the distribution; every answer carries
 * HSTS; the app's answers carry the CSP whose frame-ancestors are the configured EHR origins. Access logs of
 * the distribution and the bucket go to a logs bucket.
 */
export class FrontDoor extends Construct {
  readonly distribution: Distribution;
  readonly appBucket: Bucket;
  readonly logsBucket: Bucket;
  readonly appHeaders: ResponseHeadersPolicy;
  readonly apiHeaders: ResponseHeadersPolicy;
  /** https://<custom domain or *.cloudfront.net>, no trailing slash. */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: FrontDoorProps) {
    super(scope, id);
    const { config } = props;

    this.logsBucket = new Bucket(this, 'LogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      // CloudFront's standard logs are delivered with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        {
          expiration: Duration.days(config.accessLogRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(this.logsBucket, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' },
      {
        id: 'HIPAA.Security-S3BucketLoggingEnabled',
        reason: 'This is the access-log bucket; logging it into itself would loop.',
      },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'S3 server access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3).',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Operational access logs with a fixed retention; a copy in a second region is not required for them.',
      },
    ]);

    this.appBucket = new Bucket(this, 'AppBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3/app/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(this.appBucket, [
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          "The SMART app's public HTML, JS and CSS, no patient data: SSE-S3 encrypts it at rest. A KMS key would need a key policy open to every CloudFront distribution of the account (OAC's wildcard).",
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'The content is a build output, redeployed from the repository; it is not the only copy.',
      },
    ]);

    this.appHeaders = new ResponseHeadersPolicy(this, 'AppHeaders', {
      comment: `Tailor ${config.stage}: SMART app (HSTS, CSP with the EHR origins as frame-ancestors)`,
      securityHeadersBehavior: {
        strictTransportSecurity: HSTS,
        contentSecurityPolicy: { contentSecurityPolicy: appContentSecurityPolicy(config), override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        // No X-Frame-Options: it cannot name several EHRs; frame-ancestors does.
      },
    });
    this.apiHeaders = new ResponseHeadersPolicy(this, 'ApiHeaders', {
      comment: `Tailor ${config.stage}: API (HSTS, nothing framed or run)`,
      securityHeadersBehavior: {
        strictTransportSecurity: HSTS,
        contentSecurityPolicy: { contentSecurityPolicy: API_CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // The API's own hostname: https://<id>.execute-api.<region>.amazonaws.com, the $default stage at its root.
    const apiOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', props.api.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
    });
    const apiBehavior: BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Authorization and the body go through; Host must be the API's own.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.apiHeaders,
      compress: true,
    };

    const domain = config.domain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Tailor ${config.stage}`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      ...(domain
        ? {
            domainNames: domain.names,
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.appBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.appHeaders,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(props.apiPaths.map((path) => [path, apiBehavior])),
    });
    suppress(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geographic restriction: EHRs and clinicians may call from anywhere the hospital operates; WAF limits the rate.',
      },
      ...(domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; configure `domain` (ACM certificate) to get TLSv1.2_2021.',
            },
          ]),
    ]);
    this.publicUrl = domain
      ? `https://${domain.names[0]}`
      : `https://${this.distribution.distributionDomainName}`;
  }
}
