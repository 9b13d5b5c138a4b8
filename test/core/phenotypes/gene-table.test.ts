import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  type ActivityScoreRange,
  type AlleleDefinition,
  type FunctionPhenotype,
  type GeneTable,
  type GeneTableSource,
  type UnlistedVariantFunctions,
  validateGeneTable,
} from '../../../functions/core/phenotypes/gene-table';
import schema from '../../../rules/schema/gene.schema.json';
import { GENES_DIR, geneFiles } from './load-tables';

const minimal = (): GeneTable => ({
  gene: 'TEST1',
  hgncId: 'HGNC:1',
  source: { name: 'CPIC', version: '1', url: 'https://example.org' },
  model: 'function',
  ploidy: 'diploid',
  alleles: [
    { name: '*1', function: 'Normal function' },
    { name: '*2', aliases: ['rs1'], function: 'No function' },
  ],
  phenotypes: [
    { functions: ['Normal function', 'Normal function'], phenotype: 'Normal Metabolizer' },
    { functions: ['No function', 'Normal function'], phenotype: 'Intermediate Metabolizer' },
  ],
});

describe('rules/genes', () => {
  test.each(geneFiles())('%s validates and is named after its gene', (file) => {
    const json: unknown = JSON.parse(readFileSync(join(GENES_DIR, file), 'utf8'));
    const { table, errors } = validateGeneTable(json);
    expect(errors).toEqual([]);
    expect(`${table?.gene}.json`).toBe(file);
    expect(table?.$schema).toBe('../schema/gene.schema.json');
  });

  test('ships the genes Tailor needs', () => {
    const genes = geneFiles().map((f) => f.replace('.json', ''));
    for (const gene of [
      'CYP2C19',
      'CYP2C9',
      'CYP2D6',
      'VKORC1',
      'SLCO1B1',
      'TPMT',
      'NUDT15',
      'DPYD',
      'CYP3A5',
      'UGT1A1',
      'G6PD',
      'HLA-A',
      'HLA-B',
      'RYR1',
      'CACNA1S',
      'MT-RNR1',
    ]) {
      expect(genes).toContain(gene);
    }
  });
});

describe('gene.schema.json mirrors GeneTable', () => {
  // Each record must name every key of its type (the compiler checks that), and the schema must list the same.
  const keys = {
    table: {
      $schema: true,
      gene: true,
      hgncId: true,
      source: true,
      model: true,
      ploidy: true,
      referenceAllele: true,
      variantInput: true,
      severityOrder: true,
      unlistedVariantFunctions: true,
      alleles: true,
      phenotypes: true,
      activityScores: true,
      riskAlleles: true,
      notes: true,
    } satisfies Record<keyof GeneTable, true>,
    source: { name: true, version: true, url: true, accessed: true } satisfies Record<
      keyof GeneTableSource,
      true
    >,
    allele: { name: true, aliases: true, function: true, activityValue: true } satisfies Record<
      keyof AlleleDefinition,
      true
    >,
    functionPhenotype: { functions: true, phenotype: true, lookupKey: true } satisfies Record<
      keyof FunctionPhenotype,
      true
    >,
    scoreRange: { min: true, max: true, phenotype: true } satisfies Record<keyof ActivityScoreRange, true>,
    unlisted: { pathogenic: true, uncertain: true, benign: true } satisfies Record<
      keyof UnlistedVariantFunctions,
      true
    >,
  };
  const names = (o: object): string[] => Object.keys(o).sort();

  test('property names match the types', () => {
    expect(names(schema.properties)).toEqual(names(keys.table));
    expect(names(schema.properties.source.properties)).toEqual(names(keys.source));
    expect(names(schema.$defs.allele.properties)).toEqual(names(keys.allele));
    expect(names(schema.$defs.functionPhenotype.properties)).toEqual(names(keys.functionPhenotype));
    expect(names(schema.$defs.scoreRange.properties)).toEqual(names(keys.scoreRange));
    expect(names(schema.properties.unlistedVariantFunctions.properties)).toEqual(names(keys.unlisted));
  });

  test('every property has a description, for editor completion', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      for (const [k, v] of Object.entries(props ?? {})) {
        if (typeof (v as { description?: unknown }).description !== 'string')
          undocumented.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      for (const [k, v] of Object.entries((node as { $defs?: Record<string, unknown> }).$defs ?? {}))
        walk(v, k);
    };
    walk(schema, '');
    expect(undocumented).toEqual([]);
  });
});

