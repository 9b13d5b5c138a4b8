/**
 * Raw gene calls → interpreted gene results (phenotype, activity score, lookup key), one per gene and origin.
 *
 * Safety choices (DOMAIN.md section 8):
 * - An unknown allele, an allele without a CPIC value, a no-call or a flagged call gives "Indeterminate", never
 *   a normal phenotype. A gene with no call gets no result at all ("not tested").
 * - When the lab's phenotype and the one derived from its genotype disagree, the result is a conflict
 *   (lookupKey "Indeterminate") keeping both (reportedPhenotype, derivedPhenotype): nothing is silently chosen.
 *   A lab phenotype with no genotype is used as reported; beside a genotype that cannot be interpreted it is kept
 *   (reportedPhenotype) but the result stays indeterminate, as it could not be checked.
 * - Several results for one gene and origin that disagree are one conflict result whose notes name each; results
 *   that agree merge (sources concatenated). An indeterminate result does not contradict a called one: the called
 *   result stands, with a note.
 * - Germline, somatic and unknown-origin results are kept apart.
 *
 * Lookup keys: the phenotype (function genes), the activity score as CPIC spells it ("1.5", "≥3.0";
 * CYP2C9, CYP2D6, DPYD), "rs9923231 C/T" for VKORC1 (plus-strand genotype; T = -1639A), and for HLA every
 * reported allele with its status, table order: "*15:02 negative; *57:01 positive; *58:01 negative" (rules
 * should read alleleStatuses). Any status other than "called" has lookupKey "Indeterminate".
 */
import type {
  AlleleStatus,
  GeneCall,
  GeneResult,
  Origin,
  RawFindings,
  ResultStatus,
  SourceRef,
} from '../model';
import { type CompiledTable, compileTable, formatScore } from './alleles';
import type { GeneTable } from './gene-table';
import { type Evaluation, evaluateDiplotype, INDETERMINATE, indeterminate, scoreResult } from './genotype';
import { type HlaEvidence, hlaEvidence, resolveEvidence, typedCopies } from './hla';
import { canonicalPhenotype, parseActivityScore } from './phenotype-text';
import { sanitiseCall, sanitiseVariant } from './sanitise';
import { copiesFor, evaluateVariants, type VariantEvidence } from './variants';

/** One source's result for a gene, before results for the same gene and origin are merged. */
interface Partial {
  status: ResultStatus;
  diplotype?: string;
  phenotype?: string;
  activityScore?: string;
  lookupKey: string;
  notes: string[];
  sources: SourceRef[];
  reportedPhenotype?: string;
  derivedPhenotype?: string;
  /** Which result this is, for notes. */
  label: string;
}

interface Group {
  gene: string;
  origin: Origin;
  calls: GeneCall[];
  variants: VariantEvidence[];
  noCalls: string[];
  variantSources: SourceRef[];
  /** Variant findings read for the gene, present or not. */
  findings: number;
}

const ORIGIN_ORDER: Record<Origin, number> = { germline: 0, unknown: 1, somatic: 2 };

