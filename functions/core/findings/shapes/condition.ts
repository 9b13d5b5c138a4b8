/**
 * Condition resources (problem list, encounter diagnoses) → ConditionFinding. Codes stay as given; mapping them
 * to our vocabulary (`key`) is a later step.
 *
 * entered-in-error Conditions are dropped. Refuted ones are kept, with verification "refuted", so a rule can see
 * that a diagnosis was ruled out; rules must read `verification`.
 */
import type { ConditionFinding } from '../../model';
import type { Entry } from '../collect';
import { type ReadContext, warn } from '../context';
import { codings, get, getText, text } from '../json';
import { sourceRef } from '../observation';

/** A status given as a CodeableConcept (R4) or a code string (STU3 and earlier). */
function statusCode(value: unknown): string | undefined {
  const plain = text(value);
  if (plain !== undefined) return plain.toLowerCase();
  const code = codings(value).find((c) => c.code !== undefined)?.code;
  return code?.toLowerCase();
}

export function readCondition(ctx: ReadContext, entry: Entry): void {
  const condition = entry.resource;
  const verification = statusCode(get(condition, 'verificationStatus'));
  if (verification === 'entered-in-error') return;
  const code = get(condition, 'code');
  const codes = codings(code).map((c) => ({ ...c }));
  const label = getText(code, 'text') ?? codes.find((c) => c.display !== undefined)?.display;
  if (codes.length === 0 && label === undefined) {
    warn(ctx, entry, 'Condition has no code or text; not used.');
    return;
  }
  const finding: ConditionFinding = {
    codes,
    verification: verification ?? 'unknown',
    clinical: statusCode(get(condition, 'clinicalStatus')) ?? 'unknown',
    origin: 'unknown',
    sources: [sourceRef(ctx, entry, 'condition')],
  };
  if (label !== undefined) finding.text = label;
  ctx.conditions.push(finding);
}
