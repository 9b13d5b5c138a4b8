/**
 * Gene identification: HGNC ids in any of the forms labs send, and symbols in display or text.
 *
 * HGNC ids below: the pharmacogenes listed in DOMAIN.md section 4 and the thrombophilia / bleeding syndrome genes,
 * each checked against HGNC-sourced records (genenames.org "Acc:HGNC:n" annotations, ClinGen VCEP gene lists, the
 * IG's own examples for HLA-A/-B/-C). CYP4F2 is left out: its id could not be confirmed; its symbol still matches.
 */
import { systemKey } from './codes';
import { type Coding, codings, getText } from './json';

export const HGNC_SYMBOLS: Readonly<Record<string, string>> = {
  // Pharmacogenes
  '2621': 'CYP2C19',
  '2623': 'CYP2C9',
  '2625': 'CYP2D6',
  '2638': 'CYP3A5',
  '2615': 'CYP2B6',
  '23663': 'VKORC1',
  '4931': 'HLA-A',
  '4932': 'HLA-B',
  '4933': 'HLA-C',
  '12014': 'TPMT',
  '23063': 'NUDT15',
  '3012': 'DPYD',
  '12530': 'UGT1A1',
  '10959': 'SLCO1B1',
  '74': 'ABCG2',
  '4057': 'G6PD',
  '10483': 'RYR1',
  '1397': 'CACNA1S',
  '7470': 'MT-RNR1',
  '1884': 'CFTR',
  // Thrombophilia and bleeding syndromes
  '775': 'SERPINC1',
  '9451': 'PROC',
  '9456': 'PROS1',
  '3542': 'F5',
  '3535': 'F2',
  '1366': 'ADAMTS13',
  '6138': 'ITGA2B',
  '6156': 'ITGB3',
  '4439': 'GP1BA',
  '4440': 'GP1BB',
  '4444': 'GP9',
  '12726': 'VWF',
  '3349': 'ENG',
  '175': 'ACVRL1',
  '6770': 'SMAD4',
};

/** Symbols we look for in free text (ids unknown or not given). */
export const KNOWN_SYMBOLS: ReadonlySet<string> = new Set([...Object.values(HGNC_SYMBOLS), 'CYP4F2']);

const SYMBOL_TO_ID = new Map(Object.entries(HGNC_SYMBOLS).map(([id, symbol]) => [symbol, id]));

const HGNC_SYSTEMS = new Set(['genenames.org', 'genenames.org/geneid', 'urn:oid:2.16.840.1.113883.6.281']);

export function isHgncSystem(system: string | undefined): boolean {
  return HGNC_SYSTEMS.has(systemKey(system));
}

/** "HGNC:2621", "hgnc:2621" or bare "2621" → "2621". */
export function hgncNumber(code: string): string | undefined {
  const m = /^(?:hgnc:)?(\d{1,6})$/i.exec(code.trim());
  return m ? String(Number(m[1])) : undefined;
}

/** A token that can be a gene symbol (HLA-B, MT-RNR1, CYP2C19), upper-cased. */
export function asSymbol(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toUpperCase();
  if (v.length < 2 || v.length > 20) return undefined;
  if (!/^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$/.test(v)) return undefined;
  return v;
}

const HLA_SYMBOL = /^HLA-[A-Z]+[0-9]*$/;

export function isHla(gene: string): boolean {
  return HLA_SYMBOL.test(gene);
}

export interface GeneRead {
  gene?: string;
  /** What went wrong or was repaired; never includes values. */
  problem?: 'conflict' | 'id-display-mismatch' | 'unrecognised';
}

function fromCoding(c: Coding): GeneRead {
  const display = asSymbol(c.display);
  const id =
    c.code !== undefined && (isHgncSystem(c.system) || /^hgnc:/i.test(c.code))
      ? hgncNumber(c.code)
      : undefined;
  if (id !== undefined) {
    const known = HGNC_SYMBOLS[id];
    if (known !== undefined) {
      if (display === undefined || display === known) return { gene: known };
      // The display names another gene: which one the lab meant cannot be told.
      return { problem: 'conflict' };
    }
    if (display !== undefined) {
      // An id we do not know; if the display is a gene whose id we do know, the id is wrong (IG example typo).
      return SYMBOL_TO_ID.has(display)
        ? { gene: display, problem: 'id-display-mismatch' }
        : { gene: display };
    }
    return { problem: 'unrecognised' };
  }
  if (display !== undefined) return { gene: display };
  const code = asSymbol(c.code);
  if (code !== undefined && !/^\d/.test(code)) return { gene: code };
  return { problem: 'unrecognised' };
}

/** The gene named by a CodeableConcept (a 48018-6 component value or a genetics extension). */
export function geneFromConcept(concept: unknown): GeneRead {
  const found: GeneRead[] = codings(concept).map(fromCoding);
  const text = asSymbol(getText(concept, 'text'));
  if (text !== undefined) found.push({ gene: text });
  const genes = [...new Set(found.flatMap((f) => (f.gene !== undefined ? [f.gene] : [])))];
  if (found.some((f) => f.problem === 'conflict') || genes.length > 1) return { problem: 'conflict' };
  if (genes.length === 1) {
    const repaired = found.some((f) => f.problem === 'id-display-mismatch');
    return repaired ? { gene: genes[0]!, problem: 'id-display-mismatch' } : { gene: genes[0]! };
  }
  return { problem: 'unrecognised' };
}

/**
 * A gene symbol at the start of a free text ("CYP2C19 *1/*17", "CYP2D6*7.001", "HLA-B*57:01 positive"):
 * known symbols and any HLA locus.
 */
export function leadingGene(value: string): string | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)/.exec(value);
  if (!m) return undefined;
  const candidate = m[1]!.toUpperCase();
  if (KNOWN_SYMBOLS.has(candidate) || HLA_SYMBOL.test(candidate)) return candidate;
  return undefined;
}

/** Known gene symbols mentioned anywhere in a text, in order of appearance. */
export function genesInText(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(/[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*/g)) {
    const candidate = m[0].toUpperCase();
    if ((KNOWN_SYMBOLS.has(candidate) || HLA_SYMBOL.test(candidate)) && !out.includes(candidate))
      out.push(candidate);
  }
  return out;
}