export function deriveGeneResults(raw: RawFindings, tables: ReadonlyMap<string, GeneTable>): GeneResult[] {
  const index = tableIndex(tables);
  const groups = new Map<string, Group>();
  const groupFor = (gene: string, origin: Origin): Group => {
    const key = `${gene}\u0000${origin}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { gene, origin, calls: [], variants: [], noCalls: [], variantSources: [], findings: 0 };
      groups.set(key, g);
    }
    return g;
  };
  const calls: unknown[] = Array.isArray(raw?.calls) ? raw.calls : [];
  for (const c of calls) {
    const call = sanitiseCall(c);
    if (call !== undefined) groupFor(call.gene, call.origin).calls.push(call);
  }
  const variants: unknown[] = Array.isArray(raw?.variants) ? raw.variants : [];
  for (const v of variants) {
    const finding = sanitiseVariant(v);
    if (finding === undefined || index.get(finding.gene)?.variantInput !== true) continue;
    const group = groupFor(finding.gene, finding.origin);
    group.findings += 1;
    group.variantSources.push(...finding.sources);
    const display =
      finding.hgvs.c ?? finding.hgvs.g ?? finding.ids[0] ?? finding.hgvs.p ?? 'an unnamed variant';
    switch (finding.presence) {
      case 'present':
        group.variants.push({
          names: [finding.hgvs.c, ...finding.ids, finding.hgvs.p, finding.hgvs.g].filter(
            (n): n is string => n !== undefined,
          ),
          copies: copiesFor(finding.zygosity),
          significance: finding.significance,
          display,
        });
        break;
      case 'absent':
        break;
      case 'no-call':
      case 'indeterminate':
        group.noCalls.push(display);
        break;
    }
  }
  const results: GeneResult[] = [];
  for (const group of groups.values()) {
    results.push(finish(safely(group, index.get(group.gene))));
  }
  return results.sort(
    (a, b) =>
      (a.gene < b.gene ? -1 : a.gene > b.gene ? 1 : 0) || ORIGIN_ORDER[a.origin] - ORIGIN_ORDER[b.origin],
  );
}

function tableIndex(tables: ReadonlyMap<string, GeneTable>): Map<string, GeneTable> {
  const index = new Map<string, GeneTable>();
  for (const [key, table] of tables) {
    if (typeof table?.gene === 'string') index.set(table.gene.toUpperCase(), table);
    else index.set(key.toUpperCase(), table);
  }
  return index;
}

/** A last guard: a bug in one gene's derivation yields an indeterminate result for that gene, not a crash. */
function safely(group: Group, table: GeneTable | undefined): GeneResult {
  try {
    return deriveGroup(group, table);
  } catch {
    return {
      gene: group.gene,
      origin: group.origin,
      status: 'indeterminate',
      lookupKey: INDETERMINATE,
      notes: [`${group.gene}: the result could not be interpreted (internal error)`],
      sources: dedupeSources([...group.calls.flatMap((c) => c.sources), ...group.variantSources]),
    };
  }
}

function deriveGroup(group: Group, table: GeneTable | undefined): GeneResult {
  if (table?.model === 'risk-allele') return deriveHla(group, table);
  const ct = table === undefined ? undefined : compileTable(table);
  const partials = group.calls.map((call, i) => callPartial(call, ct, labelOf(call.sources, i)));
  if (ct !== undefined && group.findings > 0) {
    const evaluation = evaluateVariants(ct, group.variants, group.noCalls);
    partials.push({
      ...evaluation,
      sources: dedupeSources(group.variantSources),
      label: `reported ${group.gene} variants`,
    });
  }
  return merge(group, partials);
}

function labelOf(sources: readonly SourceRef[], i: number): string {
  const s = sources[0];
  if (s === undefined) return `result ${i + 1}`;
  return s.id === undefined ? s.resourceType : `${s.resourceType}/${s.id}`;
}

/** What the lab reported as phenotype and/or score, in CPIC wording where recognised. */
interface Reported {
  text?: string;
  phenotype?: string;
  score?: { value: number; atLeast: boolean };
  notes: string[];
}

function readReported(call: GeneCall, ct: CompiledTable | undefined): Reported | undefined {
  if (call.reportedPhenotype === undefined && call.reportedActivityScore === undefined) return undefined;
  const reported: Reported = { notes: [] };
  if (call.reportedPhenotype !== undefined) {
    reported.text = call.reportedPhenotype;
    const phenotype = canonicalPhenotype(call.reportedPhenotype, call.gene, ct?.phenotypes);
    if (phenotype === undefined) {
      reported.notes.push(`${call.gene}: reported phenotype "${call.reportedPhenotype}" not recognised`);
    } else {
      reported.phenotype = phenotype;
    }
  }
  if (call.reportedActivityScore !== undefined) {
    const score = parseActivityScore(call.reportedActivityScore);
    if (score === undefined) {
      reported.notes.push(
        `${call.gene}: reported activity score "${call.reportedActivityScore}" not recognised`,
      );
    } else if (ct !== undefined && ct.table.model !== 'activity-score') {
      reported.notes.push(
        `${call.gene}: reported activity score ${call.reportedActivityScore} not used (no CPIC score)`,
      );
    } else {
      reported.score = score;
    }
  }
  return reported;
}

/** The lab's phenotype and score disagree with each other (e.g. an older score-to-phenotype convention). */
interface ReportedConflict {
  conflict: string;
}

/** The reported result on its own: the lab's phenotype, or the phenotype its score gives. */
function reportedEvaluation(
  gene: string,
  r: Reported,
  ct: CompiledTable | undefined,
): Evaluation | ReportedConflict {
  const notes = [...r.notes];
  if (r.score !== undefined && ct !== undefined) {
    const fromScore = scoreResult(ct, r.score.value, r.score.atLeast);
    if (r.phenotype !== undefined && fromScore.status === 'called' && fromScore.phenotype !== r.phenotype) {
      return { conflict: fromScore.phenotype ?? INDETERMINATE };
    }
    if (fromScore.status === 'called' || r.phenotype === undefined) {
      return {
        ...fromScore,
        ...(r.phenotype !== undefined ? { phenotype: r.phenotype } : {}),
        notes: [...notes, ...fromScore.notes],
      };
    }
  }
  if (r.phenotype === undefined || r.phenotype === INDETERMINATE) {
    if (r.score !== undefined && ct === undefined) {
      const activityScore = formatScore(r.score.value, r.score.atLeast);
      return { status: 'called', activityScore, lookupKey: activityScore, notes };
    }
    return indeterminate(
      notes.length > 0 ? notes : [`${gene}: the lab reported the phenotype as indeterminate`],
    );
  }
  const score = r.score === undefined ? undefined : formatScore(r.score.value, r.score.atLeast);
  return {
    status: 'called',
    phenotype: r.phenotype,
    ...(score !== undefined ? { activityScore: score } : {}),
    lookupKey: score !== undefined && ct?.table.model === 'activity-score' ? score : r.phenotype,
    notes,
  };
}

function hasNothingElse(call: GeneCall): boolean {
  return (
    call.diplotype === undefined &&
    call.reportedPhenotype === undefined &&
    call.reportedActivityScore === undefined &&
    call.hla === undefined &&
    call.indeterminate !== true
  );
}

function derivedFromCall(call: GeneCall, ct: CompiledTable | undefined): Evaluation | undefined {
  if (call.indeterminate === true) {
    const why = call.note === undefined ? '' : ` (${call.note})`;
    return indeterminate([`${call.gene}: the lab's call could not be interpreted${why}`], call.diplotype);
  }
  if (ct === undefined) return undefined;
  if (call.diplotype !== undefined) return evaluateDiplotype(ct, call.diplotype);
  // An empty variant list means "none found" only when the call says nothing else.
  if (call.variants !== undefined && (call.variants.length > 0 || hasNothingElse(call))) {
    return evaluateVariants(
      ct,
      call.variants.map((v) => ({ names: [v], copies: 1, significance: 'unknown', display: v })),
      [],
    );
  }
  return undefined;
}

