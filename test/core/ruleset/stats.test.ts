import { describe, expect, it } from 'vitest';
import type { FeedbackRecord } from '../../../functions/core/ports';
import { ruleStats, type ShownCard } from '../../../functions/core/ruleset/stats';

const card = (
  uuid: string,
  ruleId: string,
  at = '2026-11-20T10:00:00.000Z',
  ruleSetVersion = '1.0.0',
): ShownCard => ({
  uuid,
  ruleId,
  ruleVersion: '1.0.0',
  action: 'avoid',
  service: 'tailor-order-sign',
  ruleSetVersion,
  at,
});

const REASON = {
  system: 'https://tailor-cds.org/override-reason',
  code: 'no-alternative',
  display: 'No suitable alternative',
};

const feedback = (
  cardId: string,
  outcome: FeedbackRecord['outcome'],
  extra: Partial<FeedbackRecord> = {},
): FeedbackRecord => ({
  service: 'tailor-order-sign',
  card: cardId,
  outcome,
  acceptedSuggestions: outcome === 'accepted' ? ['s1'] : [],
  outcomeTimestamp: '2026-11-20T10:05:00.000Z',
  receivedAt: '2026-11-20T10:05:01.000Z',
  ...extra,
});

describe('ruleStats', () => {
  it('counts per rule the cards shown, accepted, overridden and the reasons, most shown first', () => {
    const report = ruleStats(
      [card('a1', 'rule-a'), card('a2', 'rule-a'), card('a3', 'rule-a'), card('b1', 'rule-b')],
      [
        feedback('a1', 'accepted'),
        feedback('a2', 'overridden', { overrideReason: { ...REASON, userComment: 'see notes' } }),
        feedback('a3', 'overridden', { overrideReason: REASON }),
        feedback('b1', 'overridden'),
      ],
    );
    expect(report).toMatchObject({ cards: 4, feedback: 4, unknownCards: 0 });
    expect(report.rules).toEqual([
      {
        ruleId: 'rule-a',
        ruleVersions: ['1.0.0'],
        ruleSetVersions: ['1.0.0'],
        shown: 3,
        accepted: 1,
        overridden: 2,
        noFeedback: 0,
        overrideReasons: [{ ...REASON, count: 2 }],
        comments: 1,
      },
      expect.objectContaining({ ruleId: 'rule-b', shown: 1, overridden: 1, overrideReasons: [{ count: 1 }] }),
    ]);
    // Comments are counted, never copied out.
    expect(JSON.stringify(report)).not.toContain('see notes');
  });

  it('counts a card once per outcome however often the EHR reported it', () => {
    const report = ruleStats(
      [card('a1', 'rule-a'), card('a2', 'rule-a')],
      [
        feedback('a1', 'overridden', { overrideReason: REASON }),
        feedback('a1', 'overridden', {
          overrideReason: REASON,
          outcomeTimestamp: '2026-11-20T10:06:00.000Z',
        }),
      ],
    );
    expect(report.rules[0]).toMatchObject({
      shown: 2,
      overridden: 1,
      noFeedback: 1,
      overrideReasons: [{ count: 1 }],
    });
  });

  it('filters by time, rule and rule-set version; feedback on cards left out stays out', () => {
    const cards = [
      card('old', 'rule-a', '2026-10-01T00:00:00.000Z'),
      card('new', 'rule-a', '2026-11-25T00:00:00.000Z', '1.0.1'),
      card('other', 'rule-b', '2026-11-25T00:00:00.000Z', '1.0.1'),
    ];
    const all = [feedback('old', 'overridden'), feedback('new', 'accepted'), feedback('other', 'accepted')];
    const since = ruleStats(cards, all, { since: '2026-11-01' });
    expect(since.rules.map((r) => [r.ruleId, r.shown, r.accepted, r.overridden])).toEqual([
      ['rule-a', 1, 1, 0],
      ['rule-b', 1, 1, 0],
    ]);
    expect(ruleStats(cards, all, { ruleId: 'rule-b' }).rules.map((r) => r.ruleId)).toEqual(['rule-b']);
    expect(ruleStats(cards, all, { ruleSetVersion: '1.0.0' })).toMatchObject({ cards: 1, feedback: 1 });
  });

  it('counts feedback for cards the audit trail does not hold under the rule the feedback names', () => {
    const report = ruleStats(
      [],
      [
        feedback('gone', 'overridden', { ruleId: 'rule-a', ruleVersion: '0.9.0' }),
        feedback('unknown', 'accepted'),
      ],
    );
    expect(report.unknownCards).toBe(2);
    expect(report.rules.map((r) => [r.ruleId, r.shown, r.accepted, r.overridden, r.ruleVersions])).toEqual([
      ['rule-a', 0, 0, 1, ['0.9.0']],
      ['(card not in the audit trail)', 0, 1, 0, []],
    ]);
  });
});
