/**
 * Each synthesized function bundle, smoke-tested as Lambda would run it: synthesized to a scratch cloud
 * assembly, imported from there by a fresh Node process with the environment the stack gives it (only the
 * deploy-time values made local), and handed API Gateway v2 events against DynamoDB Local holding the
 * tables and the bundled rule set. Calls carry real JWTs from the stage's trusted EHR.
 */
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDynamoClient } from '../../functions/adapters/dynamodb/client';
import { tableNames } from '../../functions/adapters/dynamodb/tables';
import { apiGatewayEvent } from '../../infra/api-gateway-event';
import { type FunctionBundle, functionBundles, type LambdaReply, runBundle } from '../../infra/bundles';
import {
  type LocalIssuer,
  type LocalSecretsManager,
  type LocalStage,
  localEnvironment,
  localStage,
  prepareLocalStore,
  startLocalIssuer,
  startLocalSecretsManager,
} from '../../infra/local-harness';
import { PROJECT_ROOT, synthesizeStage } from '../../infra/tailor-app';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';

const SIGN = '/cds-services/tailor-order-sign';
const FEEDBACK = `${SIGN}/feedback`;

let stage: LocalStage;
let bundles: Record<string, FunctionBundle>;
let store: DynamoDbLocal;
let orderSign: unknown;
let outdir: string;
let issuer: LocalIssuer;
let secrets: LocalSecretsManager;
/** As deployed: the function is given the audit secret's ARN and reads the value at cold start. */
const environment = (bundle: FunctionBundle, overrides?: Record<string, string>) =>
  localEnvironment(bundle, store.endpoint, { secrets, ...(overrides ? { overrides } : {}) });

beforeAll(async () => {
  stage = await localStage();
  const synthesized = synthesizeStage(stage.config, {
    nag: false,
    appBuildDir: null,
    cloudFormationValidation: false,
  });
  outdir = synthesized.outdir;
  bundles = Object.fromEntries(
    functionBundles(synthesized.stacks.stateless).map((bundle) => [bundle.concern, bundle]),
  );
  [store, issuer, secrets] = await Promise.all([
    startDynamoDbLocal(),
    startLocalIssuer(),
    startLocalSecretsManager(),
  ]);
  await prepareLocalStore(store.endpoint, stage.config.tablePrefix ?? `tailor-${stage.config.stage}`);
  orderSign = JSON.parse(
    await readFile(
      `${PROJECT_ROOT}/examples/requests/cyp2c19-poor-metabolizer-clopidogrel.order-sign.json`,
      'utf8',
    ),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([store?.close(), issuer?.close(), secrets?.close()]);
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const signed = async (method: string, path: string, body?: unknown) =>
  apiGatewayEvent({ method, path, body, headers: { authorization: `Bearer ${await stage.cdsJwt(path)}` } });

const json = (reply: LambdaReply | undefined) => JSON.parse(reply?.body ?? 'null') as Record<string, unknown>;

describe('the bundles', () => {
  test('a bundle given the secret ARN reads the secret; a wrong ARN fails the cold start naming the variable', async () => {
    const bundle = bundles.CdsFeedback!;
    const failed = await runBundle(
      bundle.file,
      environment(bundle, { TAILOR_AUDIT_SECRET_ARN: `${secrets.arn}-other` }),
      [],
    ).then(
      () => undefined,
      (error: unknown) => String(error),
    );
    expect(failed).toMatch(
      /TAILOR_AUDIT_SECRET_ARN: the secret cannot be read \(ResourceNotFoundException\)/,
    );
  }, 60_000);

  test('one ESM bundle per concern with its source map and the trusted-clients file', async () => {
    expect(Object.keys(bundles).sort()).toEqual(['AppApi', 'CdsFeedback', 'CdsServices']);
    for (const bundle of Object.values(bundles)) {
      expect(bundle.file).toMatch(/index\.mjs$/);
      expect(bundle.mapBytes).toBeGreaterThan(0);
      const clients = JSON.parse(await readFile(`${bundle.dir}/cds-clients.json`, 'utf8')) as unknown;
      expect(clients).toEqual({ clients: stage.config.cdsClients });
      // The SDK comes from the Lambda runtime: it is imported, not bundled.
      const code = await readFile(bundle.file, 'utf8');
      expect(code).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
    }
  });

  test('size budget: the CDS Hooks bundle stays under 300 KB minified (a size, not a timing: it does not vary)', () => {
    expect(bundles.CdsServices?.bytes).toBeLessThan(300_000);
  });
});

describe('the CDS Hooks bundle (CdsServices), cold in a fresh process', () => {
  let replies: LambdaReply[];
  beforeAll(async () => {
    const bundle = bundles.CdsServices!;
    const replayed = await signed('POST', SIGN, orderSign);
    const run = await runBundle(bundle.file, environment(bundle), [
      await signed('GET', '/cds-services'),
      await signed('POST', SIGN, orderSign),
      apiGatewayEvent({ method: 'POST', path: SIGN, body: orderSign }),
      replayed,
      replayed,
      await signed('POST', FEEDBACK, { feedback: [] }),
      apiGatewayEvent({ method: 'GET', path: '/health' }),
    ]);
    replies = run.replies;
  }, 60_000);

  test('discovery lists the three services', () => {
    expect(replies[0]?.statusCode).toBe(200);
    const services = json(replies[0]).services as { id: string }[];
    expect(services.map((s) => s.id).sort()).toEqual([
      'tailor-order-select',
      'tailor-order-sign',
      'tailor-patient-view',
    ]);
  });

  test('a CYP2C19 poor metaboliser ordered clopidogrel: a critical card, recorded in the audit table', async () => {
    expect(replies[1]?.statusCode).toBe(200);
    const [card] = json(replies[1]).cards as { uuid: string; indicator: string; summary: string }[];
    expect(card).toMatchObject({
      indicator: 'critical',
      summary: expect.stringMatching(/CYP2C19 Poor Metabolizer/),
    });
    const client = createDynamoClient({ endpoint: store.endpoint });
    try {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableNames(stage.config.tablePrefix ?? 'tailor-dev').audit,
          Key: { pk: { S: `CARD#${card!.uuid}` }, sk: { S: 'CARD' } },
          ConsistentRead: true,
        }),
      );
      expect(Item?.ruleId?.S).toBeTruthy();
    } finally {
      client.destroy();
    }
  });

  test('no JWT: 401; the same JWT twice: the replay is refused', () => {
    expect(replies[2]?.statusCode).toBe(401);
    expect(replies[3]?.statusCode).toBe(200);
    expect(replies[4]?.statusCode).toBe(401);
  });

  test('feedback is not its concern (404 here: API Gateway routes it to the feedback function)', () => {
    expect(replies[5]?.statusCode).toBe(404);
  });

  test('/health answers without a token', () => {
    expect(replies[6]).toMatchObject({ statusCode: 200 });
    expect(json(replies[6])).toEqual({ status: 'ok' });
  });

  test('answers carry no stack trace or internal detail', () => {
    for (const reply of replies) expect(reply.body).not.toMatch(/at .*\.mjs|node_modules/);
  });
});

