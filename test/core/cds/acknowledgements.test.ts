import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  MemoryAcknowledgementStore,
  MemoryAuditStore,
  MemoryFeedbackStore,
} from '../../../functions/adapters/memory/audit-store';
import { MemoryRuleStore } from '../../../functions/adapters/memory/rule-store';
import { createStoreRuleSets } from '../../../functions/adapters/rulesets/store-rule-sets';
import { suppressAcknowledged } from '../../../functions/core/cds/acknowledgements';
import { type Card, failedCheckCard, PROVENANCE_KEY } from '../../../functions/core/cds/cards';
import { type FeedbackCoreDependencies, receiveFeedback } from '../../../functions/core/cds/feedback';
import { type CdsDependencies, invokeService } from '../../../functions/core/cds/invoke';
import type {
  Acknowledgement,
  AcknowledgementStore,
  AuditRecord,
  RuleSetProvider,
} from '../../../functions/core/ports';
import { installBundledRuleSet } from '../../../functions/server/local-server';
import {
  CYP2C19_POOR,
  CYP2D6_POOR,
  clopidogrelConcept,
  codeineConcept,
  fullPrefetch,
  medicationRequest,
  orderSelect,
  orderSign,
  patient,
  searchset,
} from '../../support/cds-fixtures';

// Order-sign leaves out a card the clinician dismissed at order-select for the same order (HL7 PDDI pattern),
// narrowly, and shows everything whenever it cannot be sure.

const PATIENT = 'Patient-Identifier-Secret-4711';
const HOUR = 3_600_000;
const WINDOW = 12 * HOUR;
const CLOPIDOGREL_RULE = 'cyp2c19-clopidogrel-poor-acs-pci';

let ruleSets: RuleSetProvider;
beforeAll(async () => {
  const store = new MemoryRuleStore();
  await installBundledRuleSet(store);
  ruleSets = createStoreRuleSets(store);
});

let now: number;
let audit: MemoryAuditStore;
let feedback: MemoryFeedbackStore;
let acks: MemoryAcknowledgementStore;
let lines: string[];
beforeEach(() => {
  now = Date.parse('2026-11-27T09:00:00.000Z');
  audit = new MemoryAuditStore();
  feedback = new MemoryFeedbackStore();
  acks = new MemoryAcknowledgementStore();
  lines = [];
});

const clock = { now: () => new Date(now) };
const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => {
  lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
};
const log = { info: capture('info'), warn: capture('warn'), error: capture('error') };
const metrics = {
  count: (name: string, value = 1) => void lines.push(`metric ${name} ${value}`),
  timing: () => {},
};

let uuids = 0;
function cdsDeps(overrides: Partial<CdsDependencies> = {}): CdsDependencies {
  return {
    ruleSets,
    fhir: () => {
      throw new Error('no FHIR server in this test');
    },
    audit,
    clock,
    ids: { uuid: () => `00000000-0000-4000-8000-${String(++uuids).padStart(12, '0')}` },
    metrics,
    log,
    pseudonymise: (id) => `key-of-${id.length}`,
    fetchBudgetMs: 500,
    acknowledgements: { store: acks, windowMs: WINDOW },
    ...overrides,
  };
}
const feedbackDeps = (overrides: Partial<FeedbackCoreDependencies> = {}): FeedbackCoreDependencies => ({
  audit,
  feedback,
  clock,
  acknowledgements: acks,
  log,
  metrics,
  ...overrides,
});

const prefetch = (patientId = PATIENT) =>
  fullPrefetch(patientId, [CYP2C19_POOR(patientId), CYP2D6_POOR(patientId)]);
const clopidogrel = (id = 'mr-1', patientId = PATIENT) =>
  medicationRequest(id, patientId, clopidogrelConcept);
const codeine = (id = 'mr-2', patientId = PATIENT) => medicationRequest(id, patientId, codeineConcept);

const provenance = (card: Card) =>
  card.extension?.[PROVENANCE_KEY] as { ruleId: string; ruleVersion: string; orderId?: string };
const ruleIds = (cards: Card[]) => cards.map((card) => provenance(card).ruleId);

async function call(
  serviceId: string,
  body: Record<string, unknown>,
  overrides: Partial<CdsDependencies> = {},
  caller: { tenant?: string } = {},
): Promise<{ cards: Card[]; record: AuditRecord }> {
  const outcome = await invokeService(
    serviceId,
    body,
    { authenticated: false, ...caller },
    cdsDeps(overrides),
  );
  if (outcome.kind !== 'cards') throw new Error(`rejected: ${outcome.problem}`);
  return { cards: outcome.cards, record: audit.records.at(-1)! };
}

