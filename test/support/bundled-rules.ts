import { loadKnowledgeBase } from '../../functions/adapters/files/rules-directory';
import { type PreparedRuleSet, prepareRuleSet } from '../../functions/core/pipeline';

let prepared: Promise<PreparedRuleSet> | undefined;

/** The bundled rules/ directory, validated and prepared once per test file. */
export function bundledRuleSet(): Promise<PreparedRuleSet> {
  prepared ??= loadKnowledgeBase().then(({ kb, problems }) => {
    if (problems.length > 0) {
      throw new Error(`rules/ is invalid:\n${problems.map((p) => `${p.file}: ${p.message}`).join('\n')}`);
    }
    return prepareRuleSet(kb);
  });
  return prepared;
}