describe('the feedback bundle (CdsFeedback), cold in a fresh process', () => {
  test('feedback on a real card is stored once, a repeat is recognised; CDS calls are not its concern', async () => {
    const services = bundles.CdsServices!;
    const first = await runBundle(services.file, environment(services), [
      await signed('POST', SIGN, orderSign),
    ]);
    const [card] = json(first.replies[0]).cards as { uuid: string; overrideReasons: unknown[] }[];
    const feedback = {
      feedback: [
        {
          card: card!.uuid,
          outcome: 'overridden',
          overrideReason: { reason: card!.overrideReasons[0] },
          outcomeTimestamp: '2026-11-27T10:00:00Z',
        },
      ],
    };
    const bundle = bundles.CdsFeedback!;
    const run = await runBundle(bundle.file, environment(bundle), [
      await signed('POST', FEEDBACK, feedback),
      await signed('POST', FEEDBACK, feedback),
      await signed('POST', SIGN, orderSign),
      await signed('GET', '/cds-services'),
    ]);
    expect(run.replies.map((r) => r.statusCode)).toEqual([200, 200, 404, 404]);
    expect(json(run.replies[0])).toEqual({ stored: 1, duplicates: 0 });
    expect(json(run.replies[1])).toEqual({ stored: 0, duplicates: 1 });
  }, 60_000);
});

describe("the SMART app's API bundle (AppApi), cold in a fresh process", () => {
  test('an id_token from an allowed issuer gets the drug list of the active rule set; none gets 401; CDS calls are not its concern', async () => {
    const bundle = bundles.AppApi!;
    const clientId = stage.config.smart.clientId;
    const bearer = { authorization: `Bearer ${await issuer.idToken(clientId)}` };
    const run = await runBundle(
      bundle.file,
      // The stage's issuer is a real EHR; here a loopback one stands in for it.
      environment(bundle, { TAILOR_SMART_ISSUERS: issuer.url }),
      [
        apiGatewayEvent({ method: 'GET', path: '/api/drugs', headers: bearer }),
        apiGatewayEvent({ method: 'GET', path: '/api/drugs' }),
        await signed('POST', SIGN, orderSign),
      ],
    );
    expect(run.replies.map((r) => r.statusCode)).toEqual([200, 401, 404]);
    const drugs = json(run.replies[0]) as {
      ruleSetVersion: string;
      drugs: { key: string; hasRules: boolean }[];
    };
    expect(drugs.ruleSetVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(drugs.drugs.some((d) => d.key === 'clopidogrel' && d.hasRules)).toBe(true);
  }, 60_000);
});
