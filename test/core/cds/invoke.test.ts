import { beforeAll, describe, expect, test } from 'vitest';
import { MemoryRuleStore } from '../../../functions/adapters/memory/rule-store';
import { createStoreRuleSets } from '../../../functions/adapters/rulesets/store-rule-sets';
import type { CdsDependencies } from '../../../functions/core/cds/invoke';
import { invokeService } from '../../../functions/core/cds/invoke';
import type {
  AuditRecord,
  AuditStore,
  FhirSourceFactory,
  RuleSetProvider,
} from '../../../functions/core/ports';
import { installBundledRuleSet } from '../../../functions/server/local-server';
import {
  CYP2C19_POOR,
  clopidogrelConcept,
  fullPrefetch,
  medicationRequest,
  orderSign,
} from '../../support/cds-fixtures';

// The orchestration of one call, with in-memory doubles: audit budget, failure visibility, log hygiene.

let ruleSets: RuleSetProvider;
beforeAll(async () => {
  const store = new MemoryRuleStore();
  await installBundledRuleSet(store);
  ruleSets = createStoreRuleSets(store);
});

const noFhir: FhirSourceFactory = () => {
  throw new Error('no FHIR server in this test');
};

function deps(overrides: Partial<CdsDependencies> & { lines?: string[] } = {}): CdsDependencies {
  const lines = overrides.lines ?? [];
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  let n = 0;
  return {
    ruleSets,
    fhir: noFhir,
    audit: { record: async () => {}, findCard: async () => undefined },
    clock: { now: () => new Date() },
    ids: { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` },
    metrics: { count: (name) => lines.push(`metric ${name}`), timing: () => {} },
    log: { info: capture('info'), warn: capture('warn'), error: capture('error') },
    pseudonymise: (id) => `pseudo(${id.length})`,
    fetchBudgetMs: 500,
    ...overrides,
  };
}

const PATIENT = 'Patient-Identifier-Secret-4711';
const request = () =>
  orderSign(
    PATIENT,
    [medicationRequest('mr-1', PATIENT, clopidogrelConcept)],
    fullPrefetch(PATIENT, [CYP2C19_POOR(PATIENT)]),
  );

describe('invokeService', () => {
  test('a slow audit store never delays the answer past its budget', async () => {
    const hanging: AuditStore = { record: () => new Promise(() => {}), findCard: async () => undefined };
    const started = Date.now();
    const outcome = await invokeService(
      'tailor-order-sign',
      request(),
      { authenticated: false },
      deps({ audit: hanging, auditBudgetMs: 100 }),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(outcome.kind === 'cards' && outcome.cards[0]?.indicator).toBe('critical');
  });

  test('a failing audit store never breaks the answer, and the failure is logged and counted', async () => {
    const lines: string[] = [];
    const failing: AuditStore = {
      record: async () => Promise.reject(new Error('store down')),
      findCard: async () => undefined,
    };
    const outcome = await invokeService(
      'tailor-order-sign',
      request(),
      { authenticated: false },
      deps({ audit: failing, lines }),
    );
    expect(outcome.kind).toBe('cards');
    await new Promise((resolve) => setTimeout(resolve, 20)); // the write is not awaited by the answer
    expect(lines.some((l) => l.startsWith('error audit write failed'))).toBe(true);
    expect(lines).toContain('metric AuditWriteFailed');
  });

  test('the audit record is pseudonymous and names the rule set, rules and cards', async () => {
    const records: AuditRecord[] = [];
    const audit: AuditStore = { record: async (r) => void records.push(r), findCard: async () => undefined };
    const outcome = await invokeService(
      'tailor-order-sign',
      request(),
      { authenticated: false },
      deps({ audit }),
    );
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({
      patientKey: `pseudo(${PATIENT.length})`,
      hook: 'order-sign',
      service: 'tailor-order-sign',
      ruleSetVersion: '1.1.0',
      firedRules: ['cyp2c19-clopidogrel-poor-acs-pci@1.0.0'],
      outcome: 'answered',
    });
    expect(record.cardUuids).toEqual(outcome.kind === 'cards' ? outcome.cards.map((c) => c.uuid) : []);
    expect(JSON.stringify(record)).not.toContain(PATIENT);
  });

  test('logs carry no patient identifier, genotype or phenotype', async () => {
    const lines: string[] = [];
    await invokeService('tailor-order-sign', request(), { authenticated: false }, deps({ lines }));
    const failing = { ...request(), prefetch: undefined, fhirServer: 'http://127.0.0.1:9' };
    await invokeService(
      'tailor-order-sign',
      failing,
      { authenticated: false },
      deps({ lines, fhir: noFhir }),
    );
    const text = lines.join('\n');
    expect(lines.some((l) => l.startsWith('error genomic check failed'))).toBe(true);
    for (const secret of [PATIENT, '*2/*2', 'Poor Metabolizer', 'Testperson'])
      expect(text).not.toContain(secret);
  });

  test('a rule set that cannot be had gives the failed-check card, an error log and a metric', async () => {
    const lines: string[] = [];
    const broken: RuleSetProvider = {
      current: async () => Promise.reject(new Error('no store')),
      version: async () => Promise.reject(new Error('no')),
    };
    const outcome = await invokeService(
      'tailor-order-sign',
      request(),
      { authenticated: false },
      deps({ ruleSets: broken, lines }),
    );
    expect(outcome.kind === 'cards' && outcome.cards.map((c) => c.summary)).toEqual([
      'Genomic medication check could not be completed: review genomic results before prescribing',
    ]);
    expect(lines.some((l) => l.startsWith('error genomic check failed'))).toBe(true);
    expect(lines).toContain('metric CheckFailed');
  });

  test('a named rule-set version needs an authenticated caller', async () => {
    const pinned = { ...request(), extension: { 'org.tailor-cds.rule-set-version': '1.1.0' } };
    expect(await invokeService('tailor-order-sign', pinned, { authenticated: false }, deps())).toMatchObject({
      kind: 'rejected',
      status: 400,
    });
    const outcome = await invokeService('tailor-order-sign', pinned, { authenticated: true }, deps());
    expect(outcome.kind === 'cards' && outcome.cards[0]?.indicator).toBe('critical');
  });
});
