import { beforeAll, describe, expect, test } from 'vitest';
import { readRulesDirectory } from '../../../functions/adapters/files/rules-directory';
import { parseKnowledgeBase, type SourceFile } from '../../../functions/core/ruleset/knowledge-base';
import { parseTrustedKnowledgeBase } from '../../../functions/core/ruleset/read-knowledge-base';

let bundled: SourceFile[];
beforeAll(async () => {
  bundled = await readRulesDirectory();
});

const withVersion = (version: unknown): SourceFile[] =>
  bundled.map((file) =>
    file.path === 'ruleset.json'
      ? { path: file.path, text: JSON.stringify({ ...JSON.parse(file.text), version }) }
      : file,
  );

describe('the rule set version in ruleset.json', () => {
  test('the checked reader takes a semantic version and refuses anything else', () => {
    expect(parseKnowledgeBase(withVersion('2.3.4')).kb.version).toBe('2.3.4');
    for (const version of ['1.2', 'v1', '', 7]) {
      const { problems } = parseKnowledgeBase(withVersion(version));
      expect(problems).toContainEqual({
        file: 'ruleset.json',
        message: '"version" must be a semantic version such as 1.2.0',
      });
    }
  });

  test('the trusted reader (a stored, hash-verified version) takes the version as stored', () => {
    // The version was checked when it was published; the store then compares it with the name it is stored under.
    const { kb, problems } = parseTrustedKnowledgeBase(withVersion('1.2'));
    expect(problems).toEqual([]);
    expect(kb.version).toBe('1.2');
    expect(parseTrustedKnowledgeBase(withVersion(7)).problems).toContainEqual({
      file: 'ruleset.json',
      message: '"version" must be a semantic version such as 1.2.0',
    });
  });
});
