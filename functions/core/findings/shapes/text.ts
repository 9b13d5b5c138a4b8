/**
 * Results recognised only by their text, as the Genomics Operations reference server and many labs send them:
 * a local code whose text names the gene ("CYP2C19 genotype"), a value only in text ("*1/*17", "Poor metabolizer"),
 * an HLA allele test written out ("HLA-B*57:01" → "Positive"). Also the genotype form of the pre-IG genetics
 * extensions (a Gene extension and a diplotype value).
 */
import type { FhirShape, GeneCall } from '../../model';
import { addActivityScore, addNote, addPhenotype, openCall, sameReportCalls } from '../calls';
import { presenceOf, presenceOfWord } from '../codes';
import type { Entry } from '../collect';
import type { ReadContext } from '../context';
import { normaliseDiplotypeText } from '../diplotype';
import { geneFromConcept, genesInText, isHla, leadingGene } from '../genes';
import { conceptTexts, get, getText, records, text } from '../json';
import {
  geneticsExtensions,
  observationValueTexts,
  originFor,
  sourceRef,
  valueElement,
} from '../observation';
import { phenotypeFromText } from '../phenotype';
import { alleleInText, componentGenes, recordAlleleTest } from './genotype';

/**
 * Observations that claim to be genetic: the lab's genetics category, or a code that speaks of genotypes, alleles,
 * phenotypes or names an HLA allele. A gene symbol alone in a code is not enough ("PROC" can be a procedure).
 */
export function looksGenomic(obs: Record<string, unknown>): boolean {
  const categories = records(get(obs, 'category')).flatMap((c) => conceptTexts(c));
  if (categories.some((c) => c === 'GE' || /genetic|genomic/i.test(c))) return true;
  return conceptTexts(get(obs, 'code')).some(
    (t) =>
      alleleInText(t) !== undefined ||
      /genotype|haplotype|diplotype|allele|phenotype|metaboli[sz]er|pharmacogen|genetic|variant|mutation/i.test(
        t,
      ),
  );
}

function presenceOfValue(
  obs: Record<string, unknown>,
  allele: string | undefined,
): ReturnType<typeof presenceOf> {
  const v = valueElement(obs);
  if (v.type === 'Boolean') return v.value === true ? 'present' : v.value === false ? 'absent' : undefined;
  if (v.type === 'CodeableConcept') return presenceOf(v.value);
  if (v.type === 'String') {
    const s = text(v.value);
    if (s === undefined) return undefined;
    // "HLA-B*57:01 positive": the word left once the allele is taken out.
    const rest = allele !== undefined ? s.replace(allele, ' ') : s;
    return presenceOfWord(rest.replace(/^[\s:,-]+|[\s:,.-]+$/g, ''));
  }
  return undefined;
}

/** The call this text result joins: a call of the gene opened from the same report, else a new one. */
function callFor(ctx: ReadContext, entry: Entry, gene: string, shape: FhirShape): GeneCall {
  const same = sameReportCalls(ctx, entry, gene);
  if (same.length === 1) {
    const call = same[0]!;
    call.sources.push(sourceRef(ctx, entry, shape));
    ctx.callOf.set(entry, call);
    return call;
  }
  return openCall(ctx, entry, gene, originFor(ctx, entry), [sourceRef(ctx, entry, shape)]);
}

function geneOf(ctx: ReadContext, entry: Entry, valueTexts: string[]): string | undefined {
  const declared = componentGenes(ctx, entry);
  if (declared.conflict) return undefined;
  if (declared.genes.length === 1) return declared.genes[0];
  const extension = (geneticsExtensions(entry.resource).get('Gene') ?? []).map(
    (v) => geneFromConcept(v).gene,
  );
  const fromExtension = [...new Set(extension.filter((g) => g !== undefined))];
  if (fromExtension.length === 1) return fromExtension[0];
  if (!looksGenomic(entry.resource)) return undefined;
  const fromCode = [...new Set(conceptTexts(get(entry.resource, 'code')).flatMap((t) => genesInText(t)))];
  if (fromCode.length === 1) return fromCode[0];
  const fromValue = [...new Set(valueTexts.map((t) => leadingGene(t)).filter((g) => g !== undefined))];
  return fromValue.length === 1 ? fromValue[0] : undefined;
}

/**
 * Reads a diplotype or an allele test. Returns false when nothing usable was found (the caller decides whether
 * that deserves an issue). Phenotype-only texts are left to {@link readTextPhenotype}, which runs after every
 * genotype so it can join them.
 */
export function readTextGenotype(ctx: ReadContext, entry: Entry, shape: FhirShape): boolean {
  const obs = entry.resource;
  const valueTexts = observationValueTexts(obs);
  const codeTexts = conceptTexts(get(obs, 'code'));

  const componentTexts = records(get(obs, 'component')).flatMap((c) => [
    ...conceptTexts(get(c, 'code')),
    ...conceptTexts(get(c, 'valueCodeableConcept')),
    ...(getText(c, 'valueString') !== undefined ? [getText(c, 'valueString')!] : []),
  ]);
  const tested = [...codeTexts, ...componentTexts, ...valueTexts]
    .map((t) => ({ t, a: alleleInText(t) }))
    .find((x) => x.a);
  if (tested?.a?.locus !== undefined) {
    const match = /(?:HLA-)?[A-Z]+\d*\s?\*[0-9:A-Z]+/i.exec(tested.t)?.[0];
    const presence = presenceOfValue(obs, valueTexts.includes(tested.t) ? match : undefined);
    if (presence !== undefined) {
      const call = callFor(ctx, entry, tested.a.locus, shape);
      recordAlleleTest(
        ctx,
        call,
        tested.a.name,
        presence === 'present' ? 'positive' : presence === 'absent' ? 'negative' : 'indeterminate',
      );
      return true;
    }
  }

  const gene = geneOf(ctx, entry, valueTexts);
  if (gene === undefined) return false;
  for (const t of valueTexts) {
    const diplotype = normaliseDiplotypeText(gene, t);
    if (diplotype === undefined) continue;
    const call = callFor(ctx, entry, gene, shape);
    if (isHla(gene)) {
      call.hla = { copies: diplotype.split('/').map((a) => [a]) };
      addNote(ctx, call, 'Two alleles separated by "/" outside a GL String: read as the two copies.');
    } else {
      call.diplotype = diplotype;
    }
    return true;
  }
  return false;
}

/** A phenotype given as text ("CYP2C19 phenotype" = "Poor Metaboliser"). */
export function readTextPhenotype(ctx: ReadContext, entry: Entry, shape: FhirShape): boolean {
  const valueTexts = observationValueTexts(entry.resource);
  const gene = geneOf(ctx, entry, valueTexts);
  for (const t of valueTexts) {
    const read = phenotypeFromText(t);
    if (read.phenotype === undefined) continue;
    const g = gene ?? read.gene;
    if (g === undefined) return false;
    const call = callFor(ctx, entry, g, shape);
    addPhenotype(ctx, call, read.phenotype);
    if (read.activityScore !== undefined) addActivityScore(ctx, call, read.activityScore);
    return true;
  }
  return false;
}
