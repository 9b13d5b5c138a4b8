/**
 * Diplotype and allele text as labs write it → our normal form. Alleles keep the order given; resolving aliases,
 * PharmVar ids and sorting is the derivation step's job.
 */
import { isHla } from './genes';
import { normaliseHlaAllele } from './hla';

/** Genes with one copy: a single allele is a complete call. */
const HAPLOID = new Set(['MT-RNR1']);

const VKORC1_RS = 'rs9923231';

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** "x2", "X3", "×2", "xN", "x≥3", "x>=3", "≥3", ">=3" → "x2", "x3", "x2", "xN", "x≥3". */
function copyNumber(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '';
  const m = /^[xX×]?(≥|>=)?(\d+|[nN])$/.exec(raw);
  if (!m) return '';
  return `x${m[1] !== undefined ? '≥' : ''}${m[2]!.toUpperCase()}`;
}

/** Words that are results or remarks, never allele names. */
const NOT_ALLELES = new Set([
  'positive',
  'negative',
  'present',
  'absent',
  'detected',
  'normal',
  'abnormal',
  'unknown',
  'none',
  'na',
  'pdf',
  'report',
  'see report',
  'no call',
  'failed',
  'indeterminate',
]);

/** Whole values that are not results. */
const NOT_ANSWERS = new Set([
  'n/a',
  'na',
  'not applicable',
  'pending',
  'see report',
  'see comment',
  'unknown',
]);

/** Allele names without a star that labs use: HGVS, rs ids, reference, G6PD-style names ("A-", "Mediterranean"). */
function namedAllele(value: string): string | undefined {
  const t = value.replace(/\s+/g, ' ').trim();
  if (t === '' || t.length > 40 || NOT_ALLELES.has(t.toLowerCase())) return undefined;
  if (/^[cgmnpr]\.\S+$/.test(t)) return t;
  if (/^rs\d+(?: ?[ACGT]+)?$/i.test(t)) return t.replace(/^RS/i, 'rs');
  if (/^(?:reference|ref|wild ?type|wt)$/i.test(t)) return t;
  if (/^[A-Z][A-Za-z0-9+-]{0,19}$/.test(t)) return t;
  // APOE-style e2 / e3 / e4.
  if (/^[a-z]\d{1,2}$/.test(t)) return t;
  return undefined;
}

/**
 * One allele token → normal form, after the gene prefix has been removed: "*7.001" → "*7", "*1 x2" → "*1x2",
 * "PV00155" → "PV00155"; other named alleles ("c.1905+1G>A", "Reference", "m.1555A>G") are kept as written.
 */
function normaliseToken(gene: string, token: string): string | undefined {
  let t = token.trim();
  if (t === '') return undefined;
  // Strip the gene prefix ("CYP2D6*7", "CYP2C19 *1", "CYP2D6_*1"); another gene's prefix makes the text unusable.
  const prefix = /^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)[\s_:]*(?=\*)/.exec(t);
  if (prefix) {
    if (prefix[1]!.toUpperCase() !== gene) return undefined;
    t = t.slice(prefix[0].length);
  } else {
    const spaced = new RegExp(`^${escapeRegExp(gene)}[\\s_:]+`, 'i').exec(t);
    if (spaced) t = t.slice(spaced[0].length);
  }
  if (/^PV\d+$/i.test(t)) return t.toUpperCase();
  if (t.startsWith('*')) {
    const compact = t.replace(/\s+/g, '');
    const m = /^\*(\d+)([A-Za-z]*?)(?:\.\d+)?((?:[xX×](?:≥|>=)?(?:\d+|[nN]))|(?:(?:≥|>=)\d+))?$/.exec(
      compact,
    );
    if (!m) return undefined;
    return `*${m[1]}${m[2]!.toUpperCase()}${copyNumber(m[3])}`;
  }
  return namedAllele(t);
}

