/**
 * `npm run measure:lambda`: each synthesized Lambda bundle's size, and its cold initialisation — a fresh Node
 * process importing the bundle and answering its first API Gateway event against a local DynamoDB (DynamoDB
 * Local; `--store=dynalite` for the embedded one). Runs each bundle N times (default 15, `--runs=N`) and
 * prints medians and p95s. Not part of the test suite: timings depend on the machine.
 *
 * As deployed, each bundle reads the audit secret from Secrets Manager (a local stand-in) at cold start. The
 * CDS bundle answers the order-sign example for a CYP2C19 poor metaboliser on clopidogrel with a real JWT
 * from a trusted EHR; the feedback bundle one feedback item; the app API the drug list with an id_token
 * (keys discovered from a local issuer on the first call).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { startEmbeddedDynamo } from '../functions/adapters/dynamodb/embedded';
import { startDynamoDbLocal } from '../test/support/dynamodb-local';
import { apiGatewayEvent } from './api-gateway-event';
import { type FunctionBundle, functionBundles, runBundle } from './bundles';
import { REQUIRE_BANNER } from './constructs/tailor-function';
import {
  type LocalIssuer,
  type LocalSecretsManager,
  type LocalStage,
  localEnvironment,
  localStage,
  prepareLocalStore,
  startLocalIssuer,
  startLocalSecretsManager,
} from './local-harness';
import { attributeProfile } from './profile-bundle';
import { PROJECT_ROOT, synthesizeStage } from './tailor-app';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Number(arg('runs') ?? 15);
const STORE = arg('store') ?? 'dynamodb-local';
const PROFILE = process.argv.includes('--profile');

const ORDER_SIGN = `${PROJECT_ROOT}/examples/requests/cyp2c19-poor-metabolizer-clopidogrel.order-sign.json`;

interface Locals {
  stage: LocalStage;
  endpoint: string;
  secrets: LocalSecretsManager;
  issuer: LocalIssuer;
}

/** As deployed: the secret's ARN (read from the local Secrets Manager at cold start), the local issuer for the app. */
const environmentFor = (bundle: FunctionBundle, locals: Locals) =>
  localEnvironment(bundle, locals.endpoint, {
    secrets: locals.secrets,
    overrides: { TAILOR_SMART_ISSUERS: locals.issuer.url },
  });

