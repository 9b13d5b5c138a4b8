/**
 * Genotype (84413-4) and haplotype (84414-2) Observations → GeneCalls. A genotype takes its haplotypes into its
 * own call; haplotypes reported without a genotype are paired by the report, grouper or specimen they share.
 */
import type { AlleleStatus, GeneCall, Origin, Presence } from '../../model';
import { addNote, addPhenotype, markIndeterminate, openCall } from '../calls';
import { LOINC, presenceOf, systemKey, TBD } from '../codes';
import { type Entry, resolve } from '../collect';
import { fail, type ReadContext, warn } from '../context';
import { normaliseAlleleText, normaliseDiplotypeText } from '../diplotype';
import { geneFromConcept, genesInText, isHla, leadingGene } from '../genes';
import { type GlLocus, looksLikeGlString, normaliseHlaAllele, parseGlString, twoField } from '../hla';
import { arr, codings, conceptTexts, get, getRecord, getText, type Json } from '../json';
import {
  baseShape,
  linked,
  loincComponents,
  observationValueTexts,
  originFor,
  sourceRef,
  tbdComponents,
  valueElement,
} from '../observation';
import { phenotypeFromConcept } from '../phenotype';
import { variantLabel } from './variant';

interface ComponentGenes {
  genes: string[];
  conflict: boolean;
}

