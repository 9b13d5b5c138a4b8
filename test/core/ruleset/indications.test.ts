import { beforeAll, describe, expect, test } from 'vitest';
import { readRulesDirectory } from '../../../functions/adapters/files/rules-directory';
import {
  type KnowledgeBase,
  type Problem,
  parseKnowledgeBase,
  type SourceFile,
} from '../../../functions/core/ruleset/knowledge-base';
import { validateKnowledgeBase } from '../../../functions/core/ruleset/validate';

let bundled: SourceFile[];

beforeAll(async () => {
  bundled = (await readRulesDirectory()).filter((f) => !f.path.startsWith('schema/'));
});

/** Parse and validate: every problem `tailor rules validate` reports. */
function problemsOf(files: readonly SourceFile[]): { kb: KnowledgeBase; problems: Problem[] } {
  const { kb, problems } = parseKnowledgeBase(files);
  return { kb, problems: [...problems, ...validateKnowledgeBase(kb)] };
}

/** The bundled files with one JSON file edited (or added). */
function withFile(path: string, edit: (json: Record<string, unknown>) => unknown): SourceFile[] {
  const existing = bundled.find((f) => f.path === path);
  const json = existing ? (JSON.parse(existing.text) as Record<string, unknown>) : {};
  const text = JSON.stringify(edit(json), null, 2);
  return existing ? bundled.map((f) => (f.path === path ? { path, text } : f)) : [...bundled, { path, text }];
}

const ACS = 'indications/acs-pci.json';
const NEURO = 'indications/neurovascular.json';

describe('rules/indications', () => {
  test('the bundled indication files validate against the schema, with no cross-file problem', () => {
    const { kb, problems } = problemsOf(bundled);
    expect(problems).toEqual([]);
    expect(kb.indications.map((i) => i.key).sort()).toEqual([
      'acs-pci',
      'neurovascular',
      'other-cardiovascular',
    ]);
    expect(kb.indicationFiles.get('acs-pci')).toBe(ACS);
    expect(kb.indicationNegation?.words.en).toContain('family history');
  });

  test('an unknown property is reported against the file', () => {
    const { problems } = problemsOf(withFile(ACS, (json) => ({ ...json, synonyms: ['MI'] })));
    expect(problems).toContainEqual({
      file: ACS,
      message: '(top level): must NOT have additional properties "synonyms"',
    });
  });

  test('an empty phrase list is reported against the file', () => {
    const { problems } = problemsOf(withFile(ACS, (json) => ({ ...json, phrases: { en: [] } })));
    expect(problems).toContainEqual({ file: ACS, message: '/phrases/en: must NOT have fewer than 1 items' });
  });

  test('a phrase without letters, or listed twice in another case, is reported', () => {
    const { problems } = problemsOf(
      withFile(ACS, (json) => ({ ...json, phrases: { en: ['PCI', '--'], da: ['pci'] } })),
    );
    const messages = problems.filter((p) => p.file === ACS).map((p) => p.message);
    expect(messages).toContain('/phrases/en/1: "--" has no letters or digits');
    expect(messages).toContain('/phrases/da/0: "pci" is already listed at /phrases/en/0');
  });

  test('a code claimed by two indications names both files', () => {
    const files = withFile(NEURO, (json) => ({
      ...json,
      snomed: [...(json.snomed as object[]), { code: '22298006', source: 'test' }],
    }));
    expect(problemsOf(files).problems).toContainEqual({
      file: ACS,
      message: `SNOMED CT 22298006 is claimed by "acs-pci" and "neurovascular" (see ${NEURO})`,
    });
  });

  test("an ICD-10 code inside another indication's prefix is claimed by both", () => {
    const files = withFile(NEURO, (json) => ({
      ...json,
      icd10: [...(json.icd10 as object[]), { code: 'I21.4', source: 'test' }],
    }));
    expect(problemsOf(files).problems).toContainEqual({
      file: ACS,
      message: `ICD-10 I21 is claimed by "acs-pci" and ICD-10 I21.4 by "neurovascular" (see ${NEURO})`,
    });
  });

  test('the same phrase in two indications is reported', () => {
    const files = withFile(NEURO, (json) => ({
      ...json,
      phrases: { ...(json.phrases as object), en: ['stroke', 'Myocardial Infarction'] },
    }));
    expect(problemsOf(files).problems).toContainEqual({
      file: ACS,
      message: `phrase "myocardial infarction" is claimed by "acs-pci" and "neurovascular" (see ${NEURO})`,
    });
  });

  test('a key that differs from the file name, or redefines a built-in value, is reported', () => {
    const renamed = problemsOf(withFile(ACS, (json) => ({ ...json, key: 'acs' }))).problems;
    expect(renamed).toContainEqual({
      file: ACS,
      message: 'key "acs" must equal the file name stem "acs-pci"',
    });
    const builtIn = problemsOf(
      withFile('indications/unknown.json', () => ({
        key: 'unknown',
        names: { en: ['Unknown'] },
        icd10: [],
        snomed: [],
        phrases: { en: ['unknown'] },
      })),
    ).problems;
    expect(builtIn).toContainEqual({
      file: 'indications/unknown.json',
      message: 'key: "unknown" is built in (unknown, malignancy, non-malignant) and cannot be redefined',
    });
  });

  test('indications without the negation file are reported', () => {
    const { problems } = problemsOf(bundled.filter((f) => f.path !== 'indication-negation.json'));
    expect(problems).toContainEqual({
      file: 'indication-negation.json',
      message:
        'missing: indications need the negation words ("no", "family history" ...) that cancel a text match',
    });
  });

  test('a broken negation file is reported against it', () => {
    const { problems } = problemsOf(
      withFile('indication-negation.json', (json) => ({ ...json, words: { en: [] } })),
    );
    expect(problems).toContainEqual({
      file: 'indication-negation.json',
      message: '/words/en: must NOT have fewer than 1 items',
    });
  });
});

