/** The importer (tools/import-cpic-gene.ts) on small synthetic CPIC exports. */
import { describe, expect, test } from 'vitest';
import { validateGeneTable } from '../../../functions/core/phenotypes/gene-table';
import { formatTable, importGene } from '../../../tools/import-cpic-gene';

const row = (
  diplotype: string,
  generesult: string,
  lookupkey = generesult,
  activityScore: string | null = null,
) => ({
  diplotype,
  generesult,
  lookupkey,
  activityScore,
});

const functionGene = {
  gene: 'CYP2C19',
  version: '2099-01-01-00-00',
  haplotypes: { '*1': 'Normal function', '*2': 'No function', '*12': 'Uncertain function' },
  activityValues: {},
  diplotypes: [
    row('*1/*1', 'Normal Metabolizer'),
    row('*1/*2', 'Intermediate Metabolizer'),
    row('*2/*2', 'Poor Metabolizer'),
    row('*1/*12', 'Indeterminate'),
  ],
};

const activityGene = {
  gene: 'CYP2C9',
  version: '2099-01-01-00-00',
  haplotypes: { '*1': '1.0', '*3': '0.0', '*7': 'n/a' },
  activityValues: { '*1': '1.0', '*3': '0.0', '*7': 'n/a' },
  namedAlleles: [
    { name: '*1', activityValue: '1.0', functionValue: 'Normal function' },
    { name: '*3', activityValue: '0.0', functionValue: 'No function' },
    { name: '*7', activityValue: 'n/a', functionValue: 'Uncertain function' },
  ],
  diplotypes: [
    row('*1/*1', 'Normal Metabolizer', '2.0', '2.0'),
    row('*1/*3', 'Intermediate Metabolizer', '1.0', '1.0'),
    row('*3/*3', 'Poor Metabolizer', '0.0', '0.0'),
    row('*1/*7', 'Indeterminate', 'n/a', 'n/a'),
  ],
};

describe('importGene', () => {
  test('a function gene: alleles, function-pair rules, fixture rows', () => {
    const { table, fixture } = importGene(functionGene, undefined, '2099-02-01');
    expect(validateGeneTable(table).errors).toEqual([]);
    expect(table).toMatchObject({
      gene: 'CYP2C19',
      hgncId: 'HGNC:2621',
      model: 'function',
      ploidy: 'diploid',
      source: { name: 'CPIC', version: '2099-01-01-00-00', accessed: '2099-02-01' },
    });
    expect(table.phenotypes).toContainEqual({
      functions: ['No function', 'Normal function'],
      phenotype: 'Intermediate Metabolizer',
    });
    expect(fixture.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'diplotype\tphenotype\tactivityScore\tlookupKey',
      '*1/*1\tNormal Metabolizer\t\tNormal Metabolizer',
      '*1/*2\tIntermediate Metabolizer\t\tIntermediate Metabolizer',
      '*2/*2\tPoor Metabolizer\t\tPoor Metabolizer',
      '*1/*12\tIndeterminate\t\tIndeterminate',
      '',
    ]);
  });

  test('an activity gene: values (n/a → null), score ranges, n/a lookup key → Indeterminate', () => {
    const { table, fixture } = importGene(activityGene, undefined, undefined);
    expect(table.alleles).toEqual([
      { name: '*1', function: 'Normal function', activityValue: 1 },
      { name: '*3', function: 'No function', activityValue: 0 },
      { name: '*7', function: 'Uncertain function', activityValue: null },
    ]);
    expect(table.activityScores).toEqual([
      { min: 0, max: 0, phenotype: 'Poor Metabolizer' },
      { min: 1, max: 1, phenotype: 'Intermediate Metabolizer' },
      { min: 2, max: 2, phenotype: 'Normal Metabolizer' },
    ]);
    expect(fixture).toContain('*1/*7\tIndeterminate\t\tIndeterminate\n');
  });

  test('re-importing keeps hand-added aliases, notes and access date', () => {
    const first = importGene(functionGene, undefined, '2099-02-01').table;
    first.alleles[1]!.aliases = ['rs4244285'];
    first.notes = ['hand edit'];
    const again = importGene(functionGene, first, undefined).table;
    expect(again.alleles[1]).toEqual({ name: '*2', aliases: ['rs4244285'], function: 'No function' });
    expect(again.notes).toEqual(['hand edit']);
    expect(again.source.accessed).toBe('2099-02-01');
  });

  test('inconsistent CPIC data fails loudly', () => {
    const broken = {
      ...functionGene,
      diplotypes: [...functionGene.diplotypes, row('*2/*1', 'Poor Metabolizer')],
    };
    expect(() => importGene(broken, undefined, undefined)).toThrow(/give Intermediate Metabolizer and Poor/);
  });

  test('formatTable writes parseable JSON, one allele per line', () => {
    const { table } = importGene(functionGene, undefined, undefined);
    const text = formatTable(table);
    expect(JSON.parse(text)).toEqual(table);
    expect(text).toContain('\n    { "name": "*2", "function": "No function" },\n');
  });
});
