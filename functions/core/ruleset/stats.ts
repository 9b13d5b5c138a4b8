import type { FeedbackRecord } from '../ports';

/** A card the service showed, as the audit trail keeps it (no patient data). */
export interface ShownCard {
  uuid: string;
  ruleId: string;
  ruleVersion: string;
  action: string;
  service: string;
  ruleSetVersion: string;
  at: string;
}

export interface OverrideReasonCount {
  /** The reason's code and display as the EHR sent them; neither when the clinician gave none. */
  code?: string;
  system?: string;
  display?: string;
  count: number;
}

/** What clinicians did with one rule's cards. A card counts once per outcome, however often it was reported. */
export interface RuleStats {
  ruleId: string;
  /** The rule versions and rule-set versions its cards came from. */
  ruleVersions: string[];
  ruleSetVersions: string[];
  shown: number;
  accepted: number;
  overridden: number;
  /** Cards with no feedback: EHRs send feedback only for some cards, so this is not "ignored". */
  noFeedback: number;
  overrideReasons: OverrideReasonCount[];
  /** Free-text comments are counted, not shown: they may name the patient. */
  comments: number;
}

export interface StatsReport {
  since?: string;
  cards: number;
  feedback: number;
  /** Feedback whose card the audit trail does not know (expired, or from another installation). */
  unknownCards: number;
  rules: RuleStats[];
}

export interface StatsOptions {
  /** Only cards shown at or after this ISO time. */
  since?: string;
  ruleId?: string;
  ruleSetVersion?: string;
}

const UNKNOWN_RULE = '(card not in the audit trail)';

/**
 * Per rule: cards shown, accepted, overridden and why, from the audit trail's cards and the feedback records.
 * Feedback joins its card by uuid; feedback for a card the trail does not hold counts under the rule the
 * feedback itself names, if any.
 */
export function ruleStats(
  cards: readonly ShownCard[],
  feedback: readonly FeedbackRecord[],
  options: StatsOptions = {},
): StatsReport {
  const since = options.since === undefined ? undefined : Date.parse(options.since);
  const inRange = (at: string) => since === undefined || Date.parse(at) >= since;
  const wanted = (ruleId: string, ruleSetVersion?: string) =>
    (options.ruleId === undefined || ruleId === options.ruleId) &&
    (options.ruleSetVersion === undefined || ruleSetVersion === options.ruleSetVersion);

  const byUuid = new Map<string, ShownCard>();
  const known = new Set(cards.map((card) => card.uuid));
  for (const card of cards) {
    if (inRange(card.at) && wanted(card.ruleId, card.ruleSetVersion)) byUuid.set(card.uuid, card);
  }
  const rules = new Map<string, Accumulator>();
  const rule = (ruleId: string) => {
    let entry = rules.get(ruleId);
    if (!entry) {
      entry = newAccumulator(ruleId);
      rules.set(ruleId, entry);
    }
    return entry;
  };
  for (const card of byUuid.values()) {
    const entry = rule(card.ruleId);
    entry.shown.add(card.uuid);
    entry.ruleVersions.add(card.ruleVersion);
    entry.ruleSetVersions.add(card.ruleSetVersion);
  }

  let counted = 0;
  let unknownCards = 0;
  for (const record of feedback) {
    const card = byUuid.get(record.card);
    if (!card) {
      // A known card filtered out by the options stays out; an unknown one is judged by its own time.
      if (known.has(record.card)) continue;
      if (!inRange(record.outcomeTimestamp)) continue;
      if (options.ruleSetVersion !== undefined) continue;
      if (!wanted(record.ruleId ?? UNKNOWN_RULE)) continue;
      unknownCards++;
    }
    counted++;
    const entry = rule(card?.ruleId ?? record.ruleId ?? UNKNOWN_RULE);
    if (!card && record.ruleVersion) entry.ruleVersions.add(record.ruleVersion);
    switch (record.outcome) {
      case 'accepted':
        entry.accepted.add(record.card);
        break;
      case 'overridden': {
        if (entry.overridden.has(record.card)) break;
        entry.overridden.add(record.card);
        const reason = record.overrideReason;
        const key = JSON.stringify([reason?.system ?? '', reason?.code ?? '', reason?.display ?? '']);
        const count = entry.reasons.get(key) ?? {
          ...(reason?.code !== undefined ? { code: reason.code } : {}),
          ...(reason?.system !== undefined ? { system: reason.system } : {}),
          ...(reason?.display !== undefined ? { display: reason.display } : {}),
          count: 0,
        };
        count.count++;
        entry.reasons.set(key, count);
        if (reason?.userComment) entry.comments++;
        break;
      }
    }
  }

  const report: StatsReport = {
    cards: byUuid.size,
    feedback: counted,
    unknownCards,
    rules: [...rules.values()]
      .map(finish)
      .sort((a, b) => b.shown - a.shown || b.overridden - a.overridden || a.ruleId.localeCompare(b.ruleId)),
  };
  if (options.since !== undefined) report.since = options.since;
  return report;
}

interface Accumulator {
  ruleId: string;
  ruleVersions: Set<string>;
  ruleSetVersions: Set<string>;
  shown: Set<string>;
  accepted: Set<string>;
  overridden: Set<string>;
  reasons: Map<string, OverrideReasonCount>;
  comments: number;
}

function newAccumulator(ruleId: string): Accumulator {
  return {
    ruleId,
    ruleVersions: new Set(),
    ruleSetVersions: new Set(),
    shown: new Set(),
    accepted: new Set(),
    overridden: new Set(),
    reasons: new Map(),
    comments: 0,
  };
}

function finish(entry: Accumulator): RuleStats {
  const answered = new Set([...entry.accepted, ...entry.overridden]);
  return {
    ruleId: entry.ruleId,
    ruleVersions: [...entry.ruleVersions].sort(),
    ruleSetVersions: [...entry.ruleSetVersions].sort(),
    shown: entry.shown.size,
    accepted: entry.accepted.size,
    overridden: entry.overridden.size,
    noFeedback: [...entry.shown].filter((uuid) => !answered.has(uuid)).length,
    overrideReasons: [...entry.reasons.values()].sort(
      (a, b) => b.count - a.count || (a.display ?? a.code ?? '').localeCompare(b.display ?? b.code ?? ''),
    ),
    comments: entry.comments,
  };
}
