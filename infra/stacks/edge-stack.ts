import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { RateLimitAcl } from '../constructs/rate-limit-acl';

export interface EdgeStackProps extends StackProps {
  config: StageConfig;
}

/**
 * CloudFront's web ACL and its logs. An HTTP API cannot be associated with WAF directly, so the API is
 * reached through CloudFront and the ACL sits there; CloudFront only takes ACLs created in us-east-1, hence
 * this small stack in that region, read by the stateless stack through a cross-region (weak) reference.
 */
export class EdgeStack extends Stack {
  readonly webAclArn: string;
  readonly acl: RateLimitAcl;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { waf, stage, logRetentionDays } = props.config;
    this.acl = new RateLimitAcl(this, 'WebAcl', {
      name: `tailor-${stage}`,
      requestsPerWindow: waf.requestsPerWindow,
      windowSeconds: waf.windowSeconds,
    });
    this.webAclArn = this.acl.acl.attrArn;

    const key = new Key(this, 'LogsKey', {
      alias: `alias/tailor-${stage}-edge-logs`,
      description: `Tailor ${stage}: WAF logs`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
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
    // WAF only logs to groups whose name starts with aws-waf-logs-.
    this.logGroup = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-tailor-${stage}`,
      retention: logRetentionDays,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAclArn,
      logDestinationConfigs: [
        // The group's ARN without the trailing :* that the attribute carries.
        `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${this.logGroup.logGroupName}`,
      ],
      // The EHR's bearer token and the SMART launch parameters stay out of the logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { queryString: {} }],
    });
    new CfnOutput(this, 'WebAclArn', { value: this.webAclArn });
  }
}
