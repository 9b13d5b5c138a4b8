/**
 * Imports CPIC gene data into Tailor's gene table format, and writes the matching test fixture.
 *
 * Usage:
 *   npx tsx tools/import-cpic-gene.ts <cpic-gene.json>... [--rules rules/genes] [--fixtures test/fixtures/cpic]
 *                                     [--accessed YYYY-MM-DD]
 *   npx biome check --write rules/genes        (formats the written tables)
 *
 * Input: a CPIC gene export as the CPIC API gives it (keys gene, haplotypes, activityValues, diplotypes,
 * namedAlleles, version), e.g. one file per gene of CPIC's gene-phenotype data.
 * Output, per gene:
 *   <rules>/<GENE>.json     the gene table (alleles with function/activity value; phenotype rules or score ranges)
 *   <fixtures>/<GENE>.tsv   every CPIC diplotype row: diplotype, phenotype, activity score, lookup key, which
 *                           test/core/phenotypes/cpic-fixtures.test.ts replays through deriveGeneResults.
 *
 * Tables may be edited by hand afterwards (aliases, notes): re-importing keeps an existing table's aliases, notes
 * and access date, and replaces everything CPIC provides.
 *
 * CPIC conventions translated into ours (the fixture is written in our conventions too):
 *   - activity "n/a" → activityValue null; a diplotype without a score → lookup key "Indeterminate".
 *   - single-SNP alleles named "rs9923231 reference (C)" become "C" / "T" (plus-strand base), with the CPIC
 *     name kept as an alias; VKORC1's lookup key becomes "rs9923231 C/T" (CPIC: "-1639 AG").
 *   - DPYD-style names "c.1905+1G>A (*2A)" get the aliases "c.1905+1G>A" and "*2A" when unambiguous.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ActivityScoreRange,
  type AlleleDefinition,
  alleleKey,
  type FunctionPhenotype,
  type GeneTable,
  validateGeneTable,
} from '../functions/core/phenotypes/gene-table';

interface CpicDiplotype {
  generesult: string;
  diplotype: string;
  lookupkey: string;
  activityScore?: string | null;
}

interface CpicNamedAllele {
  name: string;
  activityValue: string | null;
  functionValue: string;
}

interface CpicGene {
  gene: string;
  haplotypes: Record<string, string>;
  activityValues: Record<string, string>;
  diplotypes: CpicDiplotype[];
  namedAlleles?: CpicNamedAllele[];
  version: string;
}

interface GeneOptions {
  referenceAllele?: string;
  variantInput?: boolean;
  severityOrder?: string[];
  unlistedVariantFunctions?: GeneTable['unlistedVariantFunctions'];
  /** The lookup key is the plus-strand genotype, "<rs> A/B" (VKORC1). */
  genotypeLookupKey?: boolean;
  notes?: string[];
}

const HGNC: Record<string, string> = {
  ABCG2: 'HGNC:74',
  CACNA1S: 'HGNC:1397',
  CFTR: 'HGNC:1884',
  CYP2B6: 'HGNC:2615',
  CYP2C19: 'HGNC:2621',
  CYP2C9: 'HGNC:2623',
  CYP2D6: 'HGNC:2625',
  CYP3A4: 'HGNC:2637',
  CYP3A5: 'HGNC:2638',
  CYP4F2: 'HGNC:2645',
  DPYD: 'HGNC:3012',
  G6PD: 'HGNC:4057',
  IFNL3: 'HGNC:18364',
  'MT-RNR1': 'HGNC:7470',
  NAT2: 'HGNC:7646',
  NUDT15: 'HGNC:23063',
  RYR1: 'HGNC:10483',
  SLCO1B1: 'HGNC:10959',
  TPMT: 'HGNC:12014',
  UGT1A1: 'HGNC:12530',
  VKORC1: 'HGNC:23663',
};

const MH = 'Malignant Hyperthermia associated';

const OPTIONS: Record<string, GeneOptions> = {
  DPYD: {
    referenceAllele: 'Reference',
    variantInput: true,
    notes: [
      'No variant found means both copies are Reference; with more variants, the two lowest values count.',
    ],
  },
  CACNA1S: {
    referenceAllele: 'Reference',
    variantInput: true,
    severityOrder: [MH, 'Normal function'],
    unlistedVariantFunctions: { pathogenic: MH, benign: 'Normal function' },
    notes: ['No MH-causative variant found is "Uncertain Susceptibility", never normal.'],
  },
  'MT-RNR1': {
    referenceAllele: 'Reference',
    variantInput: true,
    severityOrder: [
      'Increased risk of aminoglycoside-induced hearing loss',
      'Uncertain risk of aminoglycoside-induced hearing loss',
      'Normal risk of aminoglycoside-induced hearing loss',
    ],
  },
  VKORC1: {
    referenceAllele: 'C',
    variantInput: true,
    genotypeLookupKey: true,
    notes: [
      'Alleles are rs9923231 on the genomic plus strand: C (reference; -1639G on the gene strand) and T (-1639A). ' +
        'The lookup key is the plus-strand genotype, e.g. "rs9923231 C/T"; the phenotype keeps CPIC\'s "-1639 AG".',
    ],
  },
};

