import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { IdTokenVerifier } from '../../functions/adapters/auth/smart-id-token';
import type { PreparedRuleSet } from '../../functions/core/pipeline';
import type { AuditRecord, RuleSetProvider } from '../../functions/core/ports';
import { RuleStoreError } from '../../functions/core/ports';
import {
  type AppApiDependencies,
  type AssessmentResponse,
  checkAssessmentRequest,
  type DrugListResponse,
  mountAppApi,
} from '../../functions/http/app-api';
import { bundledRuleSet } from '../support/bundled-rules';

// The app API on a bare Hono app: a fake id_token verifier ("good" passes), the bundled rules.

let ruleSet: PreparedRuleSet;
let cyp2c19: unknown[];
let noGenomics: unknown[];

async function bundleResources(name: string): Promise<unknown[]> {
  const bundle = JSON.parse(await readFile(`examples/bundles/${name}.json`, 'utf8')) as {
    entry: { resource: unknown }[];
  };
  return bundle.entry.map((e) => e.resource);
}

beforeAll(async () => {
  ruleSet = await bundledRuleSet();
  cyp2c19 = await bundleResources('cyp2c19-poor-metabolizer-clopidogrel');
  noGenomics = await bundleResources('no-genomic-data');
});

const verifier: IdTokenVerifier = async (authorization) =>
  authorization === 'Bearer good'
    ? { ok: true, iss: 'https://ehr.example.org', sub: 'dr-1' }
    : { ok: false, reason: 'bad-signature' };

