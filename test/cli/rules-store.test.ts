import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDynamoClient } from '../../functions/adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../../functions/adapters/dynamodb/embedded';
import { fileSortKey } from '../../functions/adapters/dynamodb/rule-store';
import { formatDiff } from '../../functions/cli/diff-command';
import type { RuleSetAct, RuleSetVersionMeta } from '../../functions/core/ports';
import type { RuleSetDiff } from '../../functions/core/ruleset/diff';
import {
  CHANGED_RULE,
  codeinePatient,
  editJson,
  json,
  ROOT,
  rulesWithChangedCodeineRule,
  spawnTailor,
  tailor,
} from './tailor-run';

// The rule-set workflow through the command line against one local embedded store (TAILOR_DATA_DIR in a
// temporary directory): publish → approve → activate → rollback, every refusal, diff and reproduce.

const ADA = 'Dr Ada Geneticist';
const BO = 'Dr Bo Reviewer';
let scratch: string;
let env: Record<string, string>;
let changed: string;
let patientFile: string;

const run = (...args: string[]) => tailor(env, ...args);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tailor-cli-store-'));
  env = { TAILOR_DATA_DIR: join(scratch, 'data'), TAILOR_USER: '' };
  changed = await rulesWithChangedCodeineRule(join(scratch, 'rules-1.1.1'), '1.1.1');
  patientFile = join(scratch, 'codeine-patient.json');
  await writeFile(patientFile, JSON.stringify(codeinePatient()));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** What the codeine patient is advised under a stored version. */
async function codeineAdvice(version: string): Promise<{ ruleVersion: string; action: string }> {
  const result = await run('evaluate', patientFile, '--version', version, '--json');
  expect(result.stderr).toBe('');
  const { recommendations, ruleSetVersion } = json<{
    ruleSetVersion: string;
    recommendations: { ruleId: string; ruleVersion: string; action: string; ruleSetVersion: string }[];
  }>(result);
  expect(ruleSetVersion).toBe(version);
  const rec = recommendations.find((r) => r.ruleId === CHANGED_RULE);
  expect(rec?.ruleSetVersion).toBe(version);
  return { ruleVersion: rec!.ruleVersion, action: rec!.action };
}

async function activeVersion(): Promise<string | undefined> {
  const list = json<{ active: { version: string } | null }>(await run('rules', 'list', '--json'));
  return list.active?.version;
}