describe('validateGeneTable', () => {
  test('accepts a minimal table and returns it', () => {
    const { table, errors } = validateGeneTable(minimal());
    expect(errors).toEqual([]);
    expect(table?.gene).toBe('TEST1');
  });

  test.each([
    ['not an object', 42, '/'],
    ['an unknown property', { ...minimal(), extra: 1 }, 'extra'],
    ['a bad HGNC id', { ...minimal(), hgncId: '2621' }, 'hgncId'],
    ['a function table without phenotypes', { ...minimal(), phenotypes: undefined }, 'phenotypes'],
    ['an activity table without ranges', { ...minimal(), model: 'activity-score' }, 'activityScores'],
    ['variant input without a reference allele', { ...minimal(), variantInput: true }, 'referenceAllele'],
    ['an allele name with a slash', { ...minimal(), alleles: [{ name: '*1/*2', function: 'x' }] }, 'pattern'],
  ])('rejects %s', (_what, json, fragment) => {
    const { table, errors } = validateGeneTable(JSON.parse(JSON.stringify(json)));
    expect(table).toBeUndefined();
    expect(errors.join('\n')).toContain(fragment);
  });

  test('rejects an alias that names two alleles', () => {
    const t = minimal();
    t.alleles[0]!.aliases = ['RS1'];
    expect(validateGeneTable(t).errors).toEqual([expect.stringContaining('"rs1" of *2 already names *1')]);
  });

  test('rejects a phenotype rule with a function no allele has', () => {
    const t = minimal();
    t.phenotypes!.push({
      functions: ['Increased function', 'Normal function'],
      phenotype: 'Rapid Metabolizer',
    });
    expect(validateGeneTable(t).errors).toEqual([expect.stringContaining('"Increased function"')]);
  });

  test('rejects two rules for the same functions, in either order', () => {
    const t = minimal();
    t.phenotypes!.push({ functions: ['Normal function', 'No function'], phenotype: 'Poor Metabolizer' });
    expect(validateGeneTable(t).errors).toEqual([expect.stringContaining('two phenotype rules')]);
  });

  test('rejects a one-function rule in a diploid table', () => {
    const t = minimal();
    t.phenotypes!.push({ functions: ['No function'], phenotype: 'Poor Metabolizer' });
    expect(validateGeneTable(t).errors).toEqual([expect.stringContaining('needs two functions')]);
  });

  test('rejects overlapping score ranges and activity alleles without a value', () => {
    const t: GeneTable = {
      ...minimal(),
      model: 'activity-score',
      alleles: [
        { name: '*1', function: 'Normal function', activityValue: 1 },
        { name: '*2', function: 'No function' },
      ],
      activityScores: [
        { min: 0, max: 1, phenotype: 'Poor Metabolizer' },
        { min: 1, phenotype: 'Normal Metabolizer' },
      ],
    };
    delete t.phenotypes;
    const { errors } = validateGeneTable(t);
    expect(errors).toContain('score ranges starting at 0 and 1 overlap');
    expect(errors).toContain(
      'allele *2 needs an activityValue (a number, or null) in an activity-score table',
    );
  });

  test('rejects a reference allele or severity function that does not exist', () => {
    const t = { ...minimal(), referenceAllele: 'Reference', severityOrder: ['Lost function'] };
    expect(validateGeneTable(t).errors).toEqual([
      'referenceAllele Reference is not one of the alleles',
      'severityOrder names function "Lost function" that no allele has',
    ]);
  });
});
