/**
 * cdk-nag (v3, on CDK's policy-validation API): AWS Solutions and HIPAA Security checks on every stack. A
 * finding is either fixed or acknowledged on the one construct it concerns (and what it wraps), with the
 * reason a reviewer can check; nothing is acknowledged stack-wide.
 */
import { type IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import type { IConstruct } from 'constructs';

// cdk-nag is CommonJS whose exports Node cannot list statically: take them from the default export.
const { AwsSolutionsChecks, HIPAASecurityChecks } = cdkNag;

export interface Suppression {
  /** The rule, e.g. `AwsSolutions-IAM5` or `HIPAA.Security-LambdaInsideVPC`. */
  id: string;
  reason: string;
  /** The rule's individual findings this covers (e.g. `Resource::<Bucket.Arn>/*`), when it reports several. */
  appliesTo?: string[];
}

/** Acknowledges findings on this construct and the resources under it, never on its neighbours. */
export function suppress(construct: IConstruct, suppressions: Suppression[]): void {
  const validations = Validations.of(construct);
  for (const { id, reason, appliesTo } of suppressions) {
    if (appliesTo)
      for (const finding of appliesTo) validations.acknowledge({ id: `${id}[${finding}]`, reason });
    else validations.acknowledge({ id, reason });
  }
}

/** The two packs Tailor is held to. */
export function nagPacks(scope: IConstruct) {
  return [
    new AwsSolutionsChecks(scope, { verbose: true }),
    new HIPAASecurityChecks(scope, { verbose: true }),
  ];
}

/** Runs both packs when the app synthesizes: a finding nobody acknowledged fails `cdk synth`. */
export function addNagChecks(app: IConstruct): IPolicyValidationPlugin[] {
  const packs = nagPacks(app);
  Validations.of(app).addPlugins(...packs);
  return packs;
}
