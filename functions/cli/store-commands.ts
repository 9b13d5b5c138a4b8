import { compare as compareSemver, valid as validSemver } from 'semver';
import { prepareStoredRuleSet } from '../adapters/rulesets/store-rule-sets';
import type { PreparedRuleSet } from '../core/pipeline';
import type { RuleSetAct, RuleSetFile, RuleSetVersionMeta, RuleStore } from '../core/ports';
import { ruleChanges } from '../core/ruleset/diff';
import { contentHash } from '../core/ruleset/hash';
import { type KnowledgeBase, parseKnowledgeBase } from '../core/ruleset/knowledge-base';
import { CliError, type CliIo, columns, EXIT, plural } from './io';
import {
  describeCounts,
  describeProblem,
  readWorkingRules,
  reportFailedCases,
  runWorkingCases,
} from './rules-commands';
import { type StoreOptions, withStore } from './store';

export interface StoreCommandOptions extends StoreOptions {
  json?: boolean;
}

export interface ActOptions extends StoreCommandOptions {
  by?: string;
  why?: string;
}

/** Who acts: --by, or TAILOR_USER. Every act on the store is recorded with a person's name. */
function actor(options: { by?: string }, io: CliIo): string {
  const by = (options.by ?? io.env.TAILOR_USER ?? '').trim();
  if (!by) {
    throw new CliError(
      EXIT.usage,
      'usage',
      'Say who you are: --by "<your name>" (or set TAILOR_USER). Every act on a rule set is recorded with its author.',
    );
  }
  return by;
}

function reason(options: { why?: string }, act: string): string {
  const why = (options.why ?? '').trim();
  if (!why) {
    throw new CliError(
      EXIT.usage,
      'usage',
      `Say why: --why "<reason>". Every ${act} is recorded with its reason.`,
    );
  }
  return why;
}

/** Reads and verifies a stored version (hash and manifest) and prepares it as the service would. */
export async function loadStoredRuleSet(
  store: RuleStore,
  version: string,
): Promise<{ meta: RuleSetVersionMeta; files: RuleSetFile[]; ruleSet: PreparedRuleSet }> {
  const { meta, files } = await store.load(version);
  return { meta, files, ruleSet: prepareStoredRuleSet(version, files) };
}

/** Older first: by semantic version when both are one, else by publication time. */
export function compareVersions(a: RuleSetVersionMeta, b: RuleSetVersionMeta): number {
  if (validSemver(a.version) && validSemver(b.version)) return compareSemver(a.version, b.version);
  return a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : 0;
}

async function findMeta(store: RuleStore, version: string): Promise<RuleSetVersionMeta> {
  const meta = (await store.list()).find((m) => m.version === version);
  if (!meta) {
    throw new CliError(
      EXIT.refused,
      'not-found',
      `Rule set ${version} does not exist (see tailor rules list)`,
    );
  }
  return meta;
}

/**
 * `tailor rules publish`: validate, test, then store the rules directory as the version its ruleset.json
 * names. Also refuses a rule whose content changed since the newest or active stored version while its own
 * version stayed the same (a card names the rule's version: it must identify what the rule said).
 */
export async function rulesPublish(
  options: ActOptions & { rules?: string; note?: string },
  io: CliIo,
): Promise<number> {
  const by = actor(options, io);
  const working = await readWorkingRules(options.rules, io);
  const { kb, problems } = working;
  if (problems.length > 0) {
    for (const problem of problems) io.err(describeProblem(problem));
    throw new CliError(
      EXIT.refused,
      'invalid',
      `Not published: rule set ${kb.version} has ${plural(problems.length, 'validation problem')} (run tailor rules validate)`,
    );
  }
  return withStore(options, io, async (store) => {
    const versions = await store.rules.list();
    const existing = versions.find((meta) => meta.version === kb.version);
    if (existing) {
      const same = existing.hash === contentHash(working.files);
      throw new CliError(
        EXIT.refused,
        'exists',
        same
          ? `Not published: rule set ${kb.version} is already published with exactly this content (${existing.state}).`
          : `Not published: rule set ${kb.version} is already published with other content, and published versions never change. Raise "version" in ${working.dir}/ruleset.json (e.g. to the next patch version) and publish again.`,
      );
    }
    await refuseSilentRuleChanges(store.rules, versions, kb);
    // The cheap refusals first; then every case, which takes a few seconds.
    const results = await runWorkingCases(kb);
    const failed = results.filter((r) => !r.passed);
    if (failed.length > 0 || results.length === 0) {
      reportFailedCases(results, io);
      throw new CliError(
        EXIT.refused,
        'tests-failed',
        `Not published: ${failed.length} of ${plural(results.length, 'case')} failed (run tailor rules test)`,
      );
    }
    const meta = await store.rules.publish(
      kb.version,
      working.files,
      by,
      io.now().toISOString(),
      ...(options.note ? [options.note] : []),
    );
    if (options.json) io.out(JSON.stringify({ published: meta, cases: results.length }, null, 2));
    else {
      io.out(`Published rule set ${meta.version} (${describeCounts(kb)}; ${results.length} cases passed)`);
      io.out(`  hash ${meta.hash}`);
      io.out(`  by ${meta.publishedBy} at ${meta.publishedAt} · stored in ${store.where}`);
      io.out(
        `Next: someone other than ${by} approves it: tailor rules approve ${meta.version} --by "<name>"`,
      );
    }
    return EXIT.ok;
  });
}

