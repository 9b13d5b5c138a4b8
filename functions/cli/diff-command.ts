import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareRuleSet } from '../core/pipeline';
import {
  type CorpusPatient,
  caseCorpus,
  type DiffSide,
  diffRuleSets,
  type OutcomeView,
  type RuleSetDiff,
} from '../core/ruleset/diff';
import { CliError, type CliIo, EXIT, plural } from './io';
import { describeProblem, readWorkingRules } from './rules-commands';
import { openStore, type StoreConnection, type StoreOptions, storeFailure } from './store';
import { loadStoredRuleSet } from './store-commands';

/** The example patients shipped with Tailor (examples/bundles). */
export const BUNDLED_PATIENTS_DIR = fileURLToPath(new URL('../../examples/bundles', import.meta.url));

/** The name that means "the rules directory on disk" instead of a stored version. */
export const WORKING = 'working';

export interface DiffOptions extends StoreOptions {
  rules?: string;
  patients?: string;
  json?: boolean;
}

/**
 * `tailor rules diff <from> <to>`: both versions evaluated on every case patient of both and every example
 * bundle; prints the patients whose recommendations change and how. Exit 0 whether or not anything changed.
 */
export async function rulesDiff(from: string, to: string, options: DiffOptions, io: CliIo): Promise<number> {
  let store: StoreConnection | undefined;
  try {
    if (from !== WORKING || to !== WORKING) store = await openStore(options, io);
    const side = (version: string) => readSide(version, options, io, store);
    const before = await side(from);
    const after = await side(to);
    const corpus = [
      ...caseCorpus(before.ruleSet.kb, after.ruleSet.kb),
      ...(await examplePatients(options.patients ? resolve(io.cwd, options.patients) : BUNDLED_PATIENTS_DIR)),
    ];
    const diff = await diffRuleSets(before, after, corpus);
    if (options.json) io.out(JSON.stringify(diff, null, 2));
    else for (const line of formatDiff(diff)) io.out(line);
    return EXIT.ok;
  } catch (error) {
    throw store ? storeFailure(store.where, error) : error;
  } finally {
    await store?.close();
  }
}

async function readSide(
  version: string,
  options: DiffOptions,
  io: CliIo,
  store: StoreConnection | undefined,
): Promise<DiffSide> {
  if (version === WORKING) {
    const working = await readWorkingRules(options.rules, io);
    if (working.problems.length > 0) {
      for (const problem of working.problems) io.err(describeProblem(problem));
      throw new CliError(
        EXIT.refused,
        'invalid',
        `The rules in ${working.dir} are not valid (${plural(working.problems.length, 'problem')}): run tailor rules validate`,
      );
    }
    // As the service would run it once published: drafts are not evaluated.
    return {
      label: `${WORKING} (${working.kb.version} in ${working.dir})`,
      ruleSet: prepareRuleSet(working.kb),
      files: working.files,
    };
  }
  if (!store) throw new Error('a stored version needs a store');
  const { files, ruleSet } = await loadStoredRuleSet(store.rules, version);
  return { label: version, ruleSet, files };
}

/** Every *.json under the directory: a FHIR Bundle or a list of resources, evaluated like `tailor evaluate`. */
export async function examplePatients(dir: string): Promise<CorpusPatient[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new CliError(
      EXIT.usage,
      'usage',
      `${dir}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, name), 'utf8');
      let resources: unknown;
      try {
        resources = JSON.parse(text);
      } catch (error) {
        throw new CliError(
          EXIT.usage,
          'usage',
          `${join(dir, name)}: not valid JSON: ${(error as Error).message}`,
        );
      }
      return { kind: 'example' as const, key: `example ${name}`, file: name, resources };
    }),
  );
}

function outcome(view: OutcomeView | undefined): string {
  if (!view) return '(nothing)';
  return `${view.action} · ${view.classification} · ${view.indicator} · ${view.ruleId} v${view.ruleVersion}\n        "${view.summary}"`;
}

export function formatDiff(diff: RuleSetDiff): string[] {
  const lines = [`Rule set ${diff.from} → ${diff.to}`, ''];
  const { rules, files, patients } = diff;
  const ruleLines = [
    ...rules.added.map((r) => `  added    ${r.id} ${r.version}`),
    ...rules.removed.map((r) => `  removed  ${r.id} ${r.version}`),
    ...rules.changed.map(
      (r) => `  changed  ${r.id} ${r.from} → ${r.to}${r.from === r.to ? '  (VERSION NOT RAISED)' : ''}`,
    ),
  ];
  const ruleCounts = [
    rules.added.length && `${rules.added.length} added`,
    rules.removed.length && `${rules.removed.length} removed`,
    rules.changed.length && `${rules.changed.length} changed`,
  ].filter(Boolean);
  lines.push(`Rules: ${ruleCounts.length === 0 ? 'none changed' : ruleCounts.join(', ')}`, ...ruleLines);
  const fileCount = files.added.length + files.removed.length + files.changed.length;
  lines.push(
    `Files: ${fileCount === 0 ? 'none changed' : [files.added.length && `${files.added.length} added`, files.removed.length && `${files.removed.length} removed`, files.changed.length && `${files.changed.length} changed`].filter(Boolean).join(', ')}`,
  );
  for (const path of files.added) lines.push(`  + ${path}`);
  for (const path of files.removed) lines.push(`  - ${path}`);
  for (const path of files.changed) lines.push(`  ~ ${path}`);
  lines.push(
    '',
    `Patients: ${patients.evaluated} evaluated (${patients.cases} case patients, ${patients.examples} example patients); ${patients.changed} with changed recommendations`,
  );
  for (const patient of diff.changes) {
    lines.push('', `${patient.kind === 'case' ? 'case' : ''} ${patient.patient}`.trim());
    for (const change of patient.changes) {
      const what = change.change === 'changed' ? `changed (${change.fields.join(', ')})` : change.change;
      const order = change.order === change.drug ? change.drug : `${change.order} → ${change.drug}`;
      lines.push(`  ${order}: ${what}`);
      if (change.change !== 'added') lines.push(`    before: ${outcome(change.before)}`);
      if (change.change !== 'removed') lines.push(`    after:  ${outcome(change.after)}`);
    }
  }
  if (rules.changedWithoutNewVersion.length > 0) {
    lines.push(
      '',
      `WARNING: ${plural(rules.changedWithoutNewVersion.length, 'rule')} changed without a new version (${rules.changedWithoutNewVersion.map((r) => r.id).join(', ')}): raise each rule's "version"; publish refuses otherwise.`,
    );
  }
  return lines;
}