function setup(overrides: Partial<AppApiDependencies> = {}) {
  const audit: AuditRecord[] = [];
  const current = vi.fn(async () => ruleSet);
  const ruleSets: RuleSetProvider = { current, version: async () => ruleSet };
  const app = new Hono();
  mountAppApi(app, {
    ruleSets,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: () => {}, timing: () => {} },
    clock: { now: () => new Date() },
    ids: { uuid: () => '00000000-0000-4000-8000-000000000001' },
    verifyIdToken: verifier,
    audit: { record: async (r) => void audit.push(r), findCard: async () => undefined },
    pseudonymise: (id) => `hmac(${id.length})`,
    ...overrides,
  });
  const call = async (method: string, path: string, body?: unknown, auth = 'Bearer good') => {
    const response = await app.request(path, {
      method,
      headers: { ...(auth ? { authorization: auth } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, headers: response.headers, json: (await response.json()) as unknown };
  };
  return { app, call, audit, current };
}

describe('POST /api/assessment', () => {
  it('refuses an unauthenticated call with a bare 401 and does nothing', async () => {
    const { call, current, audit } = setup();
    for (const auth of ['', 'Bearer bad', 'Basic Z29vZA==']) {
      const reply = await call('POST', '/api/assessment', { resources: cyp2c19 }, auth);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.json).toEqual({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'login', diagnostics: 'unauthorized' }],
      });
    }
    expect(current).not.toHaveBeenCalled();
    expect(audit).toEqual([]);
  });

  it('refuses every call when no SMART issuer is configured', async () => {
    const { call } = setup({ verifyIdToken: undefined });
    expect((await call('POST', '/api/assessment', { resources: cyp2c19 })).status).toBe(401);
    expect((await call('GET', '/api/drugs')).status).toBe(401);
  });

  it('answers with the findings, the current orders and their recommendations from the active rule set', async () => {
    const { call, current } = setup();
    const reply = await call('POST', '/api/assessment', { resources: cyp2c19 });
    expect(reply.status).toBe(200);
    const answer = reply.json as AssessmentResponse;
    expect(current).toHaveBeenCalledTimes(1);
    expect(answer.ruleSetVersion).toBe(ruleSet.kb.version);
    expect(answer.tested).toBe(true);
    const gene = answer.findings.genes.find((g) => g.gene === 'CYP2C19');
    expect(gene).toMatchObject({ status: 'called', diplotype: '*2/*2', phenotype: 'Poor Metabolizer' });
    expect(gene?.sources[0]).toMatchObject({ performer: 'Fictional Genomics Laboratory' });
    expect(answer.orders.map((o) => o.ingredients)).toEqual([['clopidogrel']]);
    const rec = answer.recommendations.find((r) => r.drug === 'clopidogrel');
    expect(rec).toMatchObject({
      ruleId: 'cyp2c19-clopidogrel-poor-acs-pci',
      ruleSetVersion: ruleSet.kb.version,
      drugName: expect.stringMatching(/clopidogrel/i),
      action: expect.stringMatching(/avoid|use-alternative/),
    });
    expect(rec?.ruleVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(rec?.ruleTitle).toBeTruthy();
    expect(rec?.evidence[0]?.url).toMatch(/^https:/);
    expect(answer.lookups).toEqual([]);
    // The whole picture: every drug the CYP2C19 result affects, whatever is ordered today.
    const affected = answer.affected.map((r) => `${r.drug}:${r.ruleId}`);
    expect(affected).toContain('clopidogrel:cyp2c19-clopidogrel-poor-acs-pci');
    expect(answer.affected.every((r) => r.orderId === `profile-${r.drug}`)).toBe(true);
    expect(answer.affected.map((r) => r.action)).not.toContain('standard');
    expect(answer.affected.map((r) => r.action)).not.toContain('not-tested');
  });

  it('looks drugs up by key or free text, beside the current medications', async () => {
    const { call } = setup();
    const reply = await call('POST', '/api/assessment', {
      resources: cyp2c19,
      drugs: ['clopidogrel', 'Plavix 75 mg tablets', 'abacavir', 'no such medicine'],
    });
    const answer = reply.json as AssessmentResponse;
    const [byKey, byText, untested, unknown] = answer.lookups;
    expect(byKey).toMatchObject({ query: 'clopidogrel', ingredients: ['clopidogrel'], withoutRules: [] });
    expect(byKey?.recommendations.map((r) => r.ruleId)).toContain('cyp2c19-clopidogrel-poor-acs-pci');
    expect(byKey?.recommendations.every((r) => r.orderId === 'lookup-1')).toBe(true);
    expect(byText?.ingredients).toEqual(['clopidogrel']);
    // HLA-B was never typed: abacavir is "not tested", never a standard answer.
    expect(untested?.recommendations.map((r) => r.action)).toContain('not-tested');
    expect(unknown).toMatchObject({ ingredients: [], recommendations: [] });
  });

  it('says "not tested" for a patient without genomic results', async () => {
    const { call } = setup();
    const answer = (await call('POST', '/api/assessment', { resources: noGenomics, drugs: ['clopidogrel'] }))
      .json as AssessmentResponse;
    expect(answer.tested).toBe(false);
    expect(answer.findings.genes).toEqual([]);
    expect(answer.affected).toEqual([]);
    const actions = answer.lookups[0]?.recommendations.map((r) => r.action);
    expect(actions).toContain('not-tested');
    expect(actions).not.toContain('standard');
  });

  it('records a pseudonymous audit entry of the rules that fired', async () => {
    const { call, audit } = setup();
    await call('POST', '/api/assessment', { resources: cyp2c19 });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      hook: 'smart-app',
      service: 'tailor-smart-app',
      ruleSetVersion: ruleSet.kb.version,
      outcome: 'answered',
    });
    expect(audit[0]?.firedRules.some((r) => r.startsWith('cyp2c19-clopidogrel-poor-acs-pci@'))).toBe(true);
    expect(JSON.stringify(audit[0])).not.toContain('ex-pgx-1');
  });

  it('answers bad requests with an OperationOutcome', async () => {
    const { call } = setup();
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [[], /JSON object/],
      [{ resources: 'x' }, /resources must be an array/],
      [{ resources: [{ id: 'x' }] }, /no resourceType/],
      [{ resources: [], drugs: 'clopidogrel' }, /drugs must be an array/],
      [{ resources: [], drugs: [''] }, /non-empty string/],
      [{ resources: [], drugs: Array.from({ length: 21 }, () => 'x') }, /at most 20/],
    ];
    for (const [body, message] of cases) {
      const reply = await call('POST', '/api/assessment', body);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'invalid', diagnostics: expect.stringMatching(message) }],
      });
    }
  });

  it('refuses a body over the size limit', async () => {
    const { call } = setup({ maxBodyBytes: 1000 });
    const reply = await call('POST', '/api/assessment', { resources: cyp2c19 });
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('answers 500 with an OperationOutcome when the rule set cannot be had', async () => {
    const { call } = setup({
      ruleSets: {
        current: async () => {
          throw new RuleStoreError('unavailable', 'store down');
        },
        version: async () => ruleSet,
      },
    });
    const reply = await call('POST', '/api/assessment', { resources: cyp2c19 });
    expect(reply.status).toBe(500);
    expect(reply.json).toMatchObject({ issue: [{ diagnostics: 'the rules could not be loaded' }] });
  });

  it('is POST only', async () => {
    const { call } = setup();
    const reply = await call('GET', '/api/assessment');
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('GET /api/drugs', () => {
  it('lists the vocabulary, marking the drugs rules concern', async () => {
    const { call } = setup();
    const reply = await call('GET', '/api/drugs');
    expect(reply.status).toBe(200);
    const list = reply.json as DrugListResponse;
    expect(list.ruleSetVersion).toBe(ruleSet.kb.version);
    expect(list.drugs.find((d) => d.key === 'clopidogrel')).toMatchObject({ hasRules: true });
    expect(list.drugs.length).toBe(ruleSet.drugs.keys().length);
    const names = list.drugs.map((d) => d.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});

describe('checkAssessmentRequest', () => {
  it('keeps what it was given', () => {
    expect(checkAssessmentRequest({ resources: [{ resourceType: 'Patient' }], drugs: ['x'] })).toEqual({
      resources: [{ resourceType: 'Patient' }],
      drugs: ['x'],
    });
    expect(checkAssessmentRequest({ resources: [] })).toEqual({ resources: [] });
  });
});
