import { describe, expect, it } from 'vitest';
import type { Findings } from '../../functions/core/model';
import type { AppRecommendation, AssessmentResponse } from '../../functions/http/app-api';
import {
  findCardRecommendation,
  geneRows,
  medicationAlerts,
  parseAppContext,
  recommendationView,
  safeUrl,
} from '../../smart-app/src/view-model';
import { gene } from './fixtures';

function rec(overrides: Partial<AppRecommendation> = {}): AppRecommendation {
  return {
    ruleId: 'rule-a',
    ruleVersion: '1.2.0',
    ruleSetVersion: '3.0.0',
    orderId: 'order-1',
    drug: 'clopidogrel',
    drugName: 'clopidogrel',
    genes: [{ gene: 'CYP2C19', lookupKey: 'Poor Metabolizer', status: 'called' }],
    diagnoses: [],
    classification: 'Strong',
    action: 'use-alternative',
    indicator: 'critical',
    summary: 'Use an alternative antiplatelet',
    detail: 'Detail',
    alternatives: [{ ingredient: 'prasugrel', text: 'prasugrel' }],
    populationNotes: [],
    evidence: [
      {
        source: 'CPIC',
        guideline: 'CYP2C19 and clopidogrel',
        version: '2022',
        strength: 'Strong',
        url: 'https://cpicpgx.org/guidelines/',
        pmids: ['123'],
      },
    ],
    ...overrides,
  };
}

const noFindings: Findings = { genes: [], variants: [], conditions: [], issues: [] };

function answer(overrides: Partial<AssessmentResponse> = {}): AssessmentResponse {
  return {
    ruleSetVersion: '3.0.0',
    tested: true,
    findings: noFindings,
    orders: [],
    recommendations: [],
    affected: [],
    lookups: [],
    ...overrides,
  };
}

describe('parseAppContext', () => {
  it('reads the JSON string a card link carries, or an object', () => {
    const context = { ruleId: 'r', drug: 'clopidogrel', orderId: 'o', ruleSetVersion: '1.0.0' };
    expect(parseAppContext(JSON.stringify(context))).toEqual(context);
    expect(parseAppContext(context)).toEqual(context);
  });

  it('ignores anything else', () => {
    for (const raw of [
      undefined,
      null,
      '',
      'not json',
      '[1]',
      '42',
      JSON.stringify({ other: 1 }),
      { ruleId: 7 },
    ])
      expect(parseAppContext(raw)).toBeUndefined();
    expect(parseAppContext({ ruleId: 'r', drug: 5, extra: 'x' })).toEqual({ ruleId: 'r' });
  });
});

describe('geneRows', () => {
  it('shows the genotype, interpretation, lab and date of each gene, sorted', () => {
    const rows = geneRows({
      ...noFindings,
      genes: [
        gene({
          gene: 'CYP2D6',
          diplotype: '*1/*4',
          phenotype: 'Intermediate Metabolizer',
          activityScore: '1.0',
          lookupKey: '1.0',
        }),
        gene({
          gene: 'CYP2C19',
          diplotype: '*2/*2',
          phenotype: 'Poor Metabolizer',
          lookupKey: 'Poor Metabolizer',
        }),
      ],
    });
    expect(rows.map((r) => r.gene)).toEqual(['CYP2C19', 'CYP2D6']);
    expect(rows[1]).toMatchObject({
      result: '*1/*4',
      interpretation: 'Intermediate Metabolizer, activity score 1.0',
      statusLabel: 'Reported',
      lab: 'Fictional Lab',
      date: '2026-01-02',
    });
  });

  it('gives carrier status for allele tests and names conflicts, indeterminate results and disagreements', () => {
    const [hla, conflict, indeterminate, disagreement] = geneRows({
      ...noFindings,
      genes: [
        gene({ gene: 'HLA-B', lookupKey: 'Positive', alleleStatuses: { '*57:01': 'positive' } }),
        gene({ gene: 'HLA-C', status: 'conflict', lookupKey: 'Indeterminate', notes: ['two labs disagree'] }),
        gene({ gene: 'TPMT', status: 'indeterminate', lookupKey: 'Indeterminate', diplotype: '*1/*99' }),
        gene({
          gene: 'UGT1A1',
          diplotype: '*1/*28',
          phenotype: 'Intermediate Metabolizer',
          reportedPhenotype: 'Normal Metabolizer',
          derivedPhenotype: 'Intermediate Metabolizer',
        }),
      ],
    });
    expect(hla).toMatchObject({ result: 'HLA-B*57:01 positive', interpretation: 'HLA-B*57:01 carrier' });
    expect(conflict).toMatchObject({
      statusLabel: 'Conflicting results',
      interpretation: 'Results disagree: see notes',
      notes: ['two labs disagree'],
    });
    expect(indeterminate).toMatchObject({
      statusLabel: 'Indeterminate',
      interpretation: 'Indeterminate: cannot be interpreted',
    });
    expect(disagreement?.notes.join(' ')).toContain('Lab reported Normal Metabolizer');
  });

  it('says "Not stated" rather than inventing a lab or date', () => {
    const [row] = geneRows({
      ...noFindings,
      genes: [gene({ gene: 'CYP2C19', sources: [{ resourceType: 'Observation', shape: 'text' }] })],
    });
    expect(row).toMatchObject({ lab: 'Not stated', date: 'Not stated', result: 'Not stated' });
  });
});

