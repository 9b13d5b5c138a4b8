/**
 * Replays every CPIC diplotype row (test/fixtures/cpic, written by tools/import-cpic-gene.ts) through
 * deriveGeneResults: phenotype, activity score, lookup key and canonical diplotype must match exactly. Each row
 * is given as the FHIR reader would pass it: no spaces, alleles in reverse order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { GeneCall } from '../../../functions/core/model';
import { deriveGeneResults } from '../../../functions/core/phenotypes/derive';
import { loadTables } from './load-tables';

const FIXTURES = join(import.meta.dirname, '../../fixtures/cpic');
const tables = loadTables();

interface Row {
  diplotype: string;
  phenotype: string;
  activityScore: string;
  lookupKey: string;
}

function readFixture(file: string): Row[] {
  const lines = readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
  return lines.slice(1).map((l) => {
    const [diplotype = '', phenotype = '', activityScore = '', lookupKey = ''] = l.split('\t');
    return { diplotype, phenotype, activityScore, lookupKey };
  });
}

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.tsv'))
  .sort();

describe('CPIC diplotype fixtures', () => {
  test('there is a fixture for every CPIC-derived table', () => {
    const cpicGenes = [...tables.values()].filter(
      (t) => t.source.name === 'CPIC' && t.source.version.match(/^\d{4}-/),
    );
    expect(files.map((f) => f.replace('.tsv', '')).sort()).toEqual(cpicGenes.map((t) => t.gene).sort());
  });

  test.each(files)('%s: every row derives exactly', (file) => {
    const gene = file.replace('.tsv', '');
    const rows = readFixture(file);
    expect(rows.length).toBeGreaterThan(0);
    const calls: GeneCall[] = rows.map((r, i) => ({
      gene,
      // One origin per row keeps the rows apart (results are grouped by gene and origin).
      origin: 'germline',
      diplotype: r.diplotype.replace(/\s+/g, '').split('/').reverse().join('/'),
      sources: [{ resourceType: 'Observation', id: String(i), shape: 'stu3' }],
    }));
    const mismatches: string[] = [];
    calls.forEach((call, i) => {
      const row = rows[i]!;
      const [result] = deriveGeneResults({ calls: [call], variants: [], conditions: [], issues: [] }, tables);
      const got = {
        diplotype: result?.diplotype,
        phenotype: result?.phenotype,
        activityScore: result?.activityScore ?? '',
        lookupKey: result?.lookupKey,
      };
      const want = { ...row };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${row.diplotype}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
      }
    });
    expect(mismatches.slice(0, 10), `${mismatches.length} of ${rows.length} rows differ`).toEqual([]);
  });
});
