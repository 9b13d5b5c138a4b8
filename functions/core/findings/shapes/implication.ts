/**
 * Therapeutic implications (phenotype → the gene's call) and diagnostic implications (→ ConditionFinding, and
 * clinical significance onto the variant), in every era:
 * STU3 component `therapeutic-implication`; STU2 `predicted-therapeutic-implication`; 2021 ballot components
 * 53040-2 / 51961-1 / 83009-1; STU1 separate Observations whose code is one of those (or 53037-8) with the answer
 * in the value.
 */
import type {
  ConditionFinding,
  FhirShape,
  GeneCall,
  Origin,
  Significance,
  VariantFinding,
} from '../../model';
import { addActivityScore, addNote, addPhenotype, openCall, sameReportCalls } from '../calls';
import { LOINC, significanceOf, TBD } from '../codes';
import type { Entry } from '../collect';
import { type ReadContext, warn } from '../context';
import { geneFromConcept, genesInText } from '../genes';
import { codings, conceptTexts, get, getText } from '../json';
import {
  baseShape,
  type Component,
  linked,
  loincComponents,
  originFor,
  sourceRef,
  statedOrigin,
  tbdComponents,
  valueElement,
} from '../observation';
import { geneFitsKind, type PhenotypeRead, phenotypeFromConcept } from '../phenotype';
import { addSignificance } from './variant';

function asConcept(value: unknown): unknown {
  return typeof value === 'string' ? { text: value } : value;
}

interface ShapedRead {
  read: PhenotypeRead;
  shape: FhirShape;
}

function phenotypeReads(ctx: ReadContext, entry: Entry, stu1: boolean): ShapedRead[] {
  const obs = entry.resource;
  if (stu1) {
    const v = valueElement(obs);
    return v.type !== undefined ? [{ read: phenotypeFromConcept(asConcept(v.value)), shape: 'stu1' }] : [];
  }
  const shaped = (list: Component[], shape: FhirShape): ShapedRead[] =>
    list.map((c) => ({ read: phenotypeFromConcept(asConcept(c.value)), shape }));
  return [
    ...shaped(tbdComponents(obs, TBD.therapeuticImplication), baseShape(ctx, entry)),
    ...shaped(tbdComponents(obs, TBD.predictedTherapeuticImplication), 'stu2'),
    ...shaped(loincComponents(obs, LOINC.metabolism, LOINC.efficacy, LOINC.highRisk), 'ballot-2021'),
  ];
}

function medicationText(entry: Entry): string | undefined {
  const med = loincComponents(entry.resource, LOINC.medicationAssessed)[0];
  if (med === undefined) return undefined;
  return (
    codings(med.value).find((c) => c.display !== undefined)?.display ?? conceptTexts(asConcept(med.value))[0]
  );
}

/** The call a therapeutic implication belongs to, or a new phenotype-only call. */
function callFor(ctx: ReadContext, entry: Entry, reads: PhenotypeRead[]): GeneCall | undefined {
  const targets = linked(ctx, entry, 'derivedFrom');
  const calls = [...new Set(targets.map((t) => ctx.callOf.get(t)).filter((c) => c !== undefined))];
  const kinds = reads.map((r) => r.kind).filter((k) => k !== undefined);
  if (calls.length === 1) return calls[0];
  if (calls.length > 1) {
    const fitting = calls.filter((c) => kinds.length > 0 && kinds.every((k) => geneFitsKind(c.gene, k)));
    if (fitting.length === 1) return fitting[0];
    warn(
      ctx,
      entry,
      'Implication derives from several genotypes and its phenotype fits none or several; not used.',
    );
    return undefined;
  }
  // No genotype to join: the gene from the implication itself, or from the variants it derives from.
  const hinted = new Set<string>();
  for (const c of loincComponents(entry.resource, LOINC.gene)) {
    const g = geneFromConcept(c.value).gene;
    if (g !== undefined) hinted.add(g);
  }
  for (const r of reads) if (r.gene !== undefined) hinted.add(r.gene);
  if (hinted.size === 0) {
    for (const t of targets) {
      const v = ctx.variantOf.get(t);
      if (v !== undefined && v.gene !== '') hinted.add(v.gene);
    }
  }
  if (hinted.size === 0) {
    for (const t of conceptTexts(get(entry.resource, 'code'))) for (const g of genesInText(t)) hinted.add(g);
  }
  // Without a genotype, only a gene-level phenotype makes a call (drug-response statements about tumours do not).
  if (!reads.some((r) => r.phenotype !== undefined || r.activityScore !== undefined)) {
    warn(ctx, entry, 'Implication is not derived from a genotype and states no gene phenotype; not used.');
    return undefined;
  }
  if (hinted.size !== 1) {
    warn(ctx, entry, 'Implication does not tell which gene it is about; not used.');
    return undefined;
  }
  const gene = [...hinted][0]!;
  // A genotype of that gene in the same report is the result this implication was made from.
  const sameReport = sameReportCalls(ctx, entry, gene);
  if (sameReport.length === 1) return sameReport[0];
  const variants = targets
    .map((t) => ctx.variantOf.get(t))
    .filter((v): v is VariantFinding => v !== undefined);
  const call = openCall(ctx, entry, gene, originFor(ctx, entry), []);
  const labels = variants
    .filter((v) => v.presence === 'present' && v.gene === gene)
    .map((v) => v.ids.find((i) => /^rs\d+$/.test(i)) ?? v.hgvs.c ?? v.ids[0])
    .filter((l): l is string => l !== undefined);
  if (labels.length > 0) call.variants = [...new Set(labels)];
  addNote(ctx, call, 'Phenotype reported without a genotype.');
  return call;
}

