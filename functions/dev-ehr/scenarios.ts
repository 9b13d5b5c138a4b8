/**
 * The synthetic patients of the development EHR (data in ./patients/<id>.json) and what each demonstrates.
 * Every name is fictional ("Testperson").
 */
export interface PatientScenario {
  patientId: string;
  /** One line for the patient list. */
  scenario: string;
  /** The catalogue key the order screen preselects. */
  orderMedication: string;
  /** What Tailor is expected to answer at order-sign for that drug (rule id, card indicator). */
  expected: { ruleId: string; indicator: 'info' | 'warning' | 'critical' } | null;
}

export const SCENARIOS: readonly PatientScenario[] = [
  {
    patientId: 'dev-ttp',
    scenario:
      'Recurrent thrombosis for 15 years; genome sequencing finds congenital TTP (two pathogenic ADAMTS13 variants). Ordered apixaban.',
    orderMedication: 'apixaban',
    expected: { ruleId: 'congenital-ttp-antithrombotic', indicator: 'warning' },
  },
  {
    patientId: 'dev-cyp2c19',
    scenario: 'CYP2C19 poor metabolizer (*2/*2) with a coronary stent after NSTEMI. Ordered clopidogrel.',
    orderMedication: 'clopidogrel',
    expected: { ruleId: 'cyp2c19-clopidogrel-poor-acs-pci', indicator: 'critical' },
  },
  {
    patientId: 'dev-hla-b5701',
    scenario: 'HLA-B*57:01 carrier with HIV. Ordered abacavir.',
    orderMedication: 'abacavir',
    expected: { ruleId: 'hla-b-5701-abacavir-positive', indicator: 'critical' },
  },
  {
    patientId: 'dev-antithrombin',
    scenario:
      'Hereditary antithrombin deficiency (pathogenic SERPINC1 variant), suspected pulmonary embolism. Ordered heparin.',
    orderMedication: 'heparin',
    expected: { ruleId: 'antithrombin-deficiency-heparin', indicator: 'warning' },
  },
  {
    patientId: 'dev-fvl',
    scenario:
      'Factor V Leiden carrier (F5 rs6025, heterozygous) asking for contraception. Ordered a combined pill.',
    orderMedication: 'ethinylestradiol-levonorgestrel',
    expected: { ruleId: 'factor-v-leiden-estrogen', indicator: 'critical' },
  },
  {
    patientId: 'dev-no-genomics',
    scenario: 'Peripheral arterial disease, no genomic results on file. Ordered clopidogrel.',
    orderMedication: 'clopidogrel',
    expected: { ruleId: 'tailor-not-tested', indicator: 'info' },
  },
];

export function scenarioFor(patientId: string): PatientScenario | undefined {
  return SCENARIOS.find((s) => s.patientId === patientId);
}
