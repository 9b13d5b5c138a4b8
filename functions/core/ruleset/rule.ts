import type { Action, Alternative, Evidence, Indicator } from '../model';

/** A leaf of a rule's conditions: one fact compared with one value (json-rules-engine's format). */
export interface FactCondition {
  fact: FactName;
  operator: OperatorName;
  value: unknown;
  params?: Record<string, unknown>;
  path?: string;
  name?: string;
}

export type Condition =
  | { all: NestedCondition[]; name?: string }
  | { any: NestedCondition[]; name?: string }
  | { not: NestedCondition; name?: string }
  | { condition: string; name?: string };

export type NestedCondition = Condition | FactCondition;

export const FACT_NAMES = [
  'gene',
  'allele',
  'variants',
  'diagnosis',
  'context',
  'medications',
  'otherMedications',
  'drug',
  'drugClasses',
] as const;
export type FactName = (typeof FACT_NAMES)[number];

export const OPERATOR_NAMES = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'scoreBetween',
  'intersects',
] as const;
export type OperatorName = (typeof OPERATOR_NAMES)[number];

export interface Person {
  name: string;
  role?: string;
  date?: string;
}

/** What a rule says when it fires. Actions here exclude 'not-tested', which only the engine gives. */
export interface Outcome {
  action: Exclude<Action, 'not-tested'>;
  indicator?: Indicator;
  summary: string;
  detail: string;
  alternatives?: { drug?: string; text: string }[];
  populationNotes?: string[];
}

/** A rule file as authored (rules/schema/rule.schema.json). */
export interface Rule {
  id: string;
  version: string;
  title: string;
  status: 'draft' | 'active' | 'retired';
  authors: Person[];
  reviewedBy?: Person[];
  evidence: Evidence[];
  drugs: string[];
  genes?: string[];
  diagnoses?: string[];
  /** false: an untested topic gives no outcome (rare conditions nobody is routinely tested for). */
  reportNotTested?: boolean;
  priority?: number;
  conditions: Condition;
  outcome: Outcome;
}

export type { Alternative };