/** order-select of the clopidogrel order: its one card. */
async function select(orderId = 'mr-1', caller: { tenant?: string } = {}): Promise<Card> {
  const { cards } = await call(
    'tailor-order-select',
    orderSelect(PATIENT, [clopidogrel(orderId), codeine()], [orderId], prefetch()),
    {},
    caller,
  );
  expect(ruleIds(cards)).toEqual([CLOPIDOGREL_RULE]);
  return cards[0]!;
}

async function dismiss(
  card: Card,
  outcome: 'overridden' | 'accepted' = 'overridden',
  at = new Date(now).toISOString(),
  serviceId = 'tailor-order-select',
  deps = feedbackDeps(),
) {
  const item =
    outcome === 'overridden'
      ? {
          card: card.uuid,
          outcome,
          outcomeTimestamp: at,
          overrideReason: { reason: card.overrideReasons![0] },
        }
      : {
          card: card.uuid,
          outcome,
          outcomeTimestamp: at,
          acceptedSuggestions: [{ id: card.suggestions![0]!.uuid }],
        };
  const result = await receiveFeedback(serviceId, { feedback: [item] }, deps);
  expect(result.kind).toBe('stored');
}

const sign = (orders = [clopidogrel(), codeine()], overrides: Partial<CdsDependencies> = {}, caller = {}) =>
  call('tailor-order-sign', orderSign(PATIENT, orders, prefetch()), overrides, caller);

