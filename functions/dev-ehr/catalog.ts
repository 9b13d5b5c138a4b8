/**
 * The development EHR's small drug catalogue: what the order screen offers and what its Medication resources
 * say. Codes are RxNorm (US) and ATC (Danish prescribing), the two vocabularies Tailor reads.
 */

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const ATC = 'http://www.whocc.no/atc';

export interface CatalogEntry {
  /** Also the Medication resource id: `Medication/med-<key>`. */
  key: string;
  label: string;
  rxnorm?: { code: string; display: string };
  atc: { code: string; display: string };
  dosage: string;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    key: 'clopidogrel',
    label: 'clopidogrel 75 mg tablet',
    rxnorm: { code: '309362', display: 'clopidogrel 75 MG Oral Tablet' },
    atc: { code: 'B01AC04', display: 'clopidogrel' },
    dosage: '75 mg by mouth once daily',
  },
  {
    key: 'prasugrel',
    label: 'prasugrel 10 mg tablet',
    rxnorm: { code: '855812', display: 'prasugrel 10 MG Oral Tablet' },
    atc: { code: 'B01AC22', display: 'prasugrel' },
    dosage: '10 mg by mouth once daily',
  },
  {
    key: 'ticagrelor',
    label: 'ticagrelor 90 mg tablet',
    rxnorm: { code: '1116635', display: 'ticagrelor 90 MG Oral Tablet' },
    atc: { code: 'B01AC24', display: 'ticagrelor' },
    dosage: '90 mg by mouth twice daily',
  },
  {
    key: 'acetylsalicylic-acid',
    label: 'acetylsalicylic acid 75 mg tablet',
    atc: { code: 'B01AC06', display: 'acetylsalicylic acid' },
    dosage: '75 mg by mouth once daily',
  },
  {
    key: 'apixaban',
    label: 'apixaban 5 mg tablet',
    atc: { code: 'B01AF02', display: 'apixaban' },
    dosage: '5 mg by mouth twice daily',
  },
  {
    key: 'warfarin',
    label: 'warfarin 2.5 mg tablet',
    rxnorm: { code: '855312', display: 'warfarin sodium 2.5 MG Oral Tablet' },
    atc: { code: 'B01AA03', display: 'warfarin' },
    dosage: 'by INR, as directed by the anticoagulation clinic',
  },
  {
    key: 'heparin',
    label: 'heparin 5000 IU/ml injection',
    rxnorm: { code: '1361615', display: 'heparin sodium, porcine 5000 UNT/ML Injectable Solution' },
    atc: { code: 'B01AB01', display: 'heparin' },
    dosage: 'continuous intravenous infusion by APTT',
  },
  {
    key: 'enoxaparin',
    label: 'enoxaparin 40 mg/0.4 ml prefilled syringe',
    rxnorm: { code: '854235', display: '0.4 ML enoxaparin sodium 100 MG/ML Prefilled Syringe' },
    atc: { code: 'B01AB05', display: 'enoxaparin' },
    dosage: '40 mg subcutaneously once daily',
  },
  {
    key: 'argatroban',
    label: 'argatroban 1 mg/ml infusion',
    rxnorm: { code: '1804735', display: '50 ML argatroban 1 MG/ML Injection' },
    atc: { code: 'B01AE03', display: 'argatroban' },
    dosage: 'continuous intravenous infusion by APTT',
  },
  {
    key: 'abacavir',
    label: 'abacavir 300 mg tablet',
    rxnorm: { code: '190521', display: 'abacavir' },
    atc: { code: 'J05AF06', display: 'abacavir' },
    dosage: '300 mg by mouth twice daily',
  },
  {
    key: 'dolutegravir',
    label: 'dolutegravir 50 mg tablet',
    atc: { code: 'J05AJ03', display: 'dolutegravir' },
    dosage: '50 mg by mouth once daily',
  },
  {
    key: 'ethinylestradiol-levonorgestrel',
    label: 'ethinylestradiol 0.03 mg / levonorgestrel 0.15 mg tablet (combined pill)',
    rxnorm: { code: '238019', display: 'ethinyl estradiol 0.03 MG / levonorgestrel 0.15 MG Oral Tablet' },
    atc: { code: 'G03AA07', display: 'levonorgestrel and ethinylestradiol' },
    dosage: 'one tablet by mouth daily for 21 days, then 7 days without',
  },
  {
    key: 'desogestrel',
    label: 'desogestrel 75 microgram tablet (progestogen-only pill)',
    atc: { code: 'G03AC09', display: 'desogestrel' },
    dosage: 'one tablet by mouth daily',
  },
  {
    key: 'atorvastatin',
    label: 'atorvastatin 40 mg tablet',
    rxnorm: { code: '617311', display: 'atorvastatin 40 MG Oral Tablet' },
    atc: { code: 'C10AA05', display: 'atorvastatin' },
    dosage: '40 mg by mouth once daily',
  },
  {
    key: 'paracetamol',
    label: 'paracetamol 500 mg tablet',
    atc: { code: 'N02BE01', display: 'paracetamol' },
    dosage: '1 g by mouth up to four times daily',
  },
];

export function catalogEntry(key: string): CatalogEntry | undefined {
  return CATALOG.find((entry) => entry.key === key);
}

export function medicationCode(entry: CatalogEntry): Record<string, unknown> {
  return {
    coding: [
      ...(entry.rxnorm ? [{ system: RXNORM, code: entry.rxnorm.code, display: entry.rxnorm.display }] : []),
      { system: ATC, code: entry.atc.code, display: entry.atc.display },
    ],
    text: entry.label,
  };
}

/** The catalogue as FHIR Medication resources (`Medication/med-<key>`). */
export function catalogMedications(): Record<string, unknown>[] {
  return CATALOG.map((entry) => ({
    resourceType: 'Medication',
    id: `med-${entry.key}`,
    code: medicationCode(entry),
    status: 'active',
  }));
}
