import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import casesSchema from '../../../rules/schema/cases.schema.json';
import indicationSchema from '../../../rules/schema/indication.schema.json';
import indicationNegationSchema from '../../../rules/schema/indication-negation.schema.json';
import ruleSchema from '../../../rules/schema/rule.schema.json';
import sharedConditionsSchema from '../../../rules/schema/shared-conditions.schema.json';
import type { IndicationEntry, IndicationNegation } from '../engine/indication';
import { schemaCompiler } from '../schema-validation';
import type { CaseFile } from './cases-model';
import type { Condition, Rule } from './rule';

/** One compiler for the rule-set schemas; `$ref`s between them resolve by file name. */
function compiler() {
  const ajv = schemaCompiler();
  if (!ajv.getSchema('rule.schema.json')) {
    ajv.addSchema(ruleSchema, 'rule.schema.json');
    ajv.addSchema(casesSchema, 'cases.schema.json');
    ajv.addSchema(sharedConditionsSchema, 'shared-conditions.schema.json');
    ajv.addSchema(indicationSchema, 'indication.schema.json');
    ajv.addSchema(indicationNegationSchema, 'indication-negation.schema.json');
  }
  return ajv;
}

export interface Checked<T> {
  value?: T;
  errors: string[];
}

function checker<T>(name: string): (json: unknown) => Checked<T> {
  let validate: ValidateFunction | undefined;
  return (json) => {
    validate ??= compiler().getSchema(name);
    if (!validate) return { errors: [`schema ${name} is missing`] };
    return validate(json) ? { value: json as T, errors: [] } : { errors: formatErrors(validate.errors) };
  };
}

export const checkRule = checker<Rule>('rule.schema.json');
export const checkCases = checker<CaseFile>('cases.schema.json');
export const checkSharedConditions = checker<{ conditions: Record<string, Condition> }>(
  'shared-conditions.schema.json',
);
/** Schema only; what a schema cannot say is in indications.ts. */
export const checkIndicationSchema = checker<IndicationEntry>('indication.schema.json');
export const checkIndicationNegationSchema = checker<IndicationNegation>('indication-negation.schema.json');

/**
 * Ajv reports every branch of a oneOf; an author wants the deepest, most specific problems, phrased as
 * "where: what".
 */
export function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const list = errors ?? [];
  const specific = list.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const chosen = specific.length > 0 ? specific : list;
  const messages = chosen.map((e) => {
    const where = e.instancePath || '(top level)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
        : e.keyword === 'enum'
          ? `: ${(e.params as { allowedValues?: unknown[] }).allowedValues?.join(', ')}`
          : '';
    return `${where}: ${e.message ?? 'is invalid'}${extra}`;
  });
  return [...new Set(messages)].slice(0, 12);
}