async function refuseSilentRuleChanges(
  store: RuleStore,
  versions: readonly RuleSetVersionMeta[],
  kb: KnowledgeBase,
): Promise<void> {
  const active = await store.active();
  const newest = [...versions].sort(compareVersions).at(-1);
  const compareWith = [...new Set([active?.version, newest?.version].filter((v) => v !== undefined))];
  for (const version of compareWith) {
    const { files } = await store.load(version);
    const stored = parseKnowledgeBase(files).kb;
    const silent = ruleChanges(stored, kb).changedWithoutNewVersion;
    if (silent.length > 0) {
      throw new CliError(
        EXIT.refused,
        'rule-version-unchanged',
        `Not published: ${plural(silent.length, 'rule')} changed since rule set ${version} but kept ${silent.length === 1 ? 'its' : 'their'} version: ${silent
          .map((r) => `${r.id} (${r.to})`)
          .join(
            ', ',
          )}. Raise the "version" of each changed rule: a card names the rule's version, so it must say what the rule said.`,
      );
    }
  }
}

/** `tailor rules approve <version>`: the second pair of eyes. */
export async function rulesApprove(version: string, options: ActOptions, io: CliIo): Promise<number> {
  const by = actor(options, io);
  return withStore(options, io, async (store) => {
    const before = await findMeta(store.rules, version);
    if (before.approvedBy !== undefined && before.approvedBy !== by) {
      throw new CliError(
        EXIT.refused,
        'conflict',
        `Rule set ${version} is already approved by ${before.approvedBy} (${before.approvedAt}).`,
      );
    }
    if (before.publishedBy === by) {
      throw new CliError(
        EXIT.refused,
        'four-eyes',
        `Not approved: ${by} published rule set ${version}. Four eyes: someone other than its publisher must approve it.`,
      );
    }
    const meta = await store.rules.approve(
      version,
      by,
      io.now().toISOString(),
      ...(options.why ? [options.why] : []),
    );
    if (options.json) io.out(JSON.stringify({ approved: meta }, null, 2));
    else if (before.approvedBy === by)
      io.out(`Rule set ${version} was already approved by you (${meta.approvedAt}).`);
    else {
      io.out(
        `Approved rule set ${version} (published by ${meta.publishedBy}; approved by ${meta.approvedBy}).`,
      );
      io.out(`Next: tailor rules activate ${version} --by "<name>" --why "<reason>"`);
    }
    return EXIT.ok;
  });
}

/**
 * `activate` moves forward to a newer approved version, `rollback` back to an earlier approved one. Both
 * are the same guarded pointer move in the store; the command says which direction was meant, so a slip
 * of the version number cannot quietly go back (or forward).
 */
export async function rulesSwitch(
  direction: 'activate' | 'rollback',
  version: string,
  options: ActOptions,
  io: CliIo,
): Promise<number> {
  const by = actor(options, io);
  const why = reason(options, direction === 'activate' ? 'activation' : 'rollback');
  return withStore(options, io, async (store) => {
    const versions = await store.rules.list();
    const target = versions.find((meta) => meta.version === version);
    if (!target) {
      throw new CliError(
        EXIT.refused,
        'not-found',
        `Rule set ${version} does not exist (see tailor rules list)`,
      );
    }
    const pointer = await store.rules.active();
    const current = versions.find((meta) => meta.version === pointer?.version);
    if (pointer?.version === version) {
      throw new CliError(
        EXIT.refused,
        'conflict',
        `Rule set ${version} is already active (since ${pointer.since}).`,
      );
    }
    if (target.approvedBy === undefined) {
      throw new CliError(
        EXIT.refused,
        'not-approved',
        `Rule set ${version} is not approved, so it cannot be ${direction === 'activate' ? 'activated' : 'rolled back to'}. Someone other than its publisher (${target.publishedBy}) must approve it first: tailor rules approve ${version} --by "<name>"`,
      );
    }
    if (direction === 'rollback') {
      if (!current)
        throw new CliError(
          EXIT.refused,
          'no-active',
          'No rule set is active: there is nothing to roll back. Use tailor rules activate.',
        );
      if (compareVersions(target, current) >= 0) {
        throw new CliError(
          EXIT.refused,
          'not-earlier',
          `Rule set ${version} is not earlier than the active ${current.version}: a rollback goes back. To move forward, use tailor rules activate ${version}.`,
        );
      }
    } else if (current && compareVersions(target, current) < 0) {
      throw new CliError(
        EXIT.refused,
        'earlier',
        `Rule set ${version} is earlier than the active ${current.version}. To go back, use tailor rules rollback ${version} --why "<reason>".`,
      );
    }
    const act = await store.rules.activate(version, by, io.now().toISOString(), why, pointer?.version);
    if (options.json) io.out(JSON.stringify({ act }, null, 2));
    else {
      io.out(
        `${direction === 'activate' ? 'Activated' : 'Rolled back to'} rule set ${version}${act.previous ? ` (was ${act.previous})` : ''}, by ${act.by}: ${act.why}`,
      );
      // The store records a return to a version that was active before as a rollback, whichever way it goes.
      if (act.act !== direction)
        io.out(`Recorded in the history as a ${act.act}: ${version} was active before.`);
      io.out(
        'The service switches within its refresh interval (TAILOR_RULESET_REFRESH_SECONDS, default 30 s).',
      );
    }
    return EXIT.ok;
  });
}

