import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDrugVocabulary,
  type DrugVocabulary,
  parseDrugFiles,
} from '../../../functions/core/medications/vocabulary';

export const DRUGS_DIR = join(import.meta.dirname, '../../../rules/drugs');
export const FIXTURES_DIR = join(import.meta.dirname, '../../fixtures/medications');

/** Every file in rules/drugs, parsed. */
export function drugFiles(): { name: string; json: unknown }[] {
  return readdirSync(DRUGS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name, json: JSON.parse(readFileSync(join(DRUGS_DIR, name), 'utf8')) as unknown }));
}

let cached: DrugVocabulary | undefined;

/** The shipped vocabulary, built once per test file. */
export function shippedVocabulary(): DrugVocabulary {
  if (!cached) {
    const { entries, combinations, errors } = parseDrugFiles(drugFiles());
    if (errors.length > 0) throw new Error(`rules/drugs is invalid:\n${errors.join('\n')}`);
    cached = createDrugVocabulary(entries, combinations);
  }
  return cached;
}

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8')) as unknown;
}
