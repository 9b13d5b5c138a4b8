/**
 * Variant Observations (69548-6, every IG version) and pre-IG "observation-genetics" variants → VariantFinding.
 */
import type { FhirShape, Presence, Significance, VariantFinding, Zygosity } from '../../model';
import {
  COORDINATES,
  hasLoinc,
  hasTbd,
  LOINC,
  presenceOf,
  SO_WILD_TYPE,
  significanceOf,
  systemKey,
  TBD,
  zygosityOf,
} from '../codes';
import type { Entry } from '../collect';
import { type ReadContext, warn } from '../context';
import { asSymbol, geneFromConcept } from '../genes';
import { codings, conceptTexts, get, getRecord, isRecord, text } from '../json';
import {
  components,
  geneticsExtensions,
  loincComponents,
  originFor,
  sourceRef,
  valueElement,
  valueTexts,
} from '../observation';

/** Texts of component values that are CodeableConcepts or strings. */
function componentTexts(obs: Record<string, unknown>, code: string): string[] {
  return loincComponents(obs, code).flatMap((c) => valueTexts(c.value, c.valueType));
}

function hgvsKind(value: string): 'c' | 'g' | 'p' | undefined {
  if (/(?:^|:)c\./.test(value)) return 'c';
  if (/(?:^|:)[gmn]\./.test(value)) return 'g';
  if (/(?:^|:)p\./.test(value)) return 'p';
  return undefined;
}

/** The first text that looks like HGVS of the wanted kind, else the first text. */
function pickHgvs(texts: string[], kind: 'c' | 'g' | 'p'): string | undefined {
  return texts.find((t) => hgvsKind(t) === kind) ?? texts.find((t) => !/\s/.test(t));
}

/** Identifiers from 81252-9 / 81255-2: rs ids as "rs…", ClinVar ids as "clinvar:…", others as given. */
function variantIds(values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') {
      const t = text(v);
      if (t !== undefined) out.push(/^rs\d+$/i.test(t) ? t.toLowerCase() : t);
      continue;
    }
    for (const c of codings(v)) {
      if (c.code === undefined) continue;
      if (/^rs\d+$/i.test(c.code)) out.push(c.code.toLowerCase());
      else if (systemKey(c.system).includes('clinvar')) out.push(`clinvar:${c.code}`);
      else out.push(c.code);
    }
    if (codings(v).length === 0) {
      const t = conceptTexts(v)[0];
      if (t !== undefined && !/\s/.test(t)) out.push(t);
    }
  }
  return out;
}

