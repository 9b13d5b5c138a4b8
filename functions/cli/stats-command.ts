import { ruleStats, type StatsReport } from '../core/ruleset/stats';
import { CliError, type CliIo, columns, EXIT, plural } from './io';
import { type StoreOptions, withStore } from './store';

export interface StatsOptions extends StoreOptions {
  since?: string;
  rule?: string;
  ruleSet?: string;
  json?: boolean;
}

/** `tailor rules stats`: per rule, cards shown, accepted, overridden and the override reasons. */
export async function rulesStats(options: StatsOptions, io: CliIo): Promise<number> {
  let since: string | undefined;
  if (options.since !== undefined) {
    const parsed = Date.parse(options.since);
    if (Number.isNaN(parsed)) {
      throw new CliError(
        EXIT.usage,
        'usage',
        `--since expects a date or time such as 2026-11-01, got "${options.since}"`,
      );
    }
    since = new Date(parsed).toISOString();
  }
  return withStore(options, io, async (store) => {
    const [cards, feedback] = await Promise.all([
      store.audit.listCards(since ? { since } : {}),
      store.feedback.listFeedback(),
    ]);
    const report = ruleStats(cards, feedback, {
      ...(since ? { since } : {}),
      ...(options.rule ? { ruleId: options.rule } : {}),
      ...(options.ruleSet ? { ruleSetVersion: options.ruleSet } : {}),
    });
    if (options.json) io.out(JSON.stringify(report, null, 2));
    else for (const line of formatStats(report)) io.out(line);
    return EXIT.ok;
  });
}

const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${Math.round((100 * part) / whole)}%`);

export function formatStats(report: StatsReport): string[] {
  const lines = [
    `${plural(report.cards, 'card')} shown${report.since ? ` since ${report.since}` : ''}; ${plural(report.feedback, 'feedback record')}${report.unknownCards ? ` (${report.unknownCards} for cards the audit trail no longer holds)` : ''}`,
  ];
  if (report.rules.length === 0) return [...lines, 'Nothing to report yet.'];
  lines.push('');
  const rows = [
    ['rule', 'shown', 'accepted', 'overridden', 'override rate', 'no feedback'],
    ...report.rules.map((r) => [
      r.ruleId,
      String(r.shown),
      String(r.accepted),
      String(r.overridden),
      percent(r.overridden, r.shown),
      String(r.noFeedback),
    ]),
  ];
  lines.push(...columns(rows));
  const withReasons = report.rules.filter((r) => r.overrideReasons.length > 0);
  if (withReasons.length > 0) lines.push('', 'Override reasons:');
  for (const r of withReasons) {
    lines.push(`  ${r.ruleId}`);
    for (const reason of r.overrideReasons) {
      lines.push(
        `    ${String(reason.count).padStart(4)}  ${reason.display ?? reason.code ?? '(no reason given)'}`,
      );
    }
    if (r.comments > 0)
      lines.push(`          ${r.comments} with a free-text comment (not shown: it may name the patient)`);
  }
  lines.push('', 'EHRs send feedback for some cards only: "no feedback" is not "ignored".');
  return lines;
}
