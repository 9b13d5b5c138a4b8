import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type KnowledgeBase,
  type Problem,
  parseKnowledgeBase,
  type SourceFile,
} from '../../core/ruleset/knowledge-base';
import { validateKnowledgeBase } from '../../core/ruleset/validate';

/** The rules directory shipped with Tailor. */
export const BUNDLED_RULES_DIR = fileURLToPath(new URL('../../../rules', import.meta.url));

/** Reads every JSON file under a rules directory, paths relative to it with posix separators. */
export async function readRulesDirectory(dir: string = BUNDLED_RULES_DIR): Promise<SourceFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(
    files.map(async (path) => ({
      path: relative(dir, path).split(sep).join('/'),
      text: await readFile(path, 'utf8'),
    })),
  );
}

/** Reads, parses and validates a rules directory: every problem an author must fix, with its file. */
export async function loadKnowledgeBase(
  dir: string = BUNDLED_RULES_DIR,
): Promise<{ kb: KnowledgeBase; problems: Problem[] }> {
  const { kb, problems } = parseKnowledgeBase(await readRulesDirectory(dir));
  return { kb, problems: [...problems, ...validateKnowledgeBase(kb)] };
}