describe('order-sign leaves out a card dismissed at order-select', () => {
  test('select → overridden → sign: that card is left out, the others shown, the audit record says why', async () => {
    const card = await select();
    now += HOUR;
    await dismiss(card);
    now += 60_000;

    const { cards, record } = await sign();

    expect(ruleIds(cards)).toEqual(['cyp2d6-codeine-poor']);
    expect(record.suppressed).toEqual([
      {
        ruleId: CLOPIDOGREL_RULE,
        ruleVersion: provenance(card).ruleVersion,
        orderId: 'mr-1',
        acknowledgedCard: card.uuid,
      },
    ]);
    expect(record.cardUuids).toEqual(cards.map((c) => c.uuid));
    expect(record.firedRules).toContain(`${CLOPIDOGREL_RULE}@${provenance(card).ruleVersion}`);
    expect(lines).toContain('metric CardsSuppressed 1');
  });

  test('the acknowledgement holds the card identity, dated by the feedback', async () => {
    const card = await select();
    const at = new Date(now + 5 * 60_000).toISOString();
    now += 10 * 60_000;
    await dismiss(card, 'overridden', at);
    const p = card.extension?.[PROVENANCE_KEY] as Record<string, string>;
    expect(acks.entries).toEqual([
      {
        patientKey: `key-of-${PATIENT.length}`,
        orderId: 'mr-1',
        ruleId: CLOPIDOGREL_RULE,
        ruleVersion: p.ruleVersion,
        action: p.action,
        classification: p.classification,
        ruleSetVersion: p.ruleSetVersion,
        card: card.uuid,
        at,
      },
    ]);
  });

  test('accepted does not acknowledge: the card shows again', async () => {
    await dismiss(await select(), 'accepted');
    expect(acks.entries).toEqual([]);
    expect(ruleIds((await sign()).cards)).toContain(CLOPIDOGREL_RULE);
  });

  test('a different order for the same drug and rule: shown', async () => {
    await dismiss(await select('mr-1'));
    const { cards, record } = await sign([clopidogrel('mr-9'), codeine()]);
    expect(ruleIds(cards)).toContain(CLOPIDOGREL_RULE);
    expect(record.suppressed).toBeUndefined();
  });

  test.each<[string, Partial<Acknowledgement>]>([
    ['rule version', { ruleVersion: '0.9.0' }],
    ['rule-set version', { ruleSetVersion: '1.0.0' }],
    ['action', { action: 'adjust-dose' }],
    ['classification', { classification: 'Moderate' }],
    ['order', { orderId: 'mr-2' }],
    ['patient', { patientKey: 'key-of-someone-else' }],
    ['tenant', { tenant: 'another-hospital' }],
  ])('an acknowledgement of another %s: shown', async (_, change) => {
    await dismiss(await select());
    const [ack] = acks.entries;
    acks = new MemoryAcknowledgementStore();
    await acks.acknowledge({ ...ack!, ...change });
    expect(ruleIds((await sign()).cards)).toContain(CLOPIDOGREL_RULE);
  });

  test('the same tenant on both calls: suppressed; another tenant at sign: shown', async () => {
    await dismiss(await select('mr-1', { tenant: 'hospital-a' }));
    expect(acks.entries[0]?.tenant).toBe('hospital-a');
    expect(ruleIds((await sign(undefined, {}, { tenant: 'hospital-a' })).cards)).not.toContain(
      CLOPIDOGREL_RULE,
    );
    expect(ruleIds((await sign(undefined, {}, { tenant: 'hospital-b' })).cards)).toContain(CLOPIDOGREL_RULE);
    expect(ruleIds((await sign()).cards)).toContain(CLOPIDOGREL_RULE);
  });

  test('within the window suppressed; once it has passed, shown', async () => {
    await dismiss(await select());
    now += WINDOW;
    expect(ruleIds((await sign()).cards)).not.toContain(CLOPIDOGREL_RULE);
    now += 1;
    expect(ruleIds((await sign()).cards)).toContain(CLOPIDOGREL_RULE);
  });

  test('an outcomeTimestamp ahead of the clock counts from receipt: it cannot stretch the window', async () => {
    const card = await select();
    await dismiss(card, 'overridden', new Date(now + 24 * HOUR).toISOString());
    expect(acks.entries[0]?.at).toBe(new Date(now).toISOString());
    now += WINDOW + 1;
    expect(ruleIds((await sign()).cards)).toContain(CLOPIDOGREL_RULE);
  });

  test('an outcomeTimestamp with an offset is stored in UTC, so the window compares correctly', async () => {
    const card = await select();
    await dismiss(card, 'overridden', '2026-11-27T08:30:00+01:00');
    expect(acks.entries[0]?.at).toBe('2026-11-27T07:30:00.000Z');
  });

  test('window 0 (or no acknowledgement store): every card shown, the store not even asked', async () => {
    await dismiss(await select());
    let asked = 0;
    const counting = {
      since: (patientKey: string, since: string) => {
        asked++;
        return acks.since(patientKey, since);
      },
    };
    expect(
      ruleIds((await sign(undefined, { acknowledgements: { store: counting, windowMs: 0 } })).cards),
    ).toContain(CLOPIDOGREL_RULE);
    expect(ruleIds((await sign(undefined, { acknowledgements: undefined })).cards)).toContain(
      CLOPIDOGREL_RULE,
    );
    expect(asked).toBe(0);
  });

  test('a failing lookup: every card shown, a warning without patient data, a metric', async () => {
    await dismiss(await select());
    const failing = {
      since: async () =>
        Promise.reject(new TypeError(`no partition ACK#key-of-${PATIENT.length} ${PATIENT}`)),
    };
    const { cards, record } = await sign(undefined, {
      acknowledgements: { store: failing, windowMs: WINDOW },
    });
    expect(ruleIds(cards)).toContain(CLOPIDOGREL_RULE);
    expect(record.suppressed).toBeUndefined();
    expect(lines).toContain('metric AcknowledgementLookupFailed 1');
    const warning = lines.find((line) => line.startsWith('warn acknowledgement lookup failed'));
    expect(warning).toContain('"error":"TypeError"');
    expect(lines.join('\n')).not.toContain(PATIENT);
    expect(lines.join('\n')).not.toContain(`key-of-${PATIENT.length}`);
  });

  test('a lookup that throws synchronously is a failed lookup too', async () => {
    const throwing: Pick<AcknowledgementStore, 'since'> = {
      since: () => {
        throw new RangeError('boom');
      },
    };
    const { cards } = await sign(undefined, { acknowledgements: { store: throwing, windowMs: WINDOW } });
    expect(ruleIds(cards)).toContain(CLOPIDOGREL_RULE);
    expect(lines).toContain('metric AcknowledgementLookupFailed 1');
  });

  test('a hanging lookup: the answer waits at most its budget, then shows every card', async () => {
    await dismiss(await select());
    const hanging = { since: () => new Promise<Acknowledgement[]>(() => {}) };
    const started = Date.now();
    const { cards } = await sign(undefined, {
      acknowledgements: { store: hanging, windowMs: WINDOW, budgetMs: 50 },
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ruleIds(cards)).toContain(CLOPIDOGREL_RULE);
    expect(
      lines.some((line) => line.includes('acknowledgement lookup failed') && line.includes('Timeout')),
    ).toBe(true);
  });

  test('the failed-check card is never suppressed', async () => {
    await dismiss(await select());
    const broken: RuleSetProvider = {
      current: async () => Promise.reject(new Error('store down')),
      version: async () => Promise.reject(new Error('store down')),
    };
    const { cards } = await sign(undefined, { ruleSets: broken });
    expect(ruleIds(cards)).toEqual(['check-failed']);

    // Even an acknowledgement naming it (it never gets one) leaves it shown.
    const failed = failedCheckCard({ uuid: () => 'f-1' }, 'the rules could not be evaluated');
    const ack: Acknowledgement = {
      patientKey: 'k',
      orderId: 'mr-1',
      ruleId: 'check-failed',
      ruleVersion: '',
      action: '',
      classification: '',
      ruleSetVersion: '',
      card: 'c',
      at: '2026-11-27T09:00:00.000Z',
    };
    expect(
      suppressAcknowledged([failed], [ack], { patientKey: 'k', since: '2026-11-27T00:00:00.000Z' }).shown,
    ).toEqual([failed]);
  });

  test('order-select and patient-view never suppress (and never ask)', async () => {
    await dismiss(await select());
    let asked = 0;
    const counting = {
      since: (patientKey: string, since: string) => {
        asked++;
        return acks.since(patientKey, since);
      },
    };
    const overrides = { acknowledgements: { store: counting, windowMs: WINDOW } };
    const again = await call(
      'tailor-order-select',
      orderSelect(PATIENT, [clopidogrel(), codeine()], ['mr-1'], prefetch()),
      overrides,
    );
    expect(ruleIds(again.cards)).toEqual([CLOPIDOGREL_RULE]);
    const active = clopidogrel('mr-1');
    active.status = 'active';
    const view = await call(
      'tailor-patient-view',
      {
        hook: 'patient-view',
        hookInstance: 'd1577c69-dfbe-44ad-ba6d-000000000999',
        context: { userId: 'Practitioner/1', patientId: PATIENT },
        prefetch: { ...prefetch(), patient: patient(PATIENT), activeMedications: searchset([active]) },
      },
      overrides,
    );
    expect(ruleIds(view.cards)).toContain(CLOPIDOGREL_RULE);
    expect(asked).toBe(0);
  });
});

describe('feedback acknowledges only an order-select dismissal', () => {
  test('an order-sign card dismissed: no acknowledgement (it would suppress nothing it should)', async () => {
    const { cards } = await sign();
    const card = cards.find((c) => provenance(c).ruleId === CLOPIDOGREL_RULE)!;
    await dismiss(card, 'overridden', undefined, 'tailor-order-sign');
    expect(feedback.entries).toHaveLength(1);
    expect(acks.entries).toEqual([]);
  });

  test('feedback for an order-select card sent to another service: no acknowledgement', async () => {
    await dismiss(await select(), 'overridden', undefined, 'tailor-order-sign');
    expect(acks.entries).toEqual([]);
  });

  test('an unknown card: feedback stored, no acknowledgement', async () => {
    const result = await receiveFeedback(
      'tailor-order-select',
      {
        feedback: [{ card: 'never-shown', outcome: 'overridden', outcomeTimestamp: '2026-11-27T08:00:00Z' }],
      },
      feedbackDeps(),
    );
    expect(result).toEqual({ kind: 'stored', stored: 1, duplicates: 0 });
    expect(acks.entries).toEqual([]);
  });

  test('a repeat is idempotent, and a repeat retries an acknowledgement that failed', async () => {
    const card = await select();
    const at = new Date(now).toISOString();
    const failing = { acknowledge: async () => Promise.reject(new Error('store down')) };
    await dismiss(card, 'overridden', at, undefined, feedbackDeps({ acknowledgements: failing }));
    expect(acks.entries).toEqual([]);
    await dismiss(card, 'overridden', at);
    await dismiss(card, 'overridden', at);
    expect(acks.entries).toHaveLength(1);
    expect(feedback.entries).toHaveLength(1);
  });

  test('a failed acknowledgement write: the feedback is still stored and answered, with a warning and a metric', async () => {
    const card = await select();
    const failing = { acknowledge: async () => Promise.reject(new Error(`ACK#${PATIENT}`)) };
    const result = await receiveFeedback(
      'tailor-order-select',
      {
        feedback: [{ card: card.uuid, outcome: 'overridden', outcomeTimestamp: new Date(now).toISOString() }],
      },
      feedbackDeps({ acknowledgements: failing }),
    );
    expect(result).toEqual({ kind: 'stored', stored: 1, duplicates: 0 });
    expect(lines).toContain('metric AcknowledgementWriteFailed 1');
    expect(lines.some((line) => line.startsWith('warn acknowledgement write failed'))).toBe(true);
    expect(lines.join('\n')).not.toContain(PATIENT);
  });
});
