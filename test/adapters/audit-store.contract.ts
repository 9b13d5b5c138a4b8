import { beforeEach, describe, expect, it } from 'vitest';
import type {
  Acknowledgement,
  AcknowledgementStore,
  AuditRecord,
  AuditStore,
  FeedbackRecord,
  FeedbackStore,
} from '../../functions/core/ports';

/** The auth adapter's replay cache, structurally. */
export interface ReplayCacheLike {
  claim(key: string, expiresAt: number): Promise<boolean>;
}

/** Fresh, empty storage per test; the `other*` parties share it (another process). */
export interface AuditStoreFixture {
  audit: AuditStore;
  feedback: FeedbackStore;
  otherFeedback: FeedbackStore;
  replay: ReplayCacheLike;
  otherReplay: ReplayCacheLike;
  acknowledgements: AcknowledgementStore;
  otherAcknowledgements: AcknowledgementStore;
}

// Today's date: DynamoDB Local runs TTL, so records dated long ago (past their retention) may vanish mid-test.
const TODAY = new Date().toISOString().slice(0, 10);

export function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    patientKey: 'hmac-3f9a7c',
    hook: 'order-select',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    service: 'tailor-pgx',
    ruleSetVersion: '1.4.0',
    firedRules: ['cyp2c19-clopidogrel@1.0.0'],
    cardUuids: ['card-1', 'card-2'],
    cards: [
      {
        uuid: 'card-1',
        ruleId: 'cyp2c19-clopidogrel',
        ruleVersion: '1.0.0',
        action: 'avoid',
        classification: 'Strong',
        orderId: 'MedicationRequest-draft-1',
      },
      { uuid: 'card-2', ruleId: 'slco1b1-simvastatin', ruleVersion: '2.1.0', action: 'reduce-dose' },
    ],
    outcome: 'answered',
    durationMs: 4.2,
    at: `${TODAY}T10:00:00.000Z`,
    tenant: 'synthetic-hospital',
    ...overrides,
  };
}