export function readTherapeutic(ctx: ReadContext, entry: Entry, stu1: boolean): void {
  const shaped = phenotypeReads(ctx, entry, stu1);
  if (shaped.length === 0) {
    warn(ctx, entry, 'Therapeutic implication has no phenotype; not used.');
    return;
  }
  const reads = shaped.map((s) => s.read);
  const shape = shaped[0]!.shape;
  const geneLevel = reads.filter((r) => r.phenotype !== undefined || r.activityScore !== undefined);
  const call = callFor(ctx, entry, geneLevel.length > 0 ? geneLevel : reads);
  if (call === undefined) return;
  ctx.consumed.add(entry);
  if (!ctx.callOf.has(entry)) ctx.callOf.set(entry, call);
  call.sources.push(sourceRef(ctx, entry, shape));
  const medication = medicationText(entry);
  for (const r of reads) {
    if (r.phenotype !== undefined) addPhenotype(ctx, call, r.phenotype);
    if (r.activityScore !== undefined) addActivityScore(ctx, call, r.activityScore);
    if (r.drugLevel !== undefined) {
      addNote(
        ctx,
        call,
        `Lab implication${medication !== undefined ? ` for ${medication}` : ''}: ${r.drugLevel}.`,
      );
    }
    if (r.unrecognised !== undefined) {
      addNote(ctx, call, `Lab phenotype not recognised: ${r.unrecognised}.`);
      warn(ctx, entry, 'Phenotype text not recognised; kept as a note only.');
    }
  }
}

function verificationFor(s: Significance): string | undefined {
  switch (s) {
    case 'pathogenic':
      return 'confirmed';
    case 'likely-pathogenic':
      return 'provisional';
    case 'uncertain':
    case 'unknown':
      return 'unconfirmed';
    case 'likely-benign':
    case 'benign':
      return undefined;
  }
}

export function readDiagnostic(ctx: ReadContext, entry: Entry, stu1: boolean): void {
  const obs = entry.resource;
  const shape: FhirShape = stu1 ? 'stu1' : baseShape(ctx, entry);
  const significance: Significance =
    (stu1
      ? significanceOf(asConcept(valueElement(obs).value))
      : loincComponents(obs, LOINC.significance)
          .map((c) => significanceOf(asConcept(c.value)))
          .find((s) => s !== undefined)) ?? 'unknown';
  const targets = linked(ctx, entry, 'derivedFrom');
  const variants = targets.map((t) => ({ t, v: ctx.variantOf.get(t) })).filter((x) => x.v !== undefined);
  ctx.consumed.add(entry);

  if (variants.length === 1 && significance !== 'unknown')
    addSignificance(ctx, entry, variants[0]!.v!, significance);
  if (variants.length > 1 && significance !== 'unknown') {
    warn(
      ctx,
      entry,
      'Implication derives from several variants; its significance was not put on any one of them.',
    );
  }

  const phenotypes = loincComponents(obs, LOINC.associatedPhenotype);
  if (phenotypes.length === 0) {
    if (!stu1) warn(ctx, entry, 'Diagnostic implication names no phenotype; no condition read.');
    return;
  }
  const verification = verificationFor(significance);
  if (verification === undefined) return;
  if (variants.length > 0 && !variants.some((x) => x.v!.presence === 'present')) {
    warn(ctx, entry, 'Diagnostic implication derives from variants that are not present; no condition read.');
    return;
  }
  if (targets.length === 0 && get(obs, 'derivedFrom') !== undefined) {
    warn(ctx, entry, 'Diagnostic implication points to variants that are not in the input.');
  }
  const stated = statedOrigin(obs);
  const variantOrigins = [...new Set(variants.map((x) => x.v!.origin).filter((o) => o !== 'unknown'))];
  const origin: Origin =
    stated ??
    (variantOrigins.length === 1
      ? variantOrigins[0]!
      : variants.length > 0
        ? 'unknown'
        : originFor(ctx, entry));
  for (const p of phenotypes) {
    const concept = asConcept(p.value);
    const codes = codings(concept).map((c) => ({ ...c }));
    const text = getText(concept, 'text') ?? codes.find((c) => c.display !== undefined)?.display;
    if (codes.length === 0 && text === undefined) continue;
    const condition: ConditionFinding = {
      codes,
      verification,
      clinical: 'active',
      origin,
      sources: [
        sourceRef(ctx, entry, shape),
        ...variants.flatMap((x) => x.v!.sources.map((s) => ({ ...s }))),
      ],
    };
    if (text !== undefined) condition.text = text;
    ctx.conditions.push(condition);
  }
}