/** `tailor rules list`: every version with its state; the active one marked. */
export async function rulesList(options: StoreCommandOptions, io: CliIo): Promise<number> {
  return withStore(options, io, async (store) => {
    const [versions, active] = await Promise.all([store.rules.list(), store.rules.active()]);
    if (options.json) {
      io.out(JSON.stringify({ active: active ?? null, versions }, null, 2));
      return EXIT.ok;
    }
    if (versions.length === 0) {
      io.out(`No rule sets in ${store.where}. Publish one: tailor rules publish --by "<name>"`);
      return EXIT.ok;
    }
    const rows = [
      ['', 'version', 'state', 'published', 'by', 'approved by', 'hash'],
      ...[...versions]
        .sort(compareVersions)
        .map((meta) => [
          meta.version === active?.version ? '*' : '',
          meta.version,
          meta.state,
          meta.publishedAt,
          meta.publishedBy,
          meta.approvedBy ?? '-',
          meta.hash.slice(0, 12),
        ]),
    ];
    for (const line of columns(rows)) io.out(line);
    io.out(active ? `\n* active since ${active.since}` : '\nNo version is active.');
    return EXIT.ok;
  });
}

/** `tailor rules show <version>`: meta, verification, acts, and the rules it holds with their versions. */
export async function rulesShow(version: string, options: StoreCommandOptions, io: CliIo): Promise<number> {
  return withStore(options, io, async (store) => {
    const { meta, files, ruleSet } = await loadStoredRuleSet(store.rules, version);
    const [acts, active] = await Promise.all([store.rules.history(), store.rules.active()]);
    const own = acts.filter((act) => act.version === version || act.previous === version);
    const kb = ruleSet.kb;
    const rules = [...kb.rules]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((rule) => ({ id: rule.id, version: rule.version, status: rule.status, title: rule.title }));
    if (options.json) {
      io.out(
        JSON.stringify(
          {
            meta,
            active: active?.version === version,
            verified: true,
            files: files.length,
            counts: {
              rules: kb.rules.length,
              geneTables: kb.genes.length,
              drugs: kb.drugs.length,
              diagnoses: kb.diagnoses.length,
              caseFiles: kb.cases.length,
            },
            acts: own,
            rules,
          },
          null,
          2,
        ),
      );
      return EXIT.ok;
    }
    io.out(`Rule set ${version} · ${meta.state.toUpperCase()}${meta.note ? ` · ${meta.note}` : ''}`);
    for (const line of columns([
      ['  hash', `sha256 ${meta.hash} (verified: every item present, content hash matches)`],
      ['  files', `${files.length} (${describeCounts(kb)})`],
      ['  published', `${meta.publishedAt} by ${meta.publishedBy}`],
      ['  approved', meta.approvedBy ? `${meta.approvedAt} by ${meta.approvedBy}` : 'not yet'],
    ])) {
      io.out(line);
    }
    io.out('');
    io.out('Acts:');
    for (const line of describeActs(own)) io.out(`  ${line}`);
    io.out('');
    io.out(`Rules (${rules.length}):`);
    for (const line of columns(
      rules.map((r) => [`  ${r.id}`, r.version, r.status === 'active' ? '' : r.status]),
    )) {
      io.out(line);
    }
    return EXIT.ok;
  });
}

function describeActs(acts: readonly RuleSetAct[]): string[] {
  if (acts.length === 0) return ['none'];
  return columns(
    acts.map((act) => [
      act.at,
      act.act,
      act.previous ? `${act.version} (was ${act.previous})` : act.version,
      `by ${act.by}`,
      act.why ? `· ${act.why}` : '',
    ]),
  );
}

/** `tailor rules history`: every act, oldest first. */
export async function rulesHistory(options: StoreCommandOptions, io: CliIo): Promise<number> {
  return withStore(options, io, async (store) => {
    const acts = await store.rules.history();
    if (options.json) io.out(JSON.stringify({ acts }, null, 2));
    else for (const line of describeActs(acts)) io.out(line);
    return EXIT.ok;
  });
}