describe('tailor rules: the workflow on the local store', () => {
  test('publish (the installed binary) stores the bundled rules as 1.1.0, unapproved', async () => {
    const published = await spawnTailor(env, 'rules', 'publish', '--by', ADA, '--note', 'bundled rules');
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/^Published rule set 1\.1\.0 \(117 rules/);
    const list = json<{ versions: RuleSetVersionMeta[]; active: null }>(await run('rules', 'list', '--json'));
    expect(list.active).toBeNull();
    expect(list.versions).toEqual([
      expect.objectContaining({
        version: '1.1.0',
        state: 'published',
        publishedBy: ADA,
        note: 'bundled rules',
      }),
    ]);
  });

  test('publish refuses a version that exists, and says whether its content differs', async () => {
    const again = await run('rules', 'publish', '--by', ADA);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('1.1.0 is already published with exactly this content');
    const copy = join(scratch, 'same-version-other-content');
    await rulesWithChangedCodeineRule(copy, '1.1.0');
    const other = await run('rules', 'publish', '--rules', copy, '--by', ADA, '--json');
    expect(other.code).toBe(1);
    expect(json(other)).toEqual({ error: expect.objectContaining({ reason: 'exists' }) });
    expect(other.stderr).toContain('Raise "version"');
  });

  test('publish refuses invalid rules, failing cases and a missing author; nothing is stored', async () => {
    const invalid = join(scratch, 'invalid');
    await rulesWithChangedCodeineRule(invalid, '1.1.7');
    await editJson(join(invalid, 'pgx', `${CHANGED_RULE}.rule.json`), (rule) => {
      rule.drugs = ['not-a-drug'];
    });
    const refused = await run('rules', 'publish', '--rules', invalid, '--by', ADA);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unknown ingredient "not-a-drug"');
    expect(refused.stderr).toContain('Not published: rule set 1.1.7 has');

    const failing = join(scratch, 'failing');
    await rulesWithChangedCodeineRule(failing, '1.1.8');
    await editJson(join(failing, 'pgx', 'cyp2d6-codeine-poor.cases.json'), (cases) => {
      (cases.cases as { expect: { action?: string } }[])[0]!.expect.action = 'avoid';
    });
    const failed = await run('rules', 'publish', '--rules', failing, '--by', ADA);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('FAIL pgx/cyp2d6-codeine-poor.cases.json');
    expect(failed.stderr).toContain('Not published: 1 of');

    const nobody = await run('rules', 'publish', '--rules', changed);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('--by');

    const versions = json<{ versions: RuleSetVersionMeta[] }>(await run('rules', 'list', '--json')).versions;
    expect(versions.map((v) => v.version)).toEqual(['1.1.0']);
  });

  test('a rule changed without raising its version is refused', async () => {
    const silent = join(scratch, 'silent-change');
    await rulesWithChangedCodeineRule(silent, '1.1.9');
    await editJson(join(silent, 'pgx', `${CHANGED_RULE}.rule.json`), (rule) => {
      rule.version = '1.0.0';
    });
    const refused = await run('rules', 'publish', '--rules', silent, '--by', ADA);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${CHANGED_RULE} (1.0.0)`);
    expect(refused.stderr).toContain('kept its version');
  });

  test('activate refuses an unapproved version; approve refuses the publisher (four eyes)', async () => {
    const unapproved = await run('rules', 'activate', '1.1.0', '--by', BO, '--why', 'go live');
    expect(unapproved.code).toBe(1);
    expect(unapproved.stderr).toContain('1.1.0 is not approved');
    const own = await run('rules', 'approve', '1.1.0', '--by', ADA, '--json');
    expect(own.code).toBe(1);
    expect(json(own)).toEqual({ error: expect.objectContaining({ reason: 'four-eyes' }) });
    // TAILOR_USER names the person when --by is absent.
    const approved = await tailor({ ...env, TAILOR_USER: BO }, 'rules', 'approve', '1.1.0');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`approved by ${BO}`);
    const noWhy = await run('rules', 'activate', '1.1.0', '--by', BO);
    expect(noWhy.code).toBe(2);
    expect(noWhy.stderr).toContain('--why');
    const activated = await run('rules', 'activate', '1.1.0', '--by', BO, '--why', 'first go-live');
    expect(activated.code).toBe(0);
    expect(await activeVersion()).toBe('1.1.0');
  });

  test('diff reports exactly the patients whose advice the changed rule changes', async () => {
    const published = await run('rules', 'publish', '--rules', changed, '--by', ADA, '--note', 'codeine PM');
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);

    const result = await run('rules', 'diff', '1.1.0', '1.1.1', '--json');
    expect(result.code).toBe(0);
    const diff = json<RuleSetDiff>(result);
    expect(diff.rules).toEqual({
      added: [],
      removed: [],
      changed: [{ id: CHANGED_RULE, from: '1.0.0', to: '1.1.0' }],
      changedWithoutNewVersion: [],
    });
    expect(diff.patients).toMatchObject({ examples: 4, changed: 2 });
    expect(diff.patients.cases).toBeGreaterThan(400);
    // The poor metabolizer in the rule's own cases, and the same patient among the normal rule's cases.
    expect(diff.changes.map((c) => c.patient).sort()).toEqual([
      'pgx/cyp2d6-codeine-normal.cases.json › CYP2D6 *4/*4',
      'pgx/cyp2d6-codeine-poor.cases.json › CYP2D6 *4/*4',
    ]);
    for (const patient of diff.changes) {
      expect(patient.changes).toEqual([
        {
          change: 'changed',
          order: 'codeine',
          drug: 'codeine',
          ruleId: CHANGED_RULE,
          fields: ['ruleVersion', 'action'],
          before: expect.objectContaining({
            ruleVersion: '1.0.0',
            action: 'avoid',
            classification: 'Strong',
          }),
          after: expect.objectContaining({ ruleVersion: '1.1.0', action: 'use-alternative' }),
        },
      ]);
    }
    const readable = formatDiff(diff).join('\n');
    expect(readable).toContain('2 with changed recommendations');
    expect(readable).toContain('before: avoid · Strong · critical · cyp2d6-codeine-poor v1.0.0');
    expect(readable).toContain('after:  use-alternative · Strong · critical · cyp2d6-codeine-poor v1.1.0');
    // The working directory compared with what it was published as: nothing changes (readable output).
    const same = await run('rules', 'diff', '1.1.1', 'working', '--rules', changed);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('Rules: none changed');
    expect(same.stdout).toContain('Files: none changed');
    expect(same.stdout).toContain('0 with changed recommendations');
  });

  test('activate moves forward, rollback restores the earlier outcome; wrong directions are refused', async () => {
    expect(await codeineAdvice('1.1.0')).toEqual({ ruleVersion: '1.0.0', action: 'avoid' });
    const approved = await run('rules', 'approve', '1.1.1', '--by', BO);
    expect(approved.code).toBe(0);
    const activated = await run('rules', 'activate', '1.1.1', '--by', BO, '--why', 'codeine advice update');
    expect(activated.stdout).toContain('Activated rule set 1.1.1 (was 1.1.0)');
    expect(await codeineAdvice((await activeVersion())!)).toEqual({
      ruleVersion: '1.1.0',
      action: 'use-alternative',
    });

    const backwards = await run('rules', 'activate', '1.1.0', '--by', BO, '--why', 'oops');
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('use tailor rules rollback 1.1.0');
    const forwards = await run('rules', 'rollback', '1.1.1', '--by', BO, '--why', 'oops');
    expect(forwards.code).toBe(1);
    expect(forwards.stderr).toContain('is already active');

    const rolledBack = await run(
      'rules',
      'rollback',
      '1.1.0',
      '--by',
      BO,
      '--why',
      'prescribers asked',
      '--json',
    );
    expect(rolledBack.code).toBe(0);
    expect(json<{ act: RuleSetAct }>(rolledBack).act).toMatchObject({
      act: 'rollback',
      version: '1.1.0',
      previous: '1.1.1',
      by: BO,
      why: 'prescribers asked',
    });
    expect(await activeVersion()).toBe('1.1.0');
    expect(await codeineAdvice((await activeVersion())!)).toEqual({ ruleVersion: '1.0.0', action: 'avoid' });

    const history = json<{ acts: RuleSetAct[] }>(await run('rules', 'history', '--json')).acts;
    expect(history.map((a) => `${a.act} ${a.version}`)).toEqual([
      'publish 1.1.0',
      'approve 1.1.0',
      'activate 1.1.0',
      'publish 1.1.1',
      'approve 1.1.1',
      'activate 1.1.1',
      'rollback 1.1.0',
    ]);
    const list = await run('rules', 'list');
    expect(list.stdout).toMatch(/^\*\s+1\.1\.0\s+active/m);
    expect(list.stdout).toMatch(/^\s+1\.1\.1\s+superseded/m);
  });

  test('show names the state, the verified hash, the acts and every rule with its version', async () => {
    const shown = json<{
      meta: RuleSetVersionMeta;
      active: boolean;
      counts: { rules: number };
      acts: RuleSetAct[];
      rules: { id: string; version: string }[];
    }>(await run('rules', 'show', '1.1.1', '--json'));
    expect(shown.meta).toMatchObject({
      version: '1.1.1',
      state: 'superseded',
      publishedBy: ADA,
      approvedBy: BO,
    });
    expect(shown.meta.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.active).toBe(false);
    expect(shown.rules).toHaveLength(shown.counts.rules);
    expect(shown.rules).toContainEqual(expect.objectContaining({ id: CHANGED_RULE, version: '1.1.0' }));
    expect(shown.acts.map((a) => a.act)).toEqual(['publish', 'approve', 'activate', 'rollback']);
    const readable = await run('rules', 'show', '1.1.0');
    expect(readable.stdout).toMatch(/^Rule set 1\.1\.0 · ACTIVE/);
    expect(readable.stdout).toMatch(new RegExp(`^\\s+${CHANGED_RULE}\\s+1\\.0\\.0$`, 'm'));
    const missing = await run('rules', 'show', '9.9.9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('9.9.9 does not exist');
  });

  test('a tampered version is refused by show, evaluate and approve, with the reason', async () => {
    // Change one stored file of 1.1.1 behind the store's back (the store is closed between commands).
    const store = await startEmbeddedDynamo({ dataDir: join(env.TAILOR_DATA_DIR!, 'dynalite') });
    const client = createDynamoClient({ endpoint: store.endpoint });
    try {
      const Key = { pk: { S: 'RULESET#1.1.1' }, sk: { S: fileSortKey(`pgx/${CHANGED_RULE}.rule.json`, 0) } };
      const { Item } = await client.send(new GetItemCommand({ TableName: 'tailor-rules', Key }));
      const text = Item!.text!.S!.replace('"use-alternative"', '"standard"');
      await client.send(
        new PutItemCommand({ TableName: 'tailor-rules', Item: { ...Item, text: { S: text } } }),
      );
    } finally {
      client.destroy();
      await store.close();
    }
    for (const args of [
      ['rules', 'show', '1.1.1'],
      ['evaluate', patientFile, '--version', '1.1.1'],
      ['rules', 'approve', '1.1.1', '--by', BO],
    ]) {
      const refused = await run(...args, '--json');
      expect(refused.code).toBe(1);
      expect(json(refused)).toEqual({ error: expect.objectContaining({ reason: 'tampered' }) });
      expect(refused.stderr).toContain('content hash');
    }
  });

  test('the local store in use by another process (npm start) is named, with the way round it', async () => {
    const store = await startEmbeddedDynamo({ dataDir: join(env.TAILOR_DATA_DIR!, 'dynalite') });
    try {
      const locked = await spawnTailor(env, 'rules', 'list');
      expect(locked.code).toBe(3);
      expect(locked.stderr).toContain('is in use by another process');
      expect(locked.stderr).toContain('--endpoint');
      // ... and the way round it works.
      const viaEndpoint = await run('rules', 'list', '--endpoint', store.endpoint, '--json');
      expect(viaEndpoint.code).toBe(0);
      expect(json<{ active: { version: string } }>(viaEndpoint).active.version).toBe('1.1.0');
    } finally {
      await store.close();
    }
  });

  test('an unreachable store exits 3 and names it', async () => {
    const dead = await run('rules', 'list', '--endpoint', 'http://127.0.0.1:9');
    expect(dead.code).toBe(3);
    expect(dead.stderr).toContain('http://127.0.0.1:9');
  });

  test('evaluate reads the working rules by default and refuses --version with --rules', async () => {
    const working = await run('evaluate', patientFile, '--json');
    expect(json<{ ruleSetVersion: string }>(working).ruleSetVersion).toBe('1.1.0');
    const both = await run('evaluate', patientFile, '--version', '1.1.0', '--rules', join(ROOT, 'rules'));
    expect(both.code).toBe(2);
  });
});