describe('indication values in rules and cases', () => {
  const RULE = 'pgx/cyp2c19-clopidogrel-poor-neurovascular';

  test('removing an indication file makes every rule and case that uses it a problem', () => {
    const { problems } = problemsOf(bundled.filter((f) => f.path !== NEURO));
    // The shared condition is checked inside each rule that uses it.
    expect(problems).toContainEqual({
      file: `${RULE}.rule.json`,
      rule: 'cyp2c19-clopidogrel-poor-neurovascular',
      message:
        'conditions (context equal): indication is never "neurovascular" (define it in rules/indications/ or use a built-in value)',
    });
    expect(problems).toContainEqual({
      file: `${RULE}.cases.json`,
      rule: 'cyp2c19-clopidogrel-poor-neurovascular',
      message:
        'case "Poor metabolizer after an ischaemic stroke": context indication is never "neurovascular" (define it in rules/indications/ or use a built-in value)',
    });
  });

  test('a case with an undefined indication is reported; the built-in values are accepted', () => {
    const path = `${RULE}.cases.json`;
    const withIndication = (indication: string) =>
      withFile(path, (json) => {
        const cases = json.cases as { context?: Record<string, unknown> }[];
        cases[0]!.context = { indication };
        return json;
      });
    expect(problemsOf(withIndication('cerebrovascular')).problems).toContainEqual({
      file: path,
      rule: 'cyp2c19-clopidogrel-poor-neurovascular',
      message:
        'case "Poor metabolizer after an ischaemic stroke": context indication is never "cerebrovascular" (define it in rules/indications/ or use a built-in value)',
    });
    for (const builtIn of ['unknown', 'malignancy', 'non-malignant'])
      expect(problemsOf(withIndication(builtIn)).problems).toEqual([]);
  });

  test('a new indication file makes its key a value rules and cases may use', () => {
    const files = withFile('indications/atrial-fibrillation.json', () => ({
      key: 'atrial-fibrillation',
      names: { en: ['Atrial fibrillation'] },
      icd10: [{ code: 'I48', source: 'test' }],
      snomed: [],
      phrases: { en: ['atrial fibrillation'] },
    }));
    const path = `${RULE}.cases.json`;
    const edited = files.map((f) => {
      if (f.path !== path) return f;
      const json = JSON.parse(f.text) as { cases: { context?: Record<string, unknown> }[] };
      json.cases[0]!.context = { indication: 'atrial-fibrillation' };
      return { path, text: JSON.stringify(json) };
    });
    const { problems } = problemsOf(edited);
    // Valid to the validator; the case itself would now fail `rules test` (the rule does not fire).
    expect(problems).toEqual([]);
  });
});