function callPartial(call: GeneCall, ct: CompiledTable | undefined, label: string): Partial {
  const base = { sources: call.sources, label };
  const derived = derivedFromCall(call, ct);
  const reported = readReported(call, ct);
  const noTable = ct === undefined ? [`${call.gene}: no gene table; phenotype taken as reported`] : [];
  if (reported === undefined) {
    if (derived !== undefined) return { ...base, ...derived };
    const why =
      ct === undefined
        ? `${call.gene}: no gene table and no reported phenotype`
        : `${call.gene}: the result holds no genotype or phenotype`;
    return { ...base, ...indeterminate([why], call.diplotype) };
  }
  const fromLab = reportedEvaluation(call.gene, reported, ct);
  if ('conflict' in fromLab) {
    return {
      ...base,
      status: 'conflict',
      ...(derived?.diplotype !== undefined ? { diplotype: derived.diplotype } : {}),
      lookupKey: INDETERMINATE,
      reportedPhenotype: reported.phenotype ?? reported.text ?? '',
      derivedPhenotype: fromLab.conflict,
      notes: [
        ...(derived?.notes ?? []),
        ...reported.notes,
        `${call.gene}: the lab reports ${reported.phenotype} with activity score ${call.reportedActivityScore}, ` +
          `which ${ct?.table.source.name ?? 'the table'} classifies as ${fromLab.conflict}`,
      ],
    };
  }
  if (derived === undefined || derived.status !== 'called') {
    const derivedNotes = derived?.notes ?? [];
    const keepDiplotype = derived?.diplotype ?? call.diplotype;
    if (fromLab.status !== 'called') {
      return {
        ...base,
        ...fromLab,
        ...(keepDiplotype ? { diplotype: keepDiplotype } : {}),
        notes: [
          ...derivedNotes,
          ...fromLab.notes,
          ...(ct === undefined ? [`${call.gene}: no gene table`] : []),
        ],
      };
    }
    if (derived === undefined) {
      return {
        ...base,
        ...fromLab,
        ...(keepDiplotype ? { diplotype: keepDiplotype } : {}),
        notes: [...fromLab.notes, ...noTable],
      };
    }
    // A genotype that cannot be interpreted (unknown allele, flagged call) is not replaced by the lab's phenotype:
    // it could not be checked. Both stay visible.
    return {
      ...base,
      ...derived,
      ...(fromLab.phenotype !== undefined
        ? { reportedPhenotype: fromLab.phenotype, derivedPhenotype: INDETERMINATE }
        : {}),
      notes: [
        ...derivedNotes,
        ...fromLab.notes,
        `${call.gene}: the lab reports ${fromLab.phenotype ?? fromLab.lookupKey}; this could not be checked against the genotype`,
      ],
    };
  }
  // Both the genotype and the lab's phenotype are readable: they must agree.
  const disagreements: string[] = [];
  if (
    reported.phenotype !== undefined &&
    reported.phenotype.toLowerCase() !== (derived.phenotype ?? '').toLowerCase()
  ) {
    disagreements.push(`the lab reports ${reported.phenotype}, the genotype gives ${derived.phenotype}`);
  }
  if (reported.score !== undefined && derived.activityScore !== undefined) {
    const score = formatScore(reported.score.value, reported.score.atLeast);
    if (score !== derived.activityScore) {
      disagreements.push(
        `the lab reports activity score ${score}, the genotype gives ${derived.activityScore}`,
      );
    }
  }
  if (disagreements.length === 0)
    return { ...base, ...derived, notes: [...derived.notes, ...reported.notes] };
  return {
    ...base,
    status: 'conflict',
    ...(derived.diplotype !== undefined ? { diplotype: derived.diplotype } : {}),
    lookupKey: INDETERMINATE,
    reportedPhenotype: reported.phenotype ?? reported.text ?? `activity score ${call.reportedActivityScore}`,
    ...(derived.phenotype !== undefined ? { derivedPhenotype: derived.phenotype } : {}),
    notes: [
      ...derived.notes,
      ...reported.notes,
      `${call.gene} ${derived.diplotype ?? ''}: ${disagreements.join('; ')} (${ct?.table.source.name ?? ''} ${ct?.table.source.version ?? ''})`.replace(
        /\s+/g,
        ' ',
      ),
    ],
  };
}

