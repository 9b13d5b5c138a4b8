import { DynamoRuleStore } from '../../adapters/dynamodb/rule-store';
import { createStoreRuleSets } from '../../adapters/rulesets/store-rule-sets';
import type { RuleSetProvider, RuleStore } from '../../core/ports';
import type { ServiceCommon } from './common';

/** The rule store and the active rule set read from it (cached), for the CDS services and the app API. */
export function composeRuleSets(common: ServiceCommon): { ruleStore: RuleStore; ruleSets: RuleSetProvider } {
  const { config, log } = common;
  const ruleStore = new DynamoRuleStore({ client: common.client, tableName: common.tables.rules });
  const ruleSets = createStoreRuleSets(ruleStore, {
    refreshMs: config.ruleSetRefreshMs,
    maxStaleMs: config.ruleSetMaxStaleMs,
    log,
  });
  return { ruleStore, ruleSets };
}
