import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import { OVERRIDE_REASONS, PROVENANCE_KEY } from '../../functions/core/cds/cards';
import { RULE_SET_VERSION_EXTENSION } from '../../functions/core/cds/invoke';
import type { StatsReport } from '../../functions/core/ruleset/stats';
import { type LocalServer, startLocalServer } from '../../functions/server/local-server';
import { fullPrefetch, genotype, medicationRequest, orderSign } from '../support/cds-fixtures';
import { quietLog, quietMetrics } from '../support/doors';
import { CHANGED_RULE, json, rulesWithChangedCodeineRule, tailor } from './tailor-run';

// The command line and the running service on one store (the CLI talks to the server's embedded store
// through --endpoint, as an operator would): a version activated or rolled back with the CLI reaches the
// service; `evaluate --version` and the service's version selection agree; `stats` counts the service's
// cards and the feedback on them.

const SIGN = '/cds-services/tailor-order-sign';
const REFRESH_SECONDS = 1;
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let scratch: string;
let server: LocalServer;
let key: Key;
let store: string[];
let bundleFile: string;
const shown: { uuid: string; ruleId: string; suggestion?: string }[] = [];

interface Card {
  uuid: string;
  summary: string;
  suggestions?: { uuid: string }[];
  extension: Record<string, Provenance>;
}
interface Provenance {
  ruleId: string;
  ruleVersion: string;
  ruleSetVersion: string;
  action: string;
  classification: string;
  drug: string;
}

const PATIENT = 'svc-codeine-1';
const observation = genotype(`${PATIENT}-cyp2d6`, PATIENT, 'CYP2D6', 'HGNC:2625', 'CYP2D6 *4/*4');
const order = medicationRequest(`${PATIENT}-order`, PATIENT, {
  medicationCodeableConcept: { text: 'codeine 30 mg tablet' },
});

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tailor-cli-service-'));
  const pair = await generateKeyPair('ES384', { extractable: true });
  key = pair.privateKey;
  const clients = join(scratch, 'clients.json');
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
  await writeFile(
    clients,
    JSON.stringify({ clients: [{ iss: 'https://ehr.cli.example', jwks: { keys: [jwk] } }] }),
  );
  const config = readServiceConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    TAILOR_CDS_CLIENTS: clients,
    TAILOR_RULESET_REFRESH_SECONDS: String(REFRESH_SECONDS),
    // The answer waits for its audit write, so stats can count a card as soon as it was shown.
    TAILOR_AUDIT_WAIT_MS: '1000',
  });
  server = await startLocalServer({ config, inMemory: true, log: quietLog, metrics: quietMetrics });
  store = ['--endpoint', server.storeEndpoint];
  bundleFile = join(scratch, 'patient.json');
  await writeFile(
    bundleFile,
    JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [observation, order].map((resource) => ({ resource })),
    }),
  );
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function call(path: string, body: unknown): Promise<Response> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid: 'k1', typ: 'JWT' })
    .setIssuer('https://ehr.cli.example')
    .setAudience(`${server.url}${path}`)
    .setIssuedAt()
    .setExpirationTime('2m')
    .setJti(randomUUID())
    .sign(key);
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

/** The service's cards for the codeine patient: the active version, or the one named. */
async function serviceCards(version?: string): Promise<Card[]> {
  const request = orderSign(PATIENT, [order], fullPrefetch(PATIENT, [observation]));
  if (version) request.extension = { [RULE_SET_VERSION_EXTENSION]: version };
  const response = await call(SIGN, request);
  expect(response.status).toBe(200);
  const { cards } = (await response.json()) as { cards: Card[] };
  for (const card of cards) {
    const p = card.extension[PROVENANCE_KEY]!;
    shown.push({
      uuid: card.uuid,
      ruleId: p.ruleId,
      ...(card.suggestions?.[0] ? { suggestion: card.suggestions[0].uuid } : {}),
    });
  }
  return cards;
}

const fromCards = (cards: Card[]) =>
  cards
    .map((card) => {
      const p = card.extension[PROVENANCE_KEY]!;
      return `${p.ruleSetVersion} ${p.ruleId}@${p.ruleVersion} ${p.drug} ${p.action} ${p.classification}: ${card.summary}`;
    })
    .sort();

/** What `tailor evaluate --version` says of the same patient. */
async function cliAdvice(version: string): Promise<string[]> {
  const run = await tailor({}, 'evaluate', bundleFile, '--version', version, '--json', ...store);
  expect(run.stderr).toBe('');
  const { recommendations } = json<{ recommendations: (Provenance & { summary: string })[] }>(run);
  return recommendations
    .map(
      (r) =>
        `${r.ruleSetVersion} ${r.ruleId}@${r.ruleVersion} ${r.drug} ${r.action} ${r.classification}: ${r.summary}`,
    )
    .sort();
}