const agree = (a: Partial, b: Partial): boolean => {
  if (a.phenotype !== undefined && b.phenotype !== undefined) {
    return (
      a.phenotype === b.phenotype &&
      (a.activityScore === undefined || b.activityScore === undefined || a.activityScore === b.activityScore)
    );
  }
  return a.lookupKey === b.lookupKey;
};

const describePartial = (p: Partial): string =>
  p.status === 'called'
    ? `${p.label}: ${p.diplotype ? `${p.diplotype} → ` : ''}${p.phenotype ?? p.lookupKey}${p.activityScore ? ` (${p.activityScore})` : ''}`
    : `${p.label}: ${p.status}`;

function merge(group: Group, partials: Partial[]): GeneResult {
  const head = { gene: group.gene, origin: group.origin };
  const sources = dedupeSources(partials.flatMap((p) => p.sources));
  const allNotes = unique(partials.flatMap((p) => p.notes));
  if (partials.length === 0) {
    return {
      ...head,
      status: 'indeterminate',
      lookupKey: INDETERMINATE,
      notes: [`${group.gene}: nothing to interpret`],
      sources,
    };
  }
  if (partials.length === 1) {
    const { label: _label, ...only } = partials[0]!;
    return { ...head, ...only, notes: unique(only.notes), sources };
  }
  const called = partials.filter((p) => p.status === 'called');
  const conflicted = partials.filter((p) => p.status === 'conflict');
  const first = called[0];
  const consistent = first !== undefined && called.every((p) => agree(first, p));
  if (conflicted.length > 0 || (called.length > 0 && !consistent)) {
    const single = conflicted.length === 1 && consistent ? conflicted[0] : undefined;
    return {
      ...head,
      status: 'conflict',
      lookupKey: INDETERMINATE,
      ...(single?.reportedPhenotype !== undefined ? { reportedPhenotype: single.reportedPhenotype } : {}),
      ...(single?.derivedPhenotype !== undefined ? { derivedPhenotype: single.derivedPhenotype } : {}),
      notes: unique([
        `${group.gene}: ${partials.length} results disagree: ${partials.map(describePartial).join('; ')}`,
        ...allNotes,
      ]),
      sources,
    };
  }
  const diplotypes = unique(partials.map((p) => p.diplotype).filter((d): d is string => d !== undefined));
  const diplotypeNote =
    diplotypes.length > 1
      ? [`${group.gene}: the results give different diplotypes: ${diplotypes.join(', ')}`]
      : [];
  if (first !== undefined) {
    // Prefer the most specific of the agreeing results (one with an activity score).
    const best = called.find((p) => p.activityScore !== undefined) ?? first;
    const others = partials
      .filter((p) => p.status !== 'called')
      .map((p) => `${group.gene}: another result (${p.label}) was indeterminate`);
    return {
      ...head,
      status: 'called',
      ...(diplotypes.length === 1 ? { diplotype: diplotypes[0]! } : {}),
      ...(best.phenotype !== undefined ? { phenotype: best.phenotype } : {}),
      ...(best.activityScore !== undefined ? { activityScore: best.activityScore } : {}),
      lookupKey: best.lookupKey,
      notes: unique([...diplotypeNote, ...others, ...allNotes]),
      sources,
    };
  }
  return {
    ...head,
    status: 'indeterminate',
    ...(diplotypes.length === 1 ? { diplotype: diplotypes[0]! } : {}),
    phenotype: INDETERMINATE,
    lookupKey: INDETERMINATE,
    notes: unique([...diplotypeNote, ...allNotes]),
    sources,
  };
}

