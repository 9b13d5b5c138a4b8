import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags } from 'aws-cdk-lib';
import { type StageConfig, stageNames, validateStageConfig } from './config';
import { addNagChecks } from './nag';
import { EdgeStack } from './stacks/edge-stack';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

/** The repository root (infra/ is one level below it). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface TailorStacks {
  stateful: StatefulStack;
  edge: EdgeStack;
  stateless: StatelessStack;
}

export interface TailorAppOptions {
  /** The SMART app's build; default smart-app/dist when it holds an index.html, else none. */
  appBuildDir?: string | null;
  /** The SMART app's API handler (default functions/handlers/smart-app-api.ts); null leaves the concern out. */
  appApiEntry?: string | null;
  /** Run cdk-nag's AWS Solutions and HIPAA Security packs (default true). */
  nag?: boolean;
}

/** The stage's three stacks: stateful (data), edge (WAF, us-east-1) and stateless (functions, API, app). */
export function addTailorStage(app: App, input: StageConfig, options: TailorAppOptions = {}): TailorStacks {
  // Checked here too: a configuration built in code never reaches a construct unchecked.
  const config = validateStageConfig(input);
  const names = stageNames(config);
  const account = config.env.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const env = (region: string) => (account ? { account, region } : { region });
  const defaultBuild = join(PROJECT_ROOT, 'smart-app', 'dist');
  const appBuildDir =
    options.appBuildDir === undefined
      ? existsSync(join(defaultBuild, 'index.html'))
        ? defaultBuild
        : undefined
      : (options.appBuildDir ?? undefined);
  const appApiEntry =
    options.appApiEntry === undefined
      ? join(PROJECT_ROOT, 'functions', 'handlers', 'smart-app-api.ts')
      : (options.appApiEntry ?? undefined);

  const stateful = new StatefulStack(app, names.stateful, {
    env: env(config.env.region),
    description: `Tailor ${config.stage}: rule-set and audit tables, key, HMAC secret, backups`,
    terminationProtection: true,
    config,
  });
  const edge = new EdgeStack(app, names.edge, {
    env: env('us-east-1'),
    description: `Tailor ${config.stage}: CloudFront web ACL (us-east-1)`,
    crossRegionReferences: true,
    config,
  });
  const stateless = new StatelessStack(app, names.stateless, {
    env: env(config.env.region),
    description: `Tailor ${config.stage}: functions, HTTP API, CloudFront and the SMART app`,
    crossRegionReferences: true,
    config,
    data: {
      rules: stateful.rules,
      audit: stateful.audit,
      key: stateful.dataKey,
      auditSecret: stateful.auditSecret,
    },
    webAclArn: edge.webAclArn,
    projectRoot: PROJECT_ROOT,
    ...(appBuildDir ? { appBuildDir } : {}),
    ...(appApiEntry ? { appApiEntry } : {}),
  });
  for (const stack of [stateful, edge, stateless]) {
    Tags.of(stack).add('project', 'tailor');
    Tags.of(stack).add('stage', config.stage);
  }
  if (options.nag !== false) addNagChecks(app);
  return { stateful, edge, stateless };
}

/** The feature flags and context of cdk.json, so an app built in a test synthesizes as `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * A fresh output directory under node_modules/.cache, so a bundle imported from there resolves the AWS SDK
 * (left out of the bundle, as the Lambda runtime provides it) from the project's node_modules.
 */
export function scratchOutdir(): string {
  const base = join(PROJECT_ROOT, 'node_modules', '.cache', 'tailor-infra');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'cdk-'));
}

/** The stage built in this process (tests, measurements), as `cdk synth` would build it. */
export function synthesizeStage(
  config: StageConfig,
  options: TailorAppOptions & { outdir?: string; cloudFormationValidation?: boolean } = {},
): { app: App; stacks: TailorStacks; outdir: string } {
  const outdir = options.outdir ?? scratchOutdir();
  const app = new App({
    outdir,
    context: cdkJsonContext(),
    // CDK's CloudFormation schema check takes seconds per app; callers that only run bundles skip it.
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
  });
  const stacks = addTailorStage(app, config, options);
  return { app, stacks, outdir };
}