/** Genes named by 48018-6 components, with the HGNC id/display problems reported. */
export function componentGenes(ctx: ReadContext, entry: Entry): ComponentGenes {
  const reads = loincComponents(entry.resource, LOINC.gene).map((c) => geneFromConcept(c.value));
  if (reads.some((r) => r.problem === 'id-display-mismatch')) {
    warn(ctx, entry, 'HGNC id does not match the gene symbol given with it; the symbol was used.');
  }
  const conflict = reads.some((r) => r.problem === 'conflict');
  if (conflict) warn(ctx, entry, 'Gene id and gene name disagree.');
  const genes = [
    ...new Set(reads.flatMap((r) => (r.gene !== undefined && r.problem !== 'conflict' ? [r.gene] : []))),
  ];
  return { genes, conflict };
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function isPvOnly(diplotype: string): boolean {
  return diplotype.split('/').every((a) => /^PV\d+$/.test(a));
}

const NO_CALL =
  /^(?:no[\s-]?call|indeterminate|failed|test failed|not determined|undetermined|unable to (?:call|determine))$/i;

export interface HaplotypeRead {
  gene?: string;
  allele?: string;
  hla: boolean;
  /** An NMDP code or another allele list we cannot expand. */
  ambiguous?: boolean;
}

/** The gene and allele of a haplotype Observation ("CYP2D6*7.001" → *7, "HLA-B*57:01:01G", "A*24:02"). */
export function readHaplotype(ctx: ReadContext, entry: Entry): HaplotypeRead {
  const genes = componentGenes(ctx, entry);
  let gene = genes.conflict ? undefined : genes.genes.length === 1 ? genes.genes[0] : undefined;
  const texts = observationValueTexts(entry.resource);
  const hlaAlleles = texts.map((t) => normaliseHlaAllele(t)).filter((a) => a !== undefined);
  const withLocus = hlaAlleles.filter(
    (a) => a.locus !== undefined && (gene === undefined || a.locus === gene),
  );
  if (withLocus.length > 0 || (gene !== undefined && isHla(gene) && hlaAlleles.length > 0)) {
    const allele = withLocus[0] ?? hlaAlleles[0]!;
    gene ??= allele.locus;
    if (gene === undefined) return { hla: true };
    const read: HaplotypeRead = { gene, allele: allele.name, hla: true };
    if (allele.code) read.ambiguous = true;
    return read;
  }
  gene ??= unique(texts.map((t) => leadingGene(t)).filter((g) => g !== undefined))[0];
  if (gene === undefined) return { hla: false };
  if (isHla(gene)) return { gene, hla: true };
  const names = texts.map((t) => normaliseAlleleText(gene, t)).filter((n) => n !== undefined);
  const allele = names.find((n) => !/^PV\d+$/.test(n)) ?? names[0];
  return allele !== undefined ? { gene, allele, hla: false } : { gene, hla: false };
}

function presenceStatus(p: Presence): AlleleStatus {
  switch (p) {
    case 'present':
      return 'positive';
    case 'absent':
      return 'negative';
    case 'no-call':
    case 'indeterminate':
      return 'indeterminate';
  }
}

const ALLELE_IN_TEXT =
  /(?:\bHLA-[A-Z]+\d*|\b(?:A|B|C|DRB\d|DQA\d|DQB\d|DPA\d|DPB\d))\s?\*\d{2,4}(?::[0-9A-Z]{2,5}){0,3}[NLSCAQG]?/i;

/** An HLA allele named in a text ("HLA-B*57:01 [Presence]", "HLA-B*5701 positive"). */
export function alleleInText(value: string): ReturnType<typeof normaliseHlaAllele> {
  const m = ALLELE_IN_TEXT.exec(value);
  return m ? normaliseHlaAllele(m[0]) : undefined;
}

/** The allele a presence test is about: in the code, a component, or the value text. */
function testedAllele(obs: Json): ReturnType<typeof normaliseHlaAllele> {
  const texts = conceptTexts(get(obs, 'code'));
  for (const c of arr(get(obs, 'component'))) {
    texts.push(...conceptTexts(get(c, 'code')), ...conceptTexts(get(c, 'valueCodeableConcept')));
    const s = getText(c, 'valueString');
    if (s !== undefined) texts.push(s);
  }
  for (const t of texts) {
    const allele = alleleInText(t);
    if (allele !== undefined) return allele;
  }
  return undefined;
}

/** Records an allele presence test on a call: `{ '*57:01': 'positive' }`. */
export function recordAlleleTest(
  ctx: ReadContext,
  call: GeneCall,
  allele: string,
  status: AlleleStatus,
): void {
  const key = twoField(allele);
  const tests = call.alleleTests ?? {};
  call.alleleTests = tests;
  const previous = tests[key];
  if (previous !== undefined && previous !== status) {
    tests[key] = 'indeterminate';
    addNote(ctx, call, 'Presence statements for one allele disagree.');
    return;
  }
  tests[key] = status;
}

/** A presence answer (LA9633-4 / LA9634-2, positive / negative) on a genotype: an allele test, or a no-call. */
function readPresence(ctx: ReadContext, entry: Entry, call: GeneCall, presence: Presence): void {
  const allele = testedAllele(entry.resource);
  if (allele !== undefined && (allele.locus === undefined || allele.locus === call.gene)) {
    recordAlleleTest(ctx, call, allele.name, presenceStatus(presence));
    return;
  }
  if (presence === 'no-call' || presence === 'indeterminate') {
    markIndeterminate(ctx, call, 'The lab reported no call for this genotype.');
    return;
  }
  markIndeterminate(ctx, call, 'A presence result without the allele it is about.');
  warn(ctx, entry, 'Presence result does not name the allele tested; read as indeterminate.');
}

function addHaplotypeSources(ctx: ReadContext, call: GeneCall, haplotypes: Entry[]): void {
  for (const h of haplotypes) {
    ctx.consumed.add(h);
    ctx.callOf.set(h, call);
    call.sources.push(sourceRef(ctx, h, baseShape(ctx, h)));
  }
}

function sameAlleles(a: string[], b: string[]): boolean {
  return [...a].sort().join('/') === [...b].sort().join('/');
}

/** HLA genotype from a GL String: one call per locus. */
function readGlGenotype(
  ctx: ReadContext,
  entry: Entry,
  gl: string,
  declared: string[],
  haplotypes: Entry[],
  origin: Origin,
): void {
  const parsed = parseGlString(gl);
  const haplotypeReads = haplotypes.map((h) => ({ entry: h, read: readHaplotype(ctx, h) }));
  const byLocus = new Map<string, GlLocus>(parsed.loci.map((l) => [l.locus, l]));
  const loci = unique([...parsed.loci.map((l) => l.locus), ...parsed.malformedLoci]);
  if (loci.length === 0) {
    const gene = declared[0];
    if (gene === undefined) {
      warn(ctx, entry, 'GL String could not be read and no gene is named; not used.');
      return;
    }
    loci.push(gene);
  }
  if (declared.length > 0 && !declared.some((g) => loci.includes(g))) {
    warn(ctx, entry, 'Gene studied differs from the loci in the GL String; the GL String loci were used.');
  }
  const src = sourceRef(ctx, entry, baseShape(ctx, entry));
  for (const locus of loci) {
    const call = openCall(ctx, entry, locus, origin, [{ ...src }]);
    const own = haplotypeReads.filter((h) => h.read.gene === locus);
    addHaplotypeSources(
      ctx,
      call,
      own.map((h) => h.entry),
    );
    const ownAlleles = own.map((h) => h.read.allele).filter((a) => a !== undefined);
    const read = byLocus.get(locus);
    if (read === undefined || parsed.malformedLoci.includes(locus)) {
      if (own.length === 2 && ownAlleles.length === 2) {
        call.hla = { copies: ownAlleles.map((a) => [a]) };
        addNote(
          ctx,
          call,
          'The GL String could not be read; the two haplotypes it was derived from were used.',
        );
        warn(
          ctx,
          entry,
          'GL String has a malformed allele name (IG example defect); its haplotypes were used.',
        );
      } else {
        markIndeterminate(ctx, call, 'The GL String could not be read.');
        warn(ctx, entry, 'GL String could not be read.');
      }
      continue;
    }
    call.hla = { copies: read.copies.map((c) => [...c]) };
    if (read.genotypeAmbiguity)
      addNote(ctx, call, 'The lab listed alternative genotypes; copies hold every alternative.');
    if (read.hasCode) {
      markIndeterminate(ctx, call, 'An allele was given as an allele code that cannot be expanded.');
    }
    if (read.copies.length === 1) {
      const only = read.copies[0]!;
      if (only.length === 1 && !read.genotypeAmbiguity) {
        delete call.hla;
        recordAlleleTest(ctx, call, only[0]!, 'positive');
        addNote(ctx, call, 'One allele reported: read as carrying it; the other copy was not stated.');
      } else {
        markIndeterminate(
          ctx,
          call,
          'The GL String gives one copy with alternatives ("/" separates alternatives, "+" separates copies); the other copy is not stated.',
        );
        warn(
          ctx,
          entry,
          'GL String has one copy with alternative alleles (possibly "/" used for "+"); indeterminate.',
        );
      }
    } else if (read.copies.length > 2) {
      markIndeterminate(ctx, call, 'The GL String lists more than two copies.');
      warn(ctx, entry, 'GL String lists more than two copies; indeterminate.');
    } else if (own.length === 2 && ownAlleles.length === 2 && read.copies.every((c) => c.length === 1)) {
      if (
        !sameAlleles(
          ownAlleles,
          read.copies.map((c) => c[0]!),
        )
      ) {
        addNote(
          ctx,
          call,
          'The haplotypes this genotype was derived from disagree with it; the genotype was used.',
        );
        warn(
          ctx,
          entry,
          'Genotype and the haplotypes it was derived from disagree; the genotype value was used.',
        );
      }
    }
  }
}

/** HLA genotype given as allele names (not a GL String). */
function readHlaNames(ctx: ReadContext, entry: Entry, call: GeneCall, texts: string[]): void {
  for (const t of texts) {
    const pair = normaliseDiplotypeText(call.gene, t);
    if (pair !== undefined) {
      call.hla = { copies: pair.split('/').map((a) => [a]) };
      addNote(ctx, call, 'Two alleles separated by "/" outside a GL String: read as the two copies.');
      return;
    }
  }
  for (const t of texts) {
    const allele = normaliseHlaAllele(t);
    if (allele === undefined || (allele.locus !== undefined && allele.locus !== call.gene)) continue;
    if (allele.code) {
      markIndeterminate(ctx, call, 'The allele was given as an allele code that cannot be expanded.');
      return;
    }
    recordAlleleTest(ctx, call, allele.name, 'positive');
    addNote(ctx, call, 'One allele reported: read as carrying it; the other copy was not stated.');
    return;
  }
  if (texts.some((t) => NO_CALL.test(t))) {
    markIndeterminate(ctx, call, 'The lab reported no call for this genotype.');
    return;
  }
  markIndeterminate(ctx, call, 'The genotype value could not be read.');
  warn(ctx, entry, 'Genotype value could not be read.');
}

/** Star-allele (and other named-allele) genotype text. */
function readStarNames(
  ctx: ReadContext,
  entry: Entry,
  call: GeneCall,
  texts: string[],
  haplotypes: Entry[],
): void {
  const candidates = texts.map((t) => normaliseDiplotypeText(call.gene, t)).filter((d) => d !== undefined);
  const names = unique(candidates.filter((d) => !isPvOnly(d)));
  const ids = unique(candidates.filter((d) => isPvOnly(d)));
  const haplotypeAlleles = haplotypes
    .map((h) => readHaplotype(ctx, h))
    .filter((r) => r.gene === call.gene)
    .map((r) => r.allele)
    .filter((a) => a !== undefined);
  if (names.length > 1) {
    markIndeterminate(ctx, call, 'The codings of this genotype give different diplotypes.');
    warn(ctx, entry, 'Codings of one genotype value disagree; indeterminate.');
    return;
  }
  const diplotype = names[0] ?? (ids.length === 1 ? ids[0] : undefined);
  if (diplotype !== undefined) {
    call.diplotype = diplotype;
    if (
      haplotypes.length === 2 &&
      haplotypeAlleles.length === 2 &&
      !sameAlleles(haplotypeAlleles, diplotype.split('/'))
    ) {
      addNote(
        ctx,
        call,
        'The haplotypes this genotype was derived from disagree with it; the genotype was used.',
      );
      warn(
        ctx,
        entry,
        'Genotype and the haplotypes it was derived from disagree; the genotype value was used.',
      );
    }
    return;
  }
  if (haplotypes.length === 2 && haplotypeAlleles.length === 2) {
    call.diplotype = haplotypeAlleles.join('/');
    addNote(
      ctx,
      call,
      'The genotype value could not be read; the two haplotypes it was derived from were used.',
    );
    warn(ctx, entry, 'Genotype value could not be read; its haplotypes were used.');
    return;
  }
  if (texts.some((t) => NO_CALL.test(t))) {
    markIndeterminate(ctx, call, 'The lab reported no call for this genotype.');
    return;
  }
  markIndeterminate(ctx, call, 'The genotype value could not be read.');
  warn(ctx, entry, 'Genotype value could not be read.');
}

/** Phenotype components some labs put on the genotype itself. */
function phenotypeComponents(ctx: ReadContext, entry: Entry, call: GeneCall): void {
  const obs = entry.resource;
  const comps = [
    ...tbdComponents(obs, TBD.therapeuticImplication, TBD.predictedTherapeuticImplication),
    ...loincComponents(obs, LOINC.metabolism),
  ];
  for (const c of comps) {
    const read = phenotypeFromConcept(typeof c.value === 'string' ? { text: c.value } : c.value);
    if (read.phenotype !== undefined) addPhenotype(ctx, call, read.phenotype);
  }
}

export function readGenotype(ctx: ReadContext, entry: Entry): void {
  const obs = entry.resource;
  const declared = componentGenes(ctx, entry);
  if (declared.conflict) {
    fail(ctx, entry, 'Genotype gene id and gene name disagree; not used.');
    return;
  }
  const value = valueElement(obs);
  const texts = observationValueTexts(obs);
  const linkedObs = linked(ctx, entry, 'derivedFrom', 'hasMember');
  const haplotypes = linkedObs.filter((t) => ctx.kinds.get(t) === 'haplotype' && ctx.usable.has(t));
  const variants = linkedObs.map((t) => ctx.variantOf.get(t)).filter((v) => v !== undefined);
  const origin = originFor(ctx, entry);

  const glCoding = codings(value.value).find((c) => systemKey(c.system) === 'glstring.org');
  const gl = texts.find((t) => looksLikeGlString(t)) ?? glCoding?.code ?? glCoding?.display;
  if (gl !== undefined) {
    readGlGenotype(ctx, entry, gl, declared.genes, haplotypes, origin);
    return;
  }

  const prefixGenes = unique(texts.map((t) => leadingGene(t)).filter((g) => g !== undefined));
  let gene: string | undefined;
  if (declared.genes.length === 1) {
    gene = declared.genes[0];
  } else if (declared.genes.length > 1) {
    const named = prefixGenes.filter((g) => declared.genes.includes(g));
    if (named.length !== 1) {
      fail(ctx, entry, 'Genotype names several genes and its value does not say which; not used.');
      return;
    }
    gene = named[0];
    warn(ctx, entry, 'Genotype names several genes; the one its value names was used.');
  } else {
    const fromCode = unique(conceptTexts(get(obs, 'code')).flatMap((t) => genesInText(t)));
    gene = prefixGenes.length === 1 ? prefixGenes[0] : fromCode.length === 1 ? fromCode[0] : undefined;
  }
  if (gene === undefined) {
    warn(ctx, entry, 'Genotype does not name its gene; not used.');
    return;
  }

  const call = openCall(ctx, entry, gene, origin, [sourceRef(ctx, entry, baseShape(ctx, entry))]);
  addHaplotypeSources(ctx, call, haplotypes);
  const present = variants.filter((v) => v.presence === 'present').map((v) => variantLabel(v));
  const labels = unique(present.filter((l) => l !== undefined));
  if (labels.length > 0) call.variants = labels;
  phenotypeComponents(ctx, entry, call);

  if (prefixGenes.length > 0 && !prefixGenes.includes(gene)) {
    markIndeterminate(ctx, call, 'The genotype value names a different gene than the gene studied.');
    warn(ctx, entry, 'Genotype value names a different gene than the gene studied; indeterminate.');
    return;
  }
  const presence =
    value.type === 'CodeableConcept'
      ? presenceOf(value.value)
      : value.type === 'Boolean'
        ? value.value === true
          ? 'present'
          : value.value === false
            ? 'absent'
            : undefined
        : undefined;
  if (presence !== undefined) {
    readPresence(ctx, entry, call, presence);
    return;
  }
  if (isHla(gene)) readHlaNames(ctx, entry, call, texts);
  else readStarNames(ctx, entry, call, texts, haplotypes);
}

/** Where an unpaired haplotype belongs: its report or grouper, else its specimen, else its date and performer. */
function groupKey(ctx: ReadContext, entry: Entry): string {
  const group = ctx.groupOf.get(entry);
  if (group !== undefined) return `group:${group.order}`;
  const specimen = getRecord(entry.resource, 'specimen');
  if (specimen !== undefined) {
    const found = resolve(ctx.pool, entry, specimen);
    if (found !== undefined) return `specimen:${found.entry.order}`;
    const ref = getText(specimen, 'reference');
    if (ref !== undefined) return `specimen:${ref}`;
  }
  const date = getText(entry.resource, 'issued') ?? getText(entry.resource, 'effectiveDateTime') ?? '';
  const performers = arr(get(entry.resource, 'performer')).map(
    (p) => getText(p, 'reference') ?? getText(p, 'display') ?? '',
  );
  return `loose:${date}|${performers.join(',')}`;
}

/** Haplotypes no genotype took: pairs of one gene in one group become one call. */
export function readLooseHaplotypes(ctx: ReadContext, entries: Entry[]): void {
  const groups = new Map<string, { gene: string; items: { entry: Entry; read: HaplotypeRead }[] }>();
  for (const entry of entries) {
    const read = readHaplotype(ctx, entry);
    if (read.gene === undefined) {
      warn(ctx, entry, 'Haplotype does not name its gene; not used.');
      continue;
    }
    const key = `${read.gene}|${groupKey(ctx, entry)}`;
    const group = groups.get(key) ?? { gene: read.gene, items: [] };
    group.items.push({ entry, read });
    groups.set(key, group);
  }
  for (const { gene, items } of groups.values()) {
    const first = items[0]!;
    const origins = unique(items.map((i) => originFor(ctx, i.entry)));
    const origin: Origin = origins.length === 1 ? origins[0]! : 'unknown';
    const call = openCall(
      ctx,
      first.entry,
      gene,
      origin,
      items.map((i) => sourceRef(ctx, i.entry, baseShape(ctx, i.entry))),
    );
    for (const i of items) {
      ctx.callOf.set(i.entry, call);
      ctx.consumed.add(i.entry);
    }
    const alleles = items.map((i) => i.read.allele);
    if (alleles.some((a) => a === undefined)) {
      markIndeterminate(ctx, call, 'A haplotype value could not be read.');
      warn(ctx, first.entry, 'Haplotype value could not be read.');
      continue;
    }
    const names = alleles as string[];
    const hla = items.some((i) => i.read.hla);
    if (hla) {
      if (items.some((i) => i.read.ambiguous)) {
        markIndeterminate(ctx, call, 'An allele was given as an allele code that cannot be expanded.');
      }
      if (names.length === 1) {
        recordAlleleTest(ctx, call, names[0]!, 'positive');
        addNote(ctx, call, 'One haplotype reported: read as carrying it; the other copy was not stated.');
      } else {
        call.hla = { copies: names.map((n) => [n]) };
        if (names.length > 2) {
          markIndeterminate(ctx, call, 'More than two haplotypes were reported together.');
          warn(ctx, first.entry, 'More than two haplotypes of one gene reported together; indeterminate.');
        }
      }
      continue;
    }
    if (names.length === 2) {
      call.diplotype = names.join('/');
    } else if (names.length === 1) {
      markIndeterminate(ctx, call, 'Only one haplotype was reported; the diplotype is not known.');
    } else {
      markIndeterminate(ctx, call, 'More than two haplotypes were reported together.');
      warn(ctx, first.entry, 'More than two haplotypes of one gene reported together; indeterminate.');
    }
  }
}
