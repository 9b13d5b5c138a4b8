import type {
  AcknowledgementStore,
  AuditStore,
  Clock,
  FeedbackRecord,
  FeedbackStore,
  Log,
  Metrics,
} from '../ports';
import { validateFeedback } from '../precompiled/feedback-validator';
import { acknowledgementFor } from './acknowledgements';
import { serviceById } from './services';

// CDS Hooks 2.0 feedback: what the clinician did with each card.
export const feedbackSchema = {
  type: 'object',
  required: ['feedback'],
  properties: {
    feedback: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['card', 'outcome', 'outcomeTimestamp'],
        properties: {
          card: { type: 'string', minLength: 1, maxLength: 256 },
          outcome: { enum: ['accepted', 'overridden'] },
          outcomeTimestamp: { type: 'string', format: 'date-time' },
          acceptedSuggestions: {
            type: 'array',
            items: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
          },
          overrideReason: {
            type: 'object',
            properties: {
              reason: {
                type: 'object',
                required: ['code', 'system'],
                properties: {
                  code: { type: 'string' },
                  system: { type: 'string' },
                  display: { type: 'string' },
                },
              },
              userComment: { type: 'string', maxLength: 2000 },
            },
          },
        },
      },
    },
  },
} as const;

// Compiled ahead of time from feedbackSchema (infra/precompile-validators.ts): no Ajv compiler at cold start.
const feedbackValidator = () => validateFeedback;

interface FeedbackItem {
  card: string;
  outcome: 'accepted' | 'overridden';
  outcomeTimestamp: string;
  acceptedSuggestions?: { id: string }[];
  overrideReason?: { reason?: { code: string; system: string; display?: string }; userComment?: string };
}

export type FeedbackOutcome =
  | { kind: 'stored'; stored: number; duplicates: number }
  | { kind: 'rejected'; status: 400 | 404; problem: string };

export interface FeedbackCoreDependencies {
  audit: AuditStore;
  feedback: FeedbackStore;
  clock: Clock;
  /** Where an order-select card's dismissal is acknowledged for order-sign; absent: never. */
  acknowledgements?: Pick<AcknowledgementStore, 'acknowledge'>;
  log?: Log;
  metrics?: Metrics;
}

/**
 * Stores each feedback item with the card's rule and version; a repeat is recognised and not stored twice. An
 * order-select card dismissed (`overridden`) is also acknowledged, so order-sign does not show it again.
 */
export async function receiveFeedback(
  serviceId: string,
  body: unknown,
  deps: FeedbackCoreDependencies,
): Promise<FeedbackOutcome> {
  if (!serviceById(serviceId))
    return { kind: 'rejected', status: 404, problem: `no CDS service "${serviceId}"` };
  const validate = feedbackValidator();
  if (!validate(body)) {
    const e = validate.errors?.[0];
    const where = e?.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'feedback';
    const missing = (e?.params as { missingProperty?: string } | undefined)?.missingProperty;
    return {
      kind: 'rejected',
      status: 400,
      problem: missing ? `${where}: ${missing} is required` : `${where} ${e?.message ?? 'is invalid'}`,
    };
  }
  const items = (body as { feedback: FeedbackItem[] }).feedback;
  const unexplained = items.findIndex(
    (item) => item.outcome === 'accepted' && !item.acceptedSuggestions?.length,
  );
  if (unexplained >= 0) {
    return {
      kind: 'rejected',
      status: 400,
      problem: `feedback.${unexplained}: acceptedSuggestions is required when the outcome is accepted`,
    };
  }
  let stored = 0;
  let duplicates = 0;
  for (const item of items) {
    const provenance = await deps.audit.findCard(item.card);
    const receivedAt = deps.clock.now();
    const record: FeedbackRecord = {
      service: serviceId,
      card: item.card,
      outcome: item.outcome,
      acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
      outcomeTimestamp: item.outcomeTimestamp,
      receivedAt: receivedAt.toISOString(),
      ...(provenance ? { ruleId: provenance.ruleId, ruleVersion: provenance.ruleVersion } : {}),
      ...(item.overrideReason
        ? {
            overrideReason: {
              ...(item.overrideReason.reason ?? {}),
              ...(item.overrideReason.userComment ? { userComment: item.overrideReason.userComment } : {}),
            },
          }
        : {}),
    };
    if ((await deps.feedback.put(record)) === 'stored') stored++;
    else duplicates++;
    // After the feedback (the record of truth), and on a repeat too: the acknowledgement is idempotent.
    const ack = deps.acknowledgements && acknowledgementFor(item, serviceId, provenance, receivedAt);
    if (ack) await acknowledge(ack, serviceId, deps);
  }
  return { kind: 'stored', stored, duplicates };
}

/** A failed acknowledgement write does not fail the feedback: the card simply shows again at order-sign. */
async function acknowledge(
  ack: Parameters<AcknowledgementStore['acknowledge']>[0],
  service: string,
  deps: FeedbackCoreDependencies,
): Promise<void> {
  try {
    await deps.acknowledgements?.acknowledge(ack);
  } catch (error) {
    deps.log?.warn('acknowledgement write failed: the card will show again at order-sign', {
      service,
      error: error instanceof Error ? error.name : typeof error,
    });
    deps.metrics?.count('AcknowledgementWriteFailed', 1, { service });
  }
}
