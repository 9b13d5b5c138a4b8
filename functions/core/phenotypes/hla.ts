/**
 * HLA carrier status per risk allele. A typed copy counts as carrying "*57:01" when it names that allele at two
 * fields or more; a copy whose alternatives (ambiguity) only partly match, or that is typed at one field, makes
 * the status indeterminate. Presence tests ("*57:01 positive") are evidence too; evidence that disagrees is a
 * conflict, never settled by picking one.
 */
import type { AlleleStatus, GeneCall } from '../model';

/** What one source says about one allele. */
export interface HlaEvidence {
  allele: string;
  status: AlleleStatus;
  /** How it was learnt, for notes: "typing", "presence test", "reported phenotype". */
  via: string;
}

type Match = 'yes' | 'no' | 'maybe';

/** "HLA-B*57:01:01G" → ["57", "01", "01"]; legacy "B*5701" → ["57", "01"]. */
export function hlaFields(raw: string): string[] {
  let s = raw.normalize('NFKC').trim().toUpperCase();
  s = s.replace(/^(?:HLA-?)?[A-Z0-9]+(?=\*)/, '').replace(/^\*/, '');
  s = s.replace(/[GPNLSQCA]$/, '');
  if (/^\d{4}$/.test(s)) return [s.slice(0, 2), s.slice(2)];
  return s.split(':').filter((f) => f !== '');
}

/** Two-field name of a risk allele or tested allele: "*57:01". */
export function twoFieldName(raw: string): string | undefined {
  const f = hlaFields(raw);
  return f.length >= 2 && /^\d+$/.test(f[0]!) && /^\d+$/.test(f[1]!) ? `*${f[0]}:${f[1]}` : undefined;
}

function matches(typed: string, risk: readonly string[]): Match {
  const f = hlaFields(typed);
  const first = f[0];
  if (first === undefined || !/^\d+$/.test(first)) return 'maybe';
  if (Number(first) !== Number(risk[0])) return 'no';
  const second = f[1];
  if (second === undefined || !/^\d+$/.test(second)) return 'maybe';
  return Number(second) === Number(risk[1]) ? 'yes' : 'no';
}

/** Carrier status of one risk allele from typed copies, each a list of ambiguous alternatives. */
export function statusFromTyping(copies: readonly (readonly string[])[], riskAllele: string): AlleleStatus {
  const risk = hlaFields(riskAllele);
  let uncertain = false;
  for (const alternatives of copies) {
    const m = alternatives.map((a) => matches(a, risk));
    if (m.length > 0 && m.every((x) => x === 'yes')) return 'positive';
    if (m.length === 0 || m.some((x) => x !== 'no')) uncertain = true;
  }
  // Both copies must be typed before a risk allele can be ruled out.
  return uncertain || copies.length < 2 ? 'indeterminate' : 'negative';
}

/** The copies a call types: GeneCall.hla, or a diplotype ("*57:01/*08:01", or GL-style "+"-separated). */
export function typedCopies(call: GeneCall): string[][] | undefined {
  if (call.hla !== undefined) return call.hla.copies.map((c) => [...c]);
  const d = call.diplotype?.trim();
  if (d === undefined || d === '') return undefined;
  if (d.includes('+')) return d.split('+').map((c) => c.split('/').filter((a) => a.trim() !== ''));
  return d
    .split('/')
    .filter((a) => a.trim() !== '')
    .map((a) => [a]);
}

const REPORTED =
  /(\*\s*\d+:\d+)\s*[:-]?\s*(positive|negative|present|absent|not detected|detected|carrier|non-carrier)/i;

/** Everything one call says about the risk alleles (and any other tested allele). */
export function hlaEvidence(call: GeneCall, riskAlleles: readonly string[], notes: string[]): HlaEvidence[] {
  const evidence: HlaEvidence[] = [];
  const copies = typedCopies(call);
  if (copies !== undefined) {
    for (const allele of riskAlleles) {
      const status = statusFromTyping(copies, allele);
      evidence.push({ allele, status, via: 'typing' });
      if (status === 'indeterminate') {
        notes.push(
          copies.length < 2
            ? `${call.gene} ${allele}: only ${copies.length} HLA copy typed; carrier status cannot be ruled out`
            : `${call.gene} ${allele}: matches only within an ambiguous or low-resolution typing`,
        );
      }
    }
  }
  for (const [raw, status] of Object.entries(call.alleleTests ?? {})) {
    const allele = twoFieldName(raw);
    if (allele === undefined) {
      notes.push(`${call.gene}: presence test for "${raw}" is not a two-field allele and was not used`);
    } else {
      evidence.push({ allele, status, via: 'presence test' });
    }
  }
  if (call.reportedPhenotype !== undefined) {
    const m = REPORTED.exec(call.reportedPhenotype);
    const allele = m?.[1] === undefined ? undefined : twoFieldName(m[1].replace(/\s+/g, ''));
    if (m?.[2] !== undefined && allele !== undefined) {
      const word = m[2].toLowerCase();
      const positive = ['positive', 'present', 'detected', 'carrier'].includes(word);
      evidence.push({ allele, status: positive ? 'positive' : 'negative', via: 'reported phenotype' });
    } else {
      notes.push(`${call.gene}: reported phenotype "${call.reportedPhenotype}" not recognised`);
    }
  }
  return evidence;
}

/** Per allele: positive and negative together is a conflict; otherwise a determinate status wins. */
export function resolveEvidence(evidence: readonly HlaEvidence[]): Map<string, AlleleStatus | 'conflict'> {
  const byAllele = new Map<string, Set<AlleleStatus>>();
  for (const e of evidence) {
    const set = byAllele.get(e.allele) ?? new Set<AlleleStatus>();
    set.add(e.status);
    byAllele.set(e.allele, set);
  }
  const result = new Map<string, AlleleStatus | 'conflict'>();
  for (const [allele, set] of byAllele) {
    if (set.has('positive') && set.has('negative')) result.set(allele, 'conflict');
    else if (set.has('positive')) result.set(allele, 'positive');
    else if (set.has('negative')) result.set(allele, 'negative');
    else result.set(allele, 'indeterminate');
  }
  return result;
}
