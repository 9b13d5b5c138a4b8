import type { Acknowledgement, AcknowledgementStore, CardProvenance } from '../ports';
import { type Card, PROVENANCE_KEY } from './cards';

/*
 * Alert fatigue, narrowly (the HL7 PDDI pattern): a card the clinician explicitly dismissed at order-select is
 * not shown again at order-sign for the same patient, order, rule, rule version, action, classification and
 * rule-set version, within a window. Everything else fails toward showing the card: an unknown card, feedback
 * `accepted`, a lookup that fails or is slow, a failed check.
 */

/** How long order-sign waits for the acknowledgement lookup before it shows every card. */
export const ACK_LOOKUP_BUDGET_MS = 300;

/** The order-select hook's service: only its cards can be acknowledged. */
const ACKNOWLEDGING_HOOK = 'order-select';
/** The failed-check card's rule id (cards.ts failedCheckCard): never suppressed. */
const CHECK_FAILED = 'check-failed';

export interface AcknowledgementLookup {
  store: Pick<AcknowledgementStore, 'since'>;
  /** The acknowledgement window; 0 turns suppression off. */
  windowMs: number;
  /** Default ACK_LOOKUP_BUDGET_MS. */
  budgetMs?: number;
}

/** One card left out at order-sign, as the audit record lists it. */
export interface Suppression {
  ruleId: string;
  ruleVersion: string;
  orderId: string;
  acknowledgedCard: string;
}

export type LookupResult = { ok: true; acknowledgements: Acknowledgement[] } | { ok: false; error: string };

/**
 * The acknowledgement a feedback item makes, or undefined when it makes none: only `overridden`, only for a
 * card the same service showed at order-select about one order, with its full provenance known.
 */
export function acknowledgementFor(
  item: { card: string; outcome: 'accepted' | 'overridden'; outcomeTimestamp: string },
  serviceId: string,
  provenance: CardProvenance | undefined,
  receivedAt: Date,
): Acknowledgement | undefined {
  if (item.outcome !== 'overridden' || !provenance) return undefined;
  const { hook, orderId, patientKey, action, classification, ruleSetVersion } = provenance;
  if (hook !== ACKNOWLEDGING_HOOK || provenance.service !== serviceId) return undefined;
  if (provenance.ruleId === CHECK_FAILED) return undefined;
  if (!orderId || !patientKey || !action || !classification || !ruleSetVersion) return undefined;
  const outcome = Date.parse(item.outcomeTimestamp);
  if (Number.isNaN(outcome)) return undefined;
  // A timestamp ahead of our clock must not stretch the window.
  const at = new Date(Math.min(outcome, receivedAt.getTime())).toISOString();
  return {
    patientKey,
    orderId,
    ruleId: provenance.ruleId,
    ruleVersion: provenance.ruleVersion,
    action,
    classification,
    ruleSetVersion,
    card: item.card,
    at,
    ...(provenance.tenant ? { tenant: provenance.tenant } : {}),
  };
}

/** The lookup, bounded by its budget; never rejects (a failure or timeout is a result the caller logs). */
export function lookUpAcknowledgements(
  lookup: AcknowledgementLookup,
  patientKey: string,
  now: Date,
): Promise<LookupResult> {
  const since = windowStart(lookup, now);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<LookupResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: 'Timeout' }),
      lookup.budgetMs ?? ACK_LOOKUP_BUDGET_MS,
    );
  });
  const read = Promise.resolve()
    .then(() => lookup.store.since(patientKey, since))
    .then(
      (acknowledgements): LookupResult => ({ ok: true, acknowledgements }),
      // The class name only: a message may echo keys.
      (error: unknown): LookupResult => ({
        ok: false,
        error: error instanceof Error ? error.name : typeof error,
      }),
    );
  return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
}

export function windowStart(lookup: Pick<AcknowledgementLookup, 'windowMs'>, now: Date): string {
  return new Date(now.getTime() - lookup.windowMs).toISOString();
}

/** Splits order-sign's cards into those shown and those the clinician already dismissed at order-select. */
export function suppressAcknowledged(
  cards: readonly Card[],
  acknowledgements: readonly Acknowledgement[],
  scope: { patientKey: string; since: string; tenant?: string },
): { shown: Card[]; suppressed: Suppression[] } {
  const latest = new Map<string, Acknowledgement>();
  for (const ack of acknowledgements) {
    // The store was asked for exactly these; checked again so a wider answer can never hide a card.
    if (ack.patientKey !== scope.patientKey || ack.at < scope.since) continue;
    if ((ack.tenant ?? '') !== (scope.tenant ?? '')) continue;
    const key = matchKey(ack);
    const known = latest.get(key);
    if (!known || known.at < ack.at) latest.set(key, ack);
  }
  const shown: Card[] = [];
  const suppressed: Suppression[] = [];
  for (const card of cards) {
    const p = provenanceOf(card);
    const ack = p ? latest.get(matchKey(p)) : undefined;
    if (!p || !ack) {
      shown.push(card);
      continue;
    }
    suppressed.push({
      ruleId: p.ruleId,
      ruleVersion: p.ruleVersion,
      orderId: p.orderId,
      acknowledgedCard: ack.card,
    });
  }
  return { shown, suppressed };
}

type MatchFields = Pick<
  Acknowledgement,
  'orderId' | 'ruleId' | 'ruleVersion' | 'action' | 'classification' | 'ruleSetVersion'
>;

const matchKey = (m: MatchFields): string =>
  JSON.stringify([m.orderId, m.ruleId, m.ruleVersion, m.action, m.classification, m.ruleSetVersion]);

/** A recommendation card's identity, or undefined for any card that can never be suppressed. */
function provenanceOf(card: Card): MatchFields | undefined {
  const p = card.extension?.[PROVENANCE_KEY] as Record<string, unknown> | undefined;
  if (!p || p.ruleId === CHECK_FAILED) return undefined;
  const fields = {
    orderId: p.orderId,
    ruleId: p.ruleId,
    ruleVersion: p.ruleVersion,
    action: p.action,
    classification: p.classification,
    ruleSetVersion: p.ruleSetVersion,
  };
  return Object.values(fields).every((value) => typeof value === 'string' && value !== '')
    ? (fields as MatchFields)
    : undefined;
}