describe('recommendationView', () => {
  it('names the rule, its version and the rule-set version, and the evidence', () => {
    const view = recommendationView(rec());
    expect(view.provenance).toBe('Rule rule-a v1.2.0 · rule set 3.0.0');
    expect(view).toMatchObject({
      actionLabel: 'Use an alternative',
      indicatorLabel: 'Critical',
      strength: 'Strong',
      actionable: true,
    });
    expect(view.evidence[0]?.pmids[0]?.url).toBe('https://pubmed.ncbi.nlm.nih.gov/123/');
    expect(view.genes).toEqual(['CYP2C19: Poor Metabolizer']);
  });

  it('says "not tested" for an untested gene', () => {
    const view = recommendationView(
      rec({ action: 'not-tested', genes: [{ gene: 'HLA-B', lookupKey: 'No Result', status: 'not-tested' }] }),
    );
    expect(view.genes).toEqual(['HLA-B: not tested (no result on file)']);
    expect(view.actionable).toBe(false);
  });

  it('links only to http(s)', () => {
    expect(safeUrl('javascript:alert(1)')).toBe('');
    expect(safeUrl('https://cpicpgx.org/')).toBe('https://cpicpgx.org/');
    expect(
      recommendationView(rec({ evidence: [{ ...rec().evidence[0]!, url: 'javascript:alert(1)' }] }))
        .evidence[0]?.url,
    ).toBe('');
  });
});

describe('medicationAlerts', () => {
  it('groups by medication, most severe first, and flags unrecognised orders', () => {
    const groups = medicationAlerts(
      answer({
        orders: [
          { id: 'o1', display: 'paracetamol', ingredients: [], matchedBy: {}, unmatchedCodes: ['x'] },
          {
            id: 'o2',
            display: 'clopidogrel 75 mg',
            ingredients: ['clopidogrel'],
            matchedBy: { clopidogrel: 'rxnorm' },
            unmatchedCodes: [],
          },
        ],
        recommendations: [rec({ orderId: 'o2', indicator: 'info', ruleId: 'b' }), rec({ orderId: 'o2' })],
      }),
    );
    expect(groups.map((g) => g.orderId)).toEqual(['o2', 'o1']);
    expect(groups[0]?.recommendations.map((r) => r.indicator)).toEqual(['critical', 'info']);
    expect(groups[1]?.unrecognised).toBe(true);
  });
});

describe('findCardRecommendation', () => {
  it('prefers the same order, then any order, then the look-ups, then the affected drugs', () => {
    const a = rec({ orderId: 'o1' });
    const b = rec({ orderId: 'o2' });
    const lookup = rec({ orderId: 'lookup-1', ruleId: 'rule-b' });
    const full = answer({
      recommendations: [a, b],
      lookups: [
        { query: 'clopidogrel', ingredients: ['clopidogrel'], withoutRules: [], recommendations: [lookup] },
      ],
    });
    expect(findCardRecommendation(full, { ruleId: 'rule-a', drug: 'clopidogrel', orderId: 'o2' })).toBe(b);
    expect(findCardRecommendation(full, { ruleId: 'rule-a', drug: 'clopidogrel', orderId: 'draft' })).toBe(a);
    expect(findCardRecommendation(full, { ruleId: 'rule-b', drug: 'clopidogrel' })).toBe(lookup);
    expect(findCardRecommendation(full, { ruleId: 'rule-c', drug: 'clopidogrel' })).toBeUndefined();
    const profile = rec({ orderId: 'profile-clopidogrel', ruleId: 'rule-c' });
    expect(
      findCardRecommendation({ ...full, affected: [profile] }, { ruleId: 'rule-c', drug: 'clopidogrel' }),
    ).toBe(profile);
  });
});