function numberAt(value: unknown, key: 'low' | 'high'): number | undefined {
  const n = get(getRecord(value, key), 'value');
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * Ref / alt alleles of a VCF-style call and, when its coordinate system is stated: an SPDI id (0-based) and, for a
 * single-nucleotide call, a g.HGVS. Without a stated coordinate system the position is not trusted.
 */
function vcfStyle(obs: Record<string, unknown>): { ref?: string; alt?: string; g?: string; spdi?: string } {
  const ref = componentTexts(obs, LOINC.refAllele)[0]?.toUpperCase();
  const alt = componentTexts(obs, LOINC.altAllele)[0]?.toUpperCase();
  const out: { ref?: string; alt?: string; g?: string; spdi?: string } = {};
  if (ref !== undefined) out.ref = ref;
  if (alt !== undefined) out.alt = alt;
  if (
    ref === undefined ||
    alt === undefined ||
    !/^[ACGTN]{1,200}$/.test(ref) ||
    !/^[ACGTN]{1,200}$/.test(alt)
  ) {
    return out;
  }
  const refSeq = loincComponents(obs, LOINC.refSeq)
    .flatMap((c) => codings(c.value))
    .map((c) => c.code)
    .find((c): c is string => c !== undefined && /^N[CGTW]_\d+\.\d+$/.test(c));
  const system = loincComponents(obs, LOINC.coordinateSystem)
    .flatMap((c) => codings(c.value))
    .map((c) => c.code)
    .find((c) => c === COORDINATES.zeroBased || c === COORDINATES.oneBased);
  const range = components(obs).find(
    (c) => hasLoinc(c.code, LOINC.exactStartEnd) || hasTbd(c.code, TBD.exactStartEnd),
  )?.value;
  const low = numberAt(range, 'low');
  if (refSeq === undefined || system === undefined || low === undefined || !Number.isInteger(low) || low < 0)
    return out;
  const zeroBased = system === COORDINATES.zeroBased ? low : low - 1;
  if (zeroBased < 0) return out;
  if (ref !== alt) out.spdi = `${refSeq}:${zeroBased}:${ref}:${alt}`;
  if (ref.length === 1 && alt.length === 1) {
    const position = zeroBased + 1;
    out.g = ref === alt ? `${refSeq}:g.${position}${ref}=` : `${refSeq}:g.${position}${ref}>${alt}`;
  }
  return out;
}

/** "NM_000106.5(CYP2D6):c.886C>T" (ClinVar names) → CYP2D6. */
function geneInHgvsName(texts: string[]): string | undefined {
  for (const t of texts) {
    const m = /\(([A-Za-z][A-Za-z0-9-]*)\):[cgnmpr]\./.exec(t);
    const symbol = asSymbol(m?.[1]);
    if (symbol !== undefined) return symbol;
  }
  return undefined;
}

function isWildType(obs: Record<string, unknown>, ref: string | undefined, alt: string | undefined): boolean {
  if (ref !== undefined && alt !== undefined && ref === alt) return true;
  return loincComponents(obs, LOINC.dnaChangeType).some((c) =>
    codings(c.value).some((k) => k.code === SO_WILD_TYPE || /^wild[\s-]?type$/i.test(k.display ?? '')),
  );
}

const EXTENSION_IDS = ['DNAVariantId', 'Variant.Id', 'DNASequenceVariantId'];
const EXTENSION_HGVS = [
  'DNASequenceVariant',
  'DNASequenceVariantName',
  'Variant.Name',
  'AminoAcidChange',
  'AminoAcidChangeName',
  'AminoAcidChange.Name',
  'Variant',
];

/** True when the genetics extensions describe a variant (not just a gene or region). */
export function extensionsDescribeVariant(obs: Record<string, unknown>): boolean {
  const ext = geneticsExtensions(obs);
  return [...EXTENSION_IDS, ...EXTENSION_HGVS].some((k) => ext.has(k));
}

function mergeSignificance(a: Significance, b: Significance): Significance | undefined {
  if (a === b || b === 'unknown') return a;
  if (a === 'unknown') return b;
  const pathogenic = new Set<Significance>(['pathogenic', 'likely-pathogenic']);
  const benign = new Set<Significance>(['benign', 'likely-benign']);
  if (pathogenic.has(a) && pathogenic.has(b)) return 'likely-pathogenic';
  if (benign.has(a) && benign.has(b)) return 'likely-benign';
  return undefined;
}

/**
 * Adds a significance to a variant. Pathogenic with likely pathogenic reads as likely pathogenic (the weaker claim);
 * disagreeing directions leave it unknown and say so.
 */
export function addSignificance(
  ctx: ReadContext,
  entry: Entry,
  variant: VariantFinding,
  s: Significance,
): void {
  const merged = mergeSignificance(variant.significance, s);
  if (merged === undefined) {
    variant.significance = 'unknown';
    warn(ctx, entry, 'Clinical significance statements for one variant disagree; significance left unknown.');
    return;
  }
  variant.significance = merged;
}

export function readVariant(ctx: ReadContext, entry: Entry, shape: FhirShape): VariantFinding | undefined {
  const obs = entry.resource;
  const ext = geneticsExtensions(obs);

  // Gene: 48018-6 components, else the genetics Gene extension.
  const geneReads = [
    ...loincComponents(obs, LOINC.gene).map((c) => geneFromConcept(c.value)),
    ...(ext.get('Gene') ?? []).map((v) => geneFromConcept(v)),
  ];
  if (geneReads.some((g) => g.problem === 'conflict')) {
    warn(ctx, entry, 'Gene id and gene name disagree; the gene was not used.');
  }
  if (geneReads.some((g) => g.problem === 'id-display-mismatch')) {
    warn(
      ctx,
      entry,
      'HGNC id does not match the gene symbol given with it (known IG example typo); the symbol was used.',
    );
  }
  const genes = [
    ...new Set(geneReads.flatMap((g) => (g.gene !== undefined && g.problem !== 'conflict' ? [g.gene] : []))),
  ];
  if (genes.length > 1) warn(ctx, entry, 'Variant names several genes; the first was used.');
  const named = geneInHgvsName(
    loincComponents(obs, LOINC.discreteVariant, LOINC.cHgvs, LOINC.pHgvs, LOINC.gHgvs).flatMap((c) =>
      valueTexts(c.value, c.valueType),
    ),
  );
  const gene = geneReads.some((g) => g.problem === 'conflict') ? '' : (genes[0] ?? named ?? '');

  // Identifiers and HGVS.
  const idValues = loincComponents(obs, LOINC.discreteVariant, LOINC.dbSnpStu1).map((c) => c.value);
  const ids = variantIds([...idValues, ...EXTENSION_IDS.flatMap((k) => ext.get(k) ?? [])]);
  const extTexts = EXTENSION_HGVS.flatMap((k) => ext.get(k) ?? []).flatMap((v) =>
    typeof v === 'string' ? [v.trim()] : conceptTexts(v),
  );
  const hgvs: VariantFinding['hgvs'] = {};
  const c = pickHgvs(
    [...componentTexts(obs, LOINC.cHgvs), ...extTexts.filter((t) => hgvsKind(t) === 'c')],
    'c',
  );
  const p = pickHgvs(
    [...componentTexts(obs, LOINC.pHgvs), ...extTexts.filter((t) => hgvsKind(t) === 'p')],
    'p',
  );
  let g = pickHgvs(
    [...componentTexts(obs, LOINC.gHgvs), ...extTexts.filter((t) => hgvsKind(t) === 'g')],
    'g',
  );
  const vcf = vcfStyle(obs);
  if (g === undefined && vcf.g !== undefined) g = vcf.g;
  if (c !== undefined) hgvs.c = c;
  if (g !== undefined) hgvs.g = g;
  if (p !== undefined) hgvs.p = p;
  for (const h of [hgvs.c, hgvs.g, hgvs.p, vcf.spdi]) if (h !== undefined) ids.push(h);
  const uniqueIds = [...new Set(ids)];

  if (gene === '' && uniqueIds.length === 0) {
    // A complex variant only groups its member variants (hasMember), which are read on their own.
    if (Array.isArray(get(obs, 'hasMember'))) return undefined;
    warn(ctx, entry, 'Variant has neither a gene nor an identifier; not used.');
    return undefined;
  }
  if (gene === '') warn(ctx, entry, 'Variant does not name its gene.');

  // Presence: the value; a reference (wild-type) call is the absence of a variant whatever the value says.
  let presence: Presence;
  let zygosity: Zygosity =
    [...loincComponents(obs, LOINC.allelicState).map((k) => k.value), ...(ext.get('AllelicState') ?? [])]
      .map((v) => zygosityOf(v))
      .find((z) => z !== 'unknown') ?? 'unknown';
  const value = valueElement(obs);
  if (isWildType(obs, vcf.ref, vcf.alt)) {
    presence = 'absent';
    zygosity = 'unknown';
    warn(
      ctx,
      entry,
      'Reference (wild-type) call recorded as a present variant (IG example style); read as absent.',
    );
  } else if (value.type === undefined) {
    presence = 'present';
    warn(ctx, entry, 'Variant has no value; read as present (a reported variant).');
  } else {
    const read =
      value.type === 'Boolean'
        ? value.value === true
          ? 'present'
          : value.value === false
            ? 'absent'
            : undefined
        : isRecord(value.value) || typeof value.value === 'string'
          ? presenceOf(typeof value.value === 'string' ? { text: value.value } : value.value)
          : undefined;
    if (read === undefined)
      warn(ctx, entry, 'Variant value is not a presence answer; read as indeterminate.');
    presence = read ?? 'indeterminate';
  }

  const significance =
    loincComponents(obs, LOINC.significance)
      .map((k) => significanceOf(k.value))
      .find((s) => s !== undefined) ?? 'unknown';

  const variant: VariantFinding = {
    gene,
    ids: uniqueIds,
    hgvs,
    presence,
    zygosity,
    significance,
    origin: originFor(ctx, entry),
    sources: [sourceRef(ctx, entry, shape)],
  };
  ctx.variants.push(variant);
  ctx.variantOf.set(entry, variant);
  return variant;
}

/** A short label for a variant in a gene call: rs id, else c.HGVS, else g.HGVS, else its first id. */
export function variantLabel(v: VariantFinding): string | undefined {
  return v.ids.find((i) => /^rs\d+$/.test(i)) ?? v.hgvs.c ?? v.hgvs.g ?? v.ids[0];
}