async function activeAdviceBecomes(version: string): Promise<string[]> {
  const deadline = Date.now() + (REFRESH_SECONDS + 3) * 1000;
  for (;;) {
    const cards = fromCards(await serviceCards());
    if (cards.every((line) => line.startsWith(`${version} `)) || Date.now() > deadline) return cards;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('tailor rules with the running service', () => {
  test('activate and rollback reach the service; evaluate --version and the service agree', async () => {
    const before = await serviceCards();
    expect(fromCards(before)).toEqual([
      expect.stringMatching(/^1\.1\.0 cyp2d6-codeine-poor@1\.0\.0 codeine avoid Strong/),
    ]);

    const rules = await rulesWithChangedCodeineRule(join(scratch, 'rules-1.1.1'), '1.1.1');
    const by = (name: string) => ['--by', name];
    expect((await tailor({}, 'rules', 'publish', '--rules', rules, ...by('Dr Ada'), ...store)).code).toBe(0);
    expect((await tailor({}, 'rules', 'approve', '1.1.1', ...by('Dr Bo'), ...store)).code).toBe(0);
    const activated = await tailor(
      {},
      'rules',
      'activate',
      '1.1.1',
      ...by('Dr Bo'),
      '--why',
      'update',
      ...store,
    );
    expect(activated.code).toBe(0);

    const after = await activeAdviceBecomes('1.1.1');
    expect(after).toEqual([
      expect.stringMatching(/^1\.1\.1 cyp2d6-codeine-poor@1\.1\.0 codeine use-alternative Strong/),
    ]);
    // Reproduce: the CLI with the stored version and the service asked for that version give the same advice.
    expect(await cliAdvice('1.1.1')).toEqual(after);
    expect(fromCards(await serviceCards('1.1.0'))).toEqual(await cliAdvice('1.1.0'));

    const rolledBack = await tailor(
      {},
      'rules',
      'rollback',
      '1.1.0',
      ...by('Dr Bo'),
      '--why',
      'undo',
      ...store,
    );
    expect(rolledBack.code).toBe(0);
    const restored = await activeAdviceBecomes('1.1.0');
    expect(restored).toEqual(fromCards(before));
    expect(restored).toEqual(await cliAdvice('1.1.0'));
    expect(fromCards(await serviceCards('1.1.1'))).toEqual(after);
  });

  test('stats counts the cards the service showed and the feedback on them', async () => {
    const codeine = shown.filter((card) => card.ruleId === CHANGED_RULE);
    expect(codeine.length).toBeGreaterThanOrEqual(4);
    const [accepted, overridden, secondOverride] = codeine;
    expect(accepted?.suggestion).toBeDefined();
    const at = new Date().toISOString();
    const NO_ALTERNATIVE = OVERRIDE_REASONS.find((r) => r.code === 'no-alternative')!;
    const feedback = await call(`${SIGN}/feedback`, {
      feedback: [
        {
          card: accepted!.uuid,
          outcome: 'accepted',
          outcomeTimestamp: at,
          acceptedSuggestions: [{ id: accepted!.suggestion }],
        },
        {
          card: overridden!.uuid,
          outcome: 'overridden',
          outcomeTimestamp: at,
          overrideReason: {
            reason: NO_ALTERNATIVE,
            userComment: 'free text that stats must not print',
          },
        },
        {
          card: secondOverride!.uuid,
          outcome: 'overridden',
          outcomeTimestamp: at,
          overrideReason: {
            reason: NO_ALTERNATIVE,
          },
        },
      ],
    });
    expect(feedback.status).toBe(200);

    const result = await tailor({}, 'rules', 'stats', '--json', ...store);
    expect(result.code).toBe(0);
    const report = json<StatsReport>(result);
    expect(report.cards).toBe(shown.length);
    expect(report.feedback).toBe(3);
    const rule = report.rules.find((r) => r.ruleId === CHANGED_RULE);
    expect(rule).toEqual({
      ruleId: CHANGED_RULE,
      ruleVersions: ['1.0.0', '1.1.0'],
      ruleSetVersions: ['1.1.0', '1.1.1'],
      shown: codeine.length,
      accepted: 1,
      overridden: 2,
      noFeedback: codeine.length - 3,
      overrideReasons: [{ ...NO_ALTERNATIVE, count: 2 }],
      comments: 1,
    });
    const readable = await tailor({}, 'rules', 'stats', '--rule', CHANGED_RULE, ...store);
    expect(readable.stdout).toMatch(new RegExp(`^${CHANGED_RULE}\\s+${codeine.length}\\s+1\\s+2\\s`, 'm'));
    expect(readable.stdout).toContain(`2  ${NO_ALTERNATIVE.display}`);
    expect(readable.stdout).not.toContain('free text');
  });
});