export function feedbackRecord(overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    service: 'tailor-pgx',
    card: 'card-1',
    outcome: 'overridden',
    acceptedSuggestions: [],
    overrideReason: {
      code: 'patient-tolerated',
      system: 'https://example.org/reasons',
      userComment: 'tolerated',
    },
    outcomeTimestamp: `${TODAY}T10:05:00.000Z`,
    ruleId: 'cyp2c19-clopidogrel',
    ruleVersion: '1.0.0',
    receivedAt: `${TODAY}T10:05:01.000Z`,
    ...overrides,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const HOUR = 3_600_000;
/** A time relative to now (DynamoDB Local runs TTL), as Date.toISOString writes it. */
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

export function acknowledgement(overrides: Partial<Acknowledgement> = {}): Acknowledgement {
  return {
    patientKey: 'hmac-3f9a7c',
    orderId: 'MedicationRequest-draft-1',
    ruleId: 'cyp2c19-clopidogrel',
    ruleVersion: '1.0.0',
    action: 'avoid',
    classification: 'Strong',
    ruleSetVersion: '1.4.0',
    card: 'card-1',
    at: hoursAgo(1),
    tenant: 'synthetic-hospital',
    ...overrides,
  };
}

export function describeAuditStoreContract(name: string, setup: () => Promise<AuditStoreFixture>): void {
  describe(`Audit, feedback and replay contract: ${name}`, () => {
    let fixture: AuditStoreFixture;

    beforeEach(async () => {
      fixture = await setup();
    });

    describe('audit', () => {
      it("finds each card's rule after a record, and nothing for an unknown card", async () => {
        await fixture.audit.record(auditRecord());

        // What feedback needs to acknowledge an order-select dismissal: hook, order, patient, rule set, tenant.
        expect(await fixture.audit.findCard('card-1')).toEqual({
          ruleId: 'cyp2c19-clopidogrel',
          ruleVersion: '1.0.0',
          service: 'tailor-pgx',
          hook: 'order-select',
          action: 'avoid',
          classification: 'Strong',
          orderId: 'MedicationRequest-draft-1',
          patientKey: 'hmac-3f9a7c',
          ruleSetVersion: '1.4.0',
          tenant: 'synthetic-hospital',
        });
        // A card about no order, recorded without a tenant: those fields are absent, not empty.
        await fixture.audit.record(auditRecord({ tenant: undefined, hookInstance: 'no-tenant' }));
        expect(await fixture.audit.findCard('card-2')).toEqual({
          ruleId: 'slco1b1-simvastatin',
          ruleVersion: '2.1.0',
          service: 'tailor-pgx',
          hook: 'order-select',
          action: 'reduce-dose',
          patientKey: 'hmac-3f9a7c',
          ruleSetVersion: '1.4.0',
        });
        expect(await fixture.audit.findCard('card-unknown')).toBeUndefined();
      });

      it('records evaluations without cards and failed checks', async () => {
        await fixture.audit.record(
          auditRecord({ cards: [], cardUuids: [], firedRules: [], tenant: undefined }),
        );
        await fixture.audit.record(
          auditRecord({ outcome: 'failed-check', cards: [], cardUuids: [], hookInstance: 'other-instance' }),
        );

        expect(await fixture.audit.findCard('card-1')).toBeUndefined();
      });
    });

    describe('feedback', () => {
      it('stores feedback once per card, outcome and timestamp', async () => {
        expect(await fixture.feedback.put(feedbackRecord())).toBe('stored');
        expect(
          await fixture.otherFeedback.put(feedbackRecord({ receivedAt: `${TODAY}T10:06:00.000Z` })),
        ).toBe('duplicate');
        expect(
          await fixture.feedback.put(feedbackRecord({ outcomeTimestamp: `${TODAY}T10:07:00.000Z` })),
        ).toBe('stored');
        expect(
          await fixture.feedback.put(
            feedbackRecord({ outcome: 'accepted', acceptedSuggestions: ['s-1'], overrideReason: undefined }),
          ),
        ).toBe('stored');
        expect(await fixture.feedback.put(feedbackRecord({ card: 'card-2' }))).toBe('stored');
      });

      it('stores feedback for a card it cannot join to a rule', async () => {
        expect(
          await fixture.feedback.put(
            feedbackRecord({ card: 'card-unknown', ruleId: undefined, ruleVersion: undefined }),
          ),
        ).toBe('stored');
      });

      it('stores one of several identical feedbacks sent at once', async () => {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? fixture.otherFeedback : fixture.feedback).put(feedbackRecord()),
          ),
        );

        expect(results.filter((result) => result === 'stored')).toHaveLength(1);
        expect(results.filter((result) => result === 'duplicate')).toHaveLength(5);
      });
    });

    describe('acknowledgements', () => {
      it('gives back what was acknowledged, oldest first', async () => {
        const older = acknowledgement({ card: 'card-0', at: hoursAgo(3) });
        const newer = acknowledgement();
        const untenanted = acknowledgement({ card: 'card-2', at: hoursAgo(2), tenant: undefined });
        await fixture.acknowledgements.acknowledge(newer);
        await fixture.acknowledgements.acknowledge(older);
        await fixture.acknowledgements.acknowledge(untenanted);

        const found = await fixture.otherAcknowledgements.since('hmac-3f9a7c', hoursAgo(12));

        expect(found).toEqual([older, untenanted, newer]);
        expect(found[1]).not.toHaveProperty('tenant');
      });

      it('gives only those at or after the window start', async () => {
        const inside = acknowledgement({ card: 'card-in', at: hoursAgo(11) });
        const outside = acknowledgement({ card: 'card-out', at: hoursAgo(13) });
        await fixture.acknowledgements.acknowledge(inside);
        await fixture.acknowledgements.acknowledge(outside);

        expect(await fixture.acknowledgements.since('hmac-3f9a7c', hoursAgo(12))).toEqual([inside]);
        expect(await fixture.acknowledgements.since('hmac-3f9a7c', inside.at)).toEqual([inside]);
        expect(await fixture.acknowledgements.since('hmac-3f9a7c', hoursAgo(0))).toEqual([]);
      });

      it('is idempotent: a repeat (from another process too) is one acknowledgement', async () => {
        const ack = acknowledgement();
        await fixture.acknowledgements.acknowledge(ack);
        await fixture.otherAcknowledgements.acknowledge(ack);
        await Promise.all([
          fixture.acknowledgements.acknowledge(ack),
          fixture.otherAcknowledgements.acknowledge(ack),
        ]);

        expect(await fixture.acknowledgements.since('hmac-3f9a7c', hoursAgo(12))).toEqual([ack]);
      });

      it("never gives another patient's acknowledgements", async () => {
        const mine = acknowledgement();
        await fixture.acknowledgements.acknowledge(mine);
        await fixture.acknowledgements.acknowledge(
          acknowledgement({ patientKey: 'hmac-other', card: 'card-9' }),
        );
        // A key that is a prefix of another must not read the other's partition.
        await fixture.acknowledgements.acknowledge(
          acknowledgement({ patientKey: 'hmac-3f9a7cX', card: 'card-8' }),
        );

        expect(await fixture.acknowledgements.since('hmac-3f9a7c', hoursAgo(12))).toEqual([mine]);
        expect(await fixture.acknowledgements.since('hmac-nobody', hoursAgo(12))).toEqual([]);
      });
    });

    describe('replay cache', () => {
      it('grants a claim once until it expires', async () => {
        const until = nowSeconds() + 300;

        expect(await fixture.replay.claim('issuer|jti-1', until)).toBe(true);
        expect(await fixture.otherReplay.claim('issuer|jti-1', until)).toBe(false);
        expect(await fixture.replay.claim('issuer|jti-2', until)).toBe(true);
        expect(await fixture.replay.claim('other-issuer|jti-1', until)).toBe(true);
      });

      it('grants exactly one of several parallel claims of the same key', async () => {
        const until = nowSeconds() + 300;

        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? fixture.otherReplay : fixture.replay).claim('jti-race', until),
          ),
        );

        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('lets an expired claim be claimed again (TTL deletes late)', async () => {
        expect(await fixture.replay.claim('jti-old', nowSeconds() - 60)).toBe(true);

        expect(await fixture.otherReplay.claim('jti-old', nowSeconds() + 300)).toBe(true);
        expect(await fixture.replay.claim('jti-old', nowSeconds() + 300)).toBe(false);
      });

      it('accepts very long keys', async () => {
        const long = `issuer|${'x'.repeat(3000)}`;

        expect(await fixture.replay.claim(long, nowSeconds() + 300)).toBe(true);
        expect(await fixture.replay.claim(long, nowSeconds() + 300)).toBe(false);
        expect(await fixture.replay.claim(`${long}y`, nowSeconds() + 300)).toBe(true);
      });
    });
  });
}
