/** Test helper: every rules/genes/*.json, validated, keyed by gene. (The service's own loader is not ours.) */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GeneTable, validateGeneTable } from '../../../functions/core/phenotypes/gene-table';

export const GENES_DIR = join(import.meta.dirname, '../../../rules/genes');

export function geneFiles(): string[] {
  return readdirSync(GENES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function loadTables(): Map<string, GeneTable> {
  const tables = new Map<string, GeneTable>();
  for (const file of geneFiles()) {
    const { table, errors } = validateGeneTable(JSON.parse(readFileSync(join(GENES_DIR, file), 'utf8')));
    if (table === undefined) throw new Error(`${file}: ${errors.join('; ')}`);
    tables.set(table.gene, table);
  }
  return tables;
}
