import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, spawnTailor, tailor as tailorIn } from './tailor-run';

/** In this process (fast); the installed binary is exercised by the first and last tests. */
const tailor = (...args: string[]) => tailorIn({}, ...args);

let scratch: string;

/** A copy of the bundled rules that a test may break. */
async function rulesCopy(name: string): Promise<string> {
  const dir = join(scratch, name);
  await cp(join(ROOT, 'rules'), dir, { recursive: true });
  return dir;
}

async function firstRule(dir: string): Promise<{ path: string; json: Record<string, unknown> }> {
  const files = (await readdir(join(dir, 'pgx'))).filter((f) => f.endsWith('.rule.json')).sort();
  const path = join(dir, 'pgx', files[0]!);
  return { path, json: JSON.parse(await readFile(path, 'utf8')) };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tailor-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('tailor rules', () => {
  test('the bundled rules validate and all their cases pass', async () => {
    const validate = await spawnTailor({}, 'rules', 'validate');
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/Rule set \d+\.\d+\.\d+ is valid/);
    const run = await tailor('rules', 'test');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed/m);
  });

  test('a schema error fails validation and names the file and rule', async () => {
    const dir = await rulesCopy('schema-error');
    const rule = await firstRule(dir);
    delete rule.json.outcome;
    await writeFile(rule.path, JSON.stringify(rule.json));
    const run = await tailor('rules', 'validate', '--rules', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`pgx/${rule.path.split('/').pop()} [${String(rule.json.id)}]`);
    expect(run.stderr).toContain('outcome');
  });

  test('malformed JSON fails validation with the file named', async () => {
    const dir = await rulesCopy('bad-json');
    const rule = await firstRule(dir);
    await writeFile(rule.path, '{ "id": ');
    const run = await tailor('rules', 'validate', '--rules', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not valid JSON');
    expect(run.stderr).toContain(rule.path.split('/').pop());
  });

  test('an unknown gene or drug fails validation', async () => {
    const dir = await rulesCopy('unknown-refs');
    const rule = await firstRule(dir);
    rule.json.genes = [...(rule.json.genes as string[]), 'NOTAGENE1'];
    rule.json.drugs = ['not-a-drug'];
    await writeFile(rule.path, JSON.stringify(rule.json));
    const run = await tailor('rules', 'validate', '--rules', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown gene "NOTAGENE1"');
    expect(run.stderr).toContain('unknown ingredient "not-a-drug"');
  });

  test('a failing case makes rules test exit non-zero and names the file, rule and case', async () => {
    const dir = await rulesCopy('failing-case');
    const rule = await firstRule(dir);
    const casesPath = rule.path.replace('.rule.json', '.cases.json');
    const cases = JSON.parse(await readFile(casesPath, 'utf8'));
    const positive = cases.cases.find((c: { kind: string }) => c.kind === 'positive');
    positive.expect = { fires: false };
    await writeFile(casesPath, JSON.stringify(cases));
    const run = await tailor('rules', 'test', '--rules', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `FAIL pgx/${casesPath.split('/').pop()} [${String(rule.json.id)}] "${positive.name}"`,
    );
    expect(run.stderr).toContain('expected the rule not to fire; it did');
    expect(run.stderr).toMatch(/\d+ passed, 1 failed/);
  });

  test('a rule without cases fails validation', async () => {
    const dir = await rulesCopy('no-cases');
    const rule = await firstRule(dir);
    await rm(rule.path.replace('.rule.json', '.cases.json'));
    const run = await tailor('rules', 'validate', '--rules', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has no example patients');
  });
});

describe('tailor evaluate', () => {
  test('unreadable input exits 2 with the file named', async () => {
    const bad = join(scratch, 'bad.json');
    await writeFile(bad, 'not json');
    const run = await tailor('evaluate', bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.json: not valid JSON');
    expect((await tailor('evaluate', join(scratch, 'missing.json'))).stderr).toContain('cannot be read');
  });

  test("--indication takes the rule set's own indications, and refuses others by name", async () => {
    const patient = join(scratch, 'no-results.json');
    await writeFile(patient, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }));
    expect((await tailor('evaluate', patient, '--indication', 'neurovascular')).code).toBe(0);
    const unknown = await tailor('evaluate', patient, '--indication', 'renal-denervation');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('indication must be one of acs-pci');
    // A rule set that defines another indication accepts it as context.
    const dir = await rulesCopy('extra-indication');
    await writeFile(
      join(dir, 'indications', 'renal-denervation.json'),
      JSON.stringify({
        $schema: '../schema/indication.schema.json',
        key: 'renal-denervation',
        names: { en: ['Renal denervation'] },
        icd10: [],
        snomed: [],
        phrases: { en: ['renal denervation'] },
      }),
    );
    const run = await tailor('evaluate', patient, '--rules', dir, '--indication', 'renal-denervation');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  test('an unknown command is a usage error', async () => {
    const run = await spawnTailor({}, 'nonsense');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'nonsense'");
  });
});