/** "rs9923231 reference (C)" → { rs: "rs9923231", base: "C" }. */
function snpName(name: string): { rs: string; base: string } | undefined {
  const m = /^(rs\d+) (?:reference|variant) \(([ACGT]+)\)$/.exec(name);
  return m?.[1] !== undefined && m[2] !== undefined ? { rs: m[1], base: m[2] } : undefined;
}

function parseValue(v: string | null | undefined): number | null {
  if (v === null || v === undefined || v === 'n/a' || v.trim() === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not an activity value: ${v}`);
  return n;
}

/** Aliases read off CPIC names: "c.1905+1G>A (*2A)" → "c.1905+1G>A", "*2A". */
function namedAliases(name: string): string[] {
  const m = /^(.*?) \(([^)]+)\)$/.exec(name);
  if (m?.[1] === undefined || m[2] === undefined) return [];
  const aliases = [m[2]];
  const hgvs = m[1].split(',').map((s) => s.trim());
  aliases.push(hgvs[hgvs.length - 1]!);
  return aliases;
}

interface Imported {
  table: GeneTable;
  fixture: string;
}

export function importGene(
  cpic: CpicGene,
  existing: GeneTable | undefined,
  accessed: string | undefined,
): Imported {
  const gene = cpic.gene.replace('_', '-');
  const hgncId = HGNC[gene];
  if (hgncId === undefined) throw new Error(`${gene}: no HGNC id known to the importer; add it to HGNC`);
  const options = OPTIONS[gene] ?? {};
  const names = Object.keys(cpic.haplotypes);
  const activity = Object.keys(cpic.activityValues).length > 0;
  const named = new Map((cpic.namedAlleles ?? []).map((a) => [a.name, a]));
  const rename = (n: string): string => snpName(n)?.base ?? n;

  const taken = new Set(names.map((n) => alleleKey(rename(n))));
  const existingAliases = new Map((existing?.alleles ?? []).map((a) => [a.name, a.aliases ?? []]));
  const alleles: AlleleDefinition[] = names.map((n) => {
    const name = rename(n);
    const fn = activity ? (named.get(n)?.functionValue ?? 'Unknown function') : (cpic.haplotypes[n] ?? '');
    const generated = [...(name === n ? [] : [n]), ...(name === n ? namedAliases(n) : [])].filter(
      (a) => !taken.has(alleleKey(a)),
    );
    const aliases = [...new Set([...(existingAliases.get(name) ?? []), ...generated])];
    for (const a of aliases) taken.add(alleleKey(a));
    return {
      name,
      ...(aliases.length > 0 ? { aliases } : {}),
      function: fn,
      ...(activity ? { activityValue: parseValue(cpic.activityValues[n]) } : {}),
    };
  });
  const functionOf = new Map(names.map((n, i) => [n, alleles[i]!.function]));

  const rows = cpic.diplotypes.map((d) => ({ ...d, parts: d.diplotype.split('/') }));
  const haploid = rows.length > 0 && rows.every((r) => r.parts.length === 1);
  const lookupKeyOf = (r: (typeof rows)[number]): string => {
    if (options.genotypeLookupKey) {
      const snps = r.parts.map((p) => snpName(p));
      const rs = snps[0]?.rs;
      return `${rs} ${snps.map((s) => s?.base).join('/')}`;
    }
    return r.lookupkey === 'n/a' ? 'Indeterminate' : r.lookupkey;
  };

  let phenotypes: FunctionPhenotype[] | undefined;
  let activityScores: ActivityScoreRange[] | undefined;
  if (activity) {
    const byScore = new Map<number, string>();
    for (const r of rows) {
      const score = parseValue(r.activityScore);
      if (score === null) continue;
      const seen = byScore.get(score);
      if (seen !== undefined && seen !== r.generesult)
        throw new Error(`${gene}: score ${score} gives ${seen} and ${r.generesult}`);
      byScore.set(score, r.generesult);
    }
    activityScores = [];
    for (const [score, phenotype] of [...byScore].sort((a, b) => a[0] - b[0])) {
      const last = activityScores[activityScores.length - 1];
      if (last?.phenotype === phenotype) last.max = score;
      else activityScores.push({ min: score, max: score, phenotype });
    }
  } else {
    const rules = new Map<string, FunctionPhenotype>();
    for (const r of rows) {
      const functions = r.parts.map((p) => {
        const f = functionOf.get(p);
        if (f === undefined)
          throw new Error(`${gene}: diplotype ${r.diplotype} names an unknown allele ${p}`);
        return f;
      });
      const key = [...functions].sort().join('\u0000');
      const lookupKey = lookupKeyOf(r);
      const rule: FunctionPhenotype = {
        functions: [...functions].sort(),
        phenotype: r.generesult,
        ...(lookupKey !== r.generesult ? { lookupKey } : {}),
      };
      const seen = rules.get(key);
      if (seen !== undefined && (seen.phenotype !== rule.phenotype || seen.lookupKey !== rule.lookupKey)) {
        throw new Error(
          `${gene}: functions ${functions.join(' + ')} give ${seen.phenotype} and ${rule.phenotype}`,
        );
      }
      rules.set(key, rule);
    }
    phenotypes = [...rules.values()];
  }

  const notes = [...new Set([...(existing?.notes ?? []), ...(options.notes ?? [])])];
  const keptAccessed = accessed ?? existing?.source.accessed;
  const table: GeneTable = {
    $schema: '../schema/gene.schema.json',
    gene,
    hgncId,
    source: {
      name: 'CPIC',
      version: cpic.version,
      url: `https://api.cpicpgx.org/v1/gene_result?genesymbol=eq.${gene}`,
      ...(keptAccessed !== undefined ? { accessed: keptAccessed } : {}),
    },
    model: activity ? 'activity-score' : 'function',
    ploidy: haploid ? 'haploid' : 'diploid',
    ...(options.referenceAllele !== undefined ? { referenceAllele: options.referenceAllele } : {}),
    ...(options.variantInput !== undefined ? { variantInput: options.variantInput } : {}),
    ...(options.severityOrder !== undefined ? { severityOrder: options.severityOrder } : {}),
    ...(options.unlistedVariantFunctions !== undefined
      ? { unlistedVariantFunctions: options.unlistedVariantFunctions }
      : {}),
    alleles,
    ...(phenotypes !== undefined ? { phenotypes } : {}),
    ...(activityScores !== undefined ? { activityScores } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  const check = validateGeneTable(JSON.parse(JSON.stringify(table)));
  if (check.errors.length > 0)
    throw new Error(`${gene}: the imported table is invalid:\n  ${check.errors.join('\n  ')}`);

  const header = [
    `# ${gene}: every CPIC diplotype and its phenotype, activity score and lookup key, in Tailor's conventions.`,
    `# Source: CPIC gene data version ${cpic.version}. Generated by tools/import-cpic-gene.ts; do not edit.`,
    ['diplotype', 'phenotype', 'activityScore', 'lookupKey'].join('\t'),
  ];
  const lines = rows.map((r) => {
    const score = parseValue(r.activityScore);
    return [
      r.parts.map(rename).join('/'),
      r.generesult,
      score === null ? '' : (r.activityScore ?? ''),
      lookupKeyOf(r),
    ].join('\t');
  });
  return { table, fixture: `${[...header, ...lines].join('\n')}\n` };
}

/** JSON with one allele, rule or range per line, so hand edits stay easy to review. */
export function formatTable(table: GeneTable): string {
  const out: string[] = ['{'];
  const entries = Object.entries(table);
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.some((v) => typeof v === 'object')) {
      out.push(`  ${JSON.stringify(key)}: [`);
      value.forEach((v, j) => {
        out.push(`    ${oneLine(v)}${j < value.length - 1 ? ',' : ''}`);
      });
      out.push(`  ]${comma}`);
    } else {
      out.push(`  ${JSON.stringify(key)}: ${oneLine(value)}${comma}`);
    }
  });
  out.push('}');
  return `${out.join('\n')}\n`;
}

