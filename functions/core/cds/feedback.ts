import type { AuditStore, Clock, FeedbackRecord, FeedbackStore } from '../ports';
import { validateFeedback } from '../precompiled/feedback-validator';
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

/** Stores each feedback item with the card's rule and version; a repeat is recognised and not stored twice. */
export async function receiveFeedback(
  serviceId: string,
  body: unknown,
  deps: { audit: AuditStore; feedback: FeedbackStore; clock: Clock },
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
    const record: FeedbackRecord = {
      service: serviceId,
      card: item.card,
      outcome: item.outcome,
      acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
      outcomeTimestamp: item.outcomeTimestamp,
      receivedAt: deps.clock.now().toISOString(),
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
  }
  return { kind: 'stored', stored, duplicates };
}
