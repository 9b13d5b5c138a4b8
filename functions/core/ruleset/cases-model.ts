import type { Action, AlleleStatus, Origin, Presence, Significance, Zygosity } from '../model';

/** A rule's example patients (rules/schema/cases.schema.json). */
export interface CaseFile {
  rule: string;
  cases: RuleCase[];
}

export type CaseKind = 'positive' | 'negative' | 'missing-data' | 'indeterminate';

export interface RuleCase {
  name: string;
  kind: CaseKind;
  patient: CasePatient;
  orders: string[];
  activeMedications?: string[];
  context?: Record<string, unknown>;
  expect: { fires: boolean; action?: Action | 'none'; summaryIncludes?: string };
}

export type CaseGene =
  | string
  | {
      diplotype?: string;
      phenotype?: string;
      activityScore?: string;
      variants?: string[];
      alleleTests?: Record<string, AlleleStatus>;
      origin?: Origin;
      indeterminate?: boolean;
    };

export interface CaseVariant {
  gene: string;
  id: string;
  zygosity?: Zygosity;
  significance?: Significance;
  origin?: Origin;
  presence?: Presence;
}

export interface CasePatient {
  description?: string;
  genes?: Record<string, CaseGene>;
  variants?: CaseVariant[];
  diagnoses?: string[];
  fhir?: unknown[];
}