function deriveHla(group: Group, table: GeneTable): GeneResult {
  const risk = table.riskAlleles ?? [];
  const notes: string[] = [];
  const evidence: (HlaEvidence & { label: string })[] = [];
  const typings: string[] = [];
  group.calls.forEach((call, i) => {
    const label = labelOf(call.sources, i);
    if (call.indeterminate === true) {
      notes.push(
        `${call.gene}: the lab's result could not be interpreted${call.note ? ` (${call.note})` : ''}`,
      );
    }
    for (const e of hlaEvidence(call, risk, notes)) evidence.push({ ...e, label });
    const copies = typedCopies(call);
    if (copies !== undefined) typings.push(copies.map((c) => c.join('/')).join('+'));
  });
  const resolved = resolveEvidence(evidence);
  const order = (a: string): number => {
    const i = risk.indexOf(a);
    return i < 0 ? risk.length : i;
  };
  const alleles = [...resolved.keys()].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  const alleleStatuses: Record<string, AlleleStatus> = {};
  let conflict = false;
  let unsure = false;
  for (const allele of alleles) {
    const status = resolved.get(allele)!;
    if (status === 'conflict') {
      conflict = true;
      alleleStatuses[allele] = 'indeterminate';
      const says = evidence
        .filter((e) => e.allele === allele)
        .map((e) => `${e.label} (${e.via}): ${e.status}`)
        .join('; ');
      notes.push(`${group.gene} ${allele}: results disagree: ${says}`);
    } else {
      alleleStatuses[allele] = status;
      if (status === 'indeterminate') unsure = true;
    }
  }
  const untested = risk.filter((a) => !resolved.has(a));
  if (alleles.length > 0 && untested.length > 0) {
    notes.push(`${group.gene}: not tested for ${untested.join(', ')}`);
  }
  const status: ResultStatus = conflict
    ? 'conflict'
    : alleles.length === 0 || unsure
      ? 'indeterminate'
      : 'called';
  if (alleles.length === 0) notes.push(`${group.gene}: no typing or presence test could be read`);
  const summary = alleles.map((a) => `${a} ${alleleStatuses[a]}`).join('; ');
  const sources = dedupeSources(group.calls.flatMap((c) => c.sources));
  return {
    gene: group.gene,
    origin: group.origin,
    status,
    ...(typings.length === 1 ? { diplotype: typings[0]! } : {}),
    ...(status === 'called' ? { phenotype: summary } : {}),
    lookupKey: status === 'called' ? summary : INDETERMINATE,
    ...(alleles.length > 0 ? { alleleStatuses } : {}),
    notes: unique(notes),
    sources,
  };
}

/** The result with its fields in the model's order, and without empty optional fields. */
function finish(r: GeneResult): GeneResult {
  return {
    gene: r.gene,
    origin: r.origin,
    status: r.status,
    ...(r.diplotype !== undefined ? { diplotype: r.diplotype } : {}),
    ...(r.phenotype !== undefined ? { phenotype: r.phenotype } : {}),
    ...(r.activityScore !== undefined ? { activityScore: r.activityScore } : {}),
    lookupKey: r.lookupKey,
    ...(r.alleleStatuses !== undefined ? { alleleStatuses: r.alleleStatuses } : {}),
    ...(r.reportedPhenotype !== undefined ? { reportedPhenotype: r.reportedPhenotype } : {}),
    ...(r.derivedPhenotype !== undefined ? { derivedPhenotype: r.derivedPhenotype } : {}),
    notes: unique(r.notes),
    sources: r.sources,
  };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function dedupeSources(sources: readonly SourceRef[]): SourceRef[] {
  const seen = new Set<string>();
  const out: SourceRef[] = [];
  for (const s of sources) {
    const key = JSON.stringify(s);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s);
    }
  }
  return out;
}