/** The same CDS call twice, each with its own client JWT: the first is the cold one, the second the warm path. */
async function signedTwice(
  stage: LocalStage,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>[]> {
  const call = async () =>
    apiGatewayEvent({
      method: 'POST',
      path,
      body,
      headers: { authorization: `Bearer ${await stage.cdsJwt(path)}` },
    });
  return [await call(), await call()];
}

async function eventsFor(
  bundle: FunctionBundle,
  { stage, issuer }: Locals,
): Promise<Record<string, unknown>[]> {
  switch (bundle.concern) {
    case 'CdsServices': {
      const body = JSON.parse(await readFile(ORDER_SIGN, 'utf8')) as unknown;
      return signedTwice(stage, '/cds-services/tailor-order-sign', body);
    }
    case 'CdsFeedback': {
      const body = {
        feedback: [
          { card: crypto.randomUUID(), outcome: 'overridden', outcomeTimestamp: new Date().toISOString() },
        ],
      };
      return signedTwice(stage, '/cds-services/tailor-order-sign/feedback', body);
    }
    case 'AppApi': {
      const headers = { authorization: `Bearer ${await issuer.idToken(stage.config.smart.clientId)}` };
      return [
        apiGatewayEvent({ method: 'GET', path: '/api/drugs', headers }),
        apiGatewayEvent({ method: 'GET', path: '/api/drugs', headers }),
      ];
    }
    default:
      return [apiGatewayEvent({ method: 'GET', path: '/health' })];
  }
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

interface ColdInit {
  median: number;
  p95: number;
  importMedian: number;
  firstMedian: number;
  warmMedian: number | undefined;
  bootMedian: number;
}

/** RUNS fresh processes importing `file` and answering the events; each answer must be a success. */
async function measureColdInit(
  file: string,
  env: Record<string, string>,
  events: () => Promise<Record<string, unknown>[]>,
  nodeOptions: string[],
): Promise<ColdInit> {
  const imports: number[] = [];
  const firsts: number[] = [];
  const colds: number[] = [];
  const boots: number[] = [];
  const warms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await runBundle(file, env, await events(), { nodeOptions });
    const status = run.replies[0]?.statusCode;
    if (status === undefined || status >= 300)
      throw new Error(`${file} answered ${status}: ${run.replies[0]?.body}`);
    imports.push(run.importMs);
    firsts.push(run.eventMs[0] ?? Number.NaN);
    colds.push(run.importMs + (run.eventMs[0] ?? Number.NaN));
    boots.push(run.bootMs);
    if (run.eventMs[1] !== undefined) warms.push(run.eventMs[1]);
  }
  return {
    median: quantile(colds, 0.5),
    p95: quantile(colds, 0.95),
    importMedian: quantile(imports, 0.5),
    firstMedian: quantile(firsts, 0.5),
    warmMedian: warms.length > 0 ? quantile(warms, 0.5) : undefined,
    bootMedian: quantile(boots, 0.5),
  };
}

const formatCold = (cold: ColdInit): string =>
  `cold init (import + first event) median ${ms(cold.median)}, p95 ${ms(cold.p95)}` +
  ` | import ${ms(cold.importMedian)}, first event ${ms(cold.firstMedian)}` +
  (cold.warmMedian !== undefined ? `, warm event ${ms(cold.warmMedian)}` : '') +
  ` | node boot before import ${ms(cold.bootMedian)}`;

/**
 * The baseline: infra/sdk-floor-handler.ts, bundled as the functions are (AWS SDK left to the runtime), run
 * with the CDS bundle's environment. It makes only the AWS calls the CDS cold start makes. A second build
 * with the SDK bundled in (tree-shaken ESM) shows the other way to load the SDK, and what it weighs.
 */
async function measureFloor(cds: FunctionBundle, locals: Locals, outdir: string): Promise<ColdInit> {
  console.log(
    "AWS-calls floor (secret, ACTIVE pointer, version partition, replay claim; nothing of Tailor's):",
  );
  let runtimeSdk: ColdInit | undefined;
  for (const sdk of ['runtime', 'bundled'] as const) {
    const file = join(outdir, `sdk-floor-${sdk}`, 'index.mjs');
    await build({
      entryPoints: [`${PROJECT_ROOT}/infra/sdk-floor-handler.ts`],
      outfile: file,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      mainFields: ['module', 'main'],
      minify: true,
      banner: { js: REQUIRE_BANNER },
      external: sdk === 'runtime' ? ['@aws-sdk/*'] : [],
      logLevel: 'error',
    });
    const floor = await measureColdInit(file, environmentFor(cds, locals), async () => [{}, {}], []);
    const label = sdk === 'runtime' ? 'SDK from the runtime, as deployed' : 'SDK bundled in';
    console.log(`  ${label} (${kb(statSync(file).size)}): ${formatCold(floor)}`);
    runtimeSdk ??= floor;
  }
  console.log('');
  return runtimeSdk as ColdInit;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const stage = await localStage();
  const { stacks, outdir } = synthesizeStage(stage.config, {
    nag: false,
    appBuildDir: null,
    cloudFormationValidation: false,
  });
  const bundles = functionBundles(stacks.stateless);
  const store =
    STORE === 'dynalite' ? await startEmbeddedDynamo({ dataDir: null }) : await startDynamoDbLocal();
  const [secrets, issuer] = await Promise.all([startLocalSecretsManager(), startLocalIssuer()]);
  const locals: Locals = { stage, endpoint: store.endpoint, secrets, issuer };
  try {
    const prefix = bundles[0]?.environment.TAILOR_TABLE_PREFIX ?? 'tailor-dev';
    await prepareLocalStore(store.endpoint, prefix);
    console.log(`store: ${STORE}; runs per bundle: ${RUNS}; node ${process.version}\n`);
    const cds = bundles.find((bundle) => bundle.concern === 'CdsServices');
    const floor = cds ? await measureFloor(cds, locals, outdir) : undefined;
    for (const bundle of bundles) {
      const code = readFileSync(bundle.file);
      console.log(
        `${bundle.concern}: ${kb(bundle.bytes)} minified (${kb(gzipSync(code).length)} gzipped), source map ${kb(bundle.mapBytes)}`,
      );
      for (const nodeOptions of [[], ['--enable-source-maps']]) {
        const cold = await measureColdInit(
          bundle.file,
          environmentFor(bundle, locals),
          () => eventsFor(bundle, locals),
          nodeOptions,
        );
        const label = nodeOptions.length > 0 ? 'with --enable-source-maps' : 'plain node';
        console.log(`  ${label}: ${formatCold(cold)}`);
        if (floor && nodeOptions.length === 0) {
          console.log(
            `  vs the AWS-calls floor: ${(cold.median / floor.median).toFixed(2)}x its median; Tailor's own share ${ms(cold.median - floor.median)}`,
          );
        }
      }
      if (PROFILE) await profile(bundle, locals);
    }
  } finally {
    await Promise.all([store.close(), secrets.close(), issuer.close()]);
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** One profiled cold run importing only, one importing and answering the first event: time per source. */
async function profile(bundle: FunctionBundle, locals: Locals): Promise<void> {
  const [first] = await eventsFor(bundle, locals);
  for (const [phase, events] of [
    ['import only', []],
    ['import + first event', first ? [first] : []],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'tailor-profile-'));
    try {
      const run = await runBundle(bundle.file, environmentFor(bundle, locals), [...events], {
        nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'],
      });
      console.log(
        `  profile, ${phase} (import ${ms(run.importMs)}${run.eventMs[0] !== undefined ? `, event ${ms(run.eventMs[0])}` : ''}; profiler overhead included):`,
      );
      for (const row of attributeProfile(dir, bundle.file).slice(0, 14)) {
        console.log(
          `    ${ms(row.inclusiveMs).padStart(10)} inclusive ${ms(row.selfMs).padStart(10)} self  ${row.source}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