function oneLine(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(oneLine).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${oneLine(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v);
}

function main(argv: string[]): void {
  const files: string[] = [];
  let rulesDir = 'rules/genes';
  let fixturesDir = 'test/fixtures/cpic';
  let accessed: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--rules') rulesDir = argv[++i] ?? rulesDir;
    else if (arg === '--fixtures') fixturesDir = argv[++i] ?? fixturesDir;
    else if (arg === '--accessed') accessed = argv[++i];
    else files.push(arg);
  }
  if (files.length === 0) {
    console.error(
      'usage: npx tsx tools/import-cpic-gene.ts <cpic-gene.json>... [--rules dir] [--fixtures dir]',
    );
    process.exitCode = 2;
    return;
  }
  mkdirSync(rulesDir, { recursive: true });
  mkdirSync(fixturesDir, { recursive: true });
  for (const file of files) {
    const cpic = JSON.parse(readFileSync(file, 'utf8')) as CpicGene;
    const gene = cpic.gene.replace('_', '-');
    if (cpic.diplotypes.length === 0) {
      console.warn(`${gene}: CPIC gives no diplotypes; skipped`);
      continue;
    }
    const tablePath = join(rulesDir, `${gene}.json`);
    const existing = existsSync(tablePath)
      ? (JSON.parse(readFileSync(tablePath, 'utf8')) as GeneTable)
      : undefined;
    const { table, fixture } = importGene(cpic, existing, accessed);
    writeFileSync(tablePath, formatTable(table));
    writeFileSync(join(fixturesDir, `${gene}.tsv`), fixture);
    console.log(
      `${gene}: ${table.alleles.length} alleles, ${cpic.diplotypes.length} diplotypes → ${tablePath}`,
    );
  }
}

if (process.argv[1]?.endsWith('import-cpic-gene.ts')) main(process.argv.slice(2));