/** A single allele (a haplotype value): "CYP2D6*7.001" → "*7", "PV00155" → "PV00155", "HLA-B*57:01" → "*57:01". */
export function normaliseAlleleText(gene: string, value: string): string | undefined {
  const g = gene.toUpperCase();
  if (isHla(g)) {
    const allele = normaliseHlaAllele(value);
    return allele !== undefined && allele.locus === g ? allele.name : undefined;
  }
  if (value.includes('/')) return undefined;
  return normaliseToken(g, value);
}

/** VKORC1 -1639G>A (rs9923231) genotype on the plus strand: "C/T", from plus-strand or gene-strand writing. */
function vkorc1(value: string): string | undefined {
  let t = value.trim();
  t = t.replace(/^VKORC1[\s_:]*/i, '');
  const geneStrand = /(?:c\.)?-1639/i.test(t);
  t = t
    .replace(new RegExp(VKORC1_RS, 'ig'), ' ')
    .replace(/(?:c\.)?-1639\s*(?:G>A)?/gi, ' ')
    .replace(/genotype|:/gi, ' ')
    .trim();
  const m = /^([ACGT])\s*[/|;]?\s*([ACGT])$/i.exec(t);
  if (!m) return undefined;
  const plus = (base: string): string | undefined => {
    const b = base.toUpperCase();
    if (!geneStrand) return b === 'C' || b === 'T' ? b : undefined;
    if (b === 'G') return 'C';
    if (b === 'A') return 'T';
    return undefined;
  };
  const a = plus(m[1]!);
  const b = plus(m[2]!);
  return a !== undefined && b !== undefined ? `${a}/${b}` : undefined;
}

/**
 * Diplotype text → normal form, or undefined when it cannot be read safely.
 * - strips the gene prefix and spaces: "CYP2C19 *1/*17" → "*1/*17", "CYP2D6*7.001 / CYP2D6*1.001" → "*7/*1"
 * - sub-alleles to the core allele (".001"), copy numbers kept ("*1x2", "*2x≥3"; "x3", "≥3", ">=3" accepted)
 * - PharmVar ids pass through as allele tokens ("PV00155/PV00126")
 * - VKORC1: the rs9923231 genotype on the plus strand ("C/T"), from "rs9923231 C/T", "CT" or "-1639 G/A"
 * - HLA: allele names without the locus ("HLA-B*57:01/HLA-B*08:01" → "*57:01/*08:01")
 * - order as given; a gene prefix naming another gene makes the text unusable.
 */
export function normaliseDiplotypeText(gene: string, text: string): string | undefined {
  const g = gene.trim().toUpperCase();
  if (g === '' || typeof text !== 'string') return undefined;
  const value = text.trim();
  if (value === '' || value.length > 200 || NOT_ANSWERS.has(value.toLowerCase())) return undefined;
  if (g === 'VKORC1') {
    const snp = vkorc1(value);
    if (snp !== undefined) return snp;
  }
  // A leading "GENE " before the whole diplotype ("CYP2C19 *1/*17", "CYP2C9_*1/*3").
  const body = value.replace(new RegExp(`^${escapeRegExp(g)}(?:[\\s_:]+|(?=\\*))`, 'i'), '');
  const parts = body.split('/');
  if (isHla(g)) {
    if (parts.length !== 2) return undefined;
    const names: string[] = [];
    for (const p of parts) {
      const raw = p.trim();
      const allele = normaliseHlaAllele(/^\*|^[A-Za-z]/.test(raw) ? raw : `*${raw}`);
      if (allele === undefined || (allele.locus !== g && allele.locus !== undefined)) return undefined;
      names.push(allele.name);
    }
    return names.join('/');
  }
  const expected = HAPLOID.has(g) ? 1 : 2;
  if (parts.length !== expected) return undefined;
  const tokens: string[] = [];
  for (const p of parts) {
    const token = normaliseToken(g, p);
    if (token === undefined) return undefined;
    tokens.push(token);
  }
  return tokens.join('/');
}
