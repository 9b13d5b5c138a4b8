import { describe, expect, it } from 'vitest';
import {
  CODE_SYSTEM_URLS,
  createDrugVocabulary,
  DRUG_CLASSES,
  type DrugEntry,
  normaliseText,
  parseDrugFiles,
  validateCombinationFile,
  validateDrugEntry,
} from '../../../functions/core/medications/vocabulary';
import schema from '../../../rules/schema/drug.schema.json';
import { drugFiles, shippedVocabulary } from './load-vocabulary';

const RXNORM = CODE_SYSTEM_URLS.rxnorm;
const ATC = CODE_SYSTEM_URLS.atc;
const SNOMED = CODE_SYSTEM_URLS.snomed;

/** The ATC codes DOMAIN.md section 5 lists, with the ingredient each must map to. */
const DOMAIN_ATC: [string, string[]][] = [
  ['B01AC04', ['clopidogrel']],
  ['B01AC22', ['prasugrel']],
  ['B01AC24', ['ticagrelor']],
  ['B01AC06', ['acetylsalicylic-acid']],
  ['B01AA03', ['warfarin']],
  ['B01AA04', ['phenprocoumon']],
  ['B01AB01', ['heparin']],
  ['B01AB05', ['enoxaparin']],
  ['B01AB04', ['dalteparin']],
  ['B01AB10', ['tinzaparin']],
  ['B01AX05', ['fondaparinux']],
  ['B01AE03', ['argatroban']],
  ['B01AE07', ['dabigatran']],
  ['B01AF01', ['rivaroxaban']],
  ['B01AF02', ['apixaban']],
  ['B01AF03', ['edoxaban']],
  ['J05AF06', ['abacavir']],
  ['M04AA01', ['allopurinol']],
  ['N03AF01', ['carbamazepine']],
  ['N03AF02', ['oxcarbazepine']],
  ['N03AB02', ['phenytoin']],
  ['C10AA01', ['simvastatin']],
  ['C10AA05', ['atorvastatin']],
  ['C10AA07', ['rosuvastatin']],
  ['R05DA04', ['codeine']],
  ['N02AX02', ['tramadol']],
  ['L01BC02', ['fluorouracil']],
  ['L01BC06', ['capecitabine']],
  ['L04AX01', ['azathioprine']],
  ['L01BB02', ['mercaptopurine']],
  ['L01BB03', ['thioguanine']],
  ['L04AD02', ['tacrolimus']],
  ['J05AE08', ['atazanavir']],
  ['V03AF07', ['rasburicase']],
  ['N01AB08', ['sevoflurane']],
  ['M03AB01', ['suxamethonium']],
  ['J01GB03', ['gentamicin']],
  ['J01GB06', ['amikacin']],
  ['H01BA02', ['desmopressin']],
  ['G03AA07', ['ethinylestradiol', 'levonorgestrel']],
];

/** Ingredients the rules name or recommend (the brief's list); each must be in the vocabulary. */
const REQUIRED_KEYS = [
  'clopidogrel',
  'prasugrel',
  'ticagrelor',
  'acetylsalicylic-acid',
  'dipyridamole',
  'cilostazol',
  'warfarin',
  'phenprocoumon',
  'acenocoumarol',
  'heparin',
  'enoxaparin',
  'dalteparin',
  'tinzaparin',
  'fondaparinux',
  'argatroban',
  'bivalirudin',
  'dabigatran',
  'rivaroxaban',
  'apixaban',
  'edoxaban',
  'antithrombin',
  'protein-c-concentrate',
  'abacavir',
  'allopurinol',
  'febuxostat',
  'carbamazepine',
  'oxcarbazepine',
  'phenytoin',
  'fosphenytoin',
  'levetiracetam',
  'lamotrigine',
  'simvastatin',
  'atorvastatin',
  'rosuvastatin',
  'pravastatin',
  'pitavastatin',
  'fluvastatin',
  'lovastatin',
  'codeine',
  'tramadol',
  'morphine',
  'oxycodone',
  'fluorouracil',
  'capecitabine',
  'azathioprine',
  'mercaptopurine',
  'thioguanine',
  'tacrolimus',
  'atazanavir',
  'rasburicase',
  'sevoflurane',
  'desflurane',
  'isoflurane',
  'halothane',
  'enflurane',
  'methoxyflurane',
  'suxamethonium',
  'gentamicin',
  'amikacin',
  'tobramycin',
  'streptomycin',
  'neomycin',
  'kanamycin',
  'plazomicin',
  'desmopressin',
  'ethinylestradiol',
  'estradiol',
  'estradiol-valerate',
  'conjugated-estrogens',
  'mestranol',
  'levonorgestrel',
  'desogestrel',
  'drospirenone',
  'norethisterone',
  'gestodene',
  'norgestimate',
  'etonogestrel',
  'norelgestromin',
  'ibuprofen',
  'naproxen',
  'diclofenac',
  'adamts13-recombinant',
  'caplacizumab',
];

describe('rules/drugs data', () => {
  const files = drugFiles();

  it('every file validates against the schema and is named after its key', () => {
    const { errors, entries, combinations } = parseDrugFiles(files);
    expect(errors).toEqual([]);
    expect(entries.length).toBe(files.length - 1);
    expect(combinations.length).toBeGreaterThan(10);
  });

  it('every file names the schema', () => {
    for (const f of files)
      expect((f.json as { $schema?: string }).$schema, f.name).toBe('../schema/drug.schema.json');
  });

  it('no code or name belongs to two ingredients, except through declared combinations', () => {
    expect(shippedVocabulary().issues).toEqual([]);
  });

  it('contains every ingredient the rules need', () => {
    const v = shippedVocabulary();
    expect(REQUIRED_KEYS.filter((k) => !v.has(k))).toEqual([]);
  });

  it('records a source for every code', () => {
    for (const e of shippedVocabulary().entries) {
      const all = [
        ...(e.codes.rxnorm?.ingredient ? [e.codes.rxnorm.ingredient] : []),
        ...(e.codes.rxnorm?.products ?? []),
        ...(e.codes.atc ?? []),
        ...(e.codes.snomed ?? []),
      ];
      for (const c of all) expect(c.source.length, `${e.key} ${c.code}`).toBeGreaterThan(10);
    }
  });

  it.each(DOMAIN_ATC)('ATC %s maps to %j', (code, keys) => {
    expect(shippedVocabulary().lookupCoding(ATC, code)?.ingredients).toEqual([...keys].sort());
  });

  it.each([
    ['32968', 'clopidogrel'],
    ['11289', 'warfarin'],
    ['2002', 'carbamazepine'],
    ['190521', 'abacavir'],
  ])('RxNorm ingredient %s (DOMAIN.md) maps to %s', (code, key) => {
    expect(shippedVocabulary().lookupCoding(RXNORM, code)?.ingredients).toEqual([key]);
  });

  it('the class enum in code equals the schema enum', () => {
    expect([...DRUG_CLASSES]).toEqual(schema.$defs.drugClass.enum);
  });

  it('RxNorm product names name their ingredient (a cheap guard against a pasted wrong code)', () => {
    const v = shippedVocabulary();
    for (const e of v.entries) {
      for (const p of e.codes.rxnorm?.products ?? []) {
        expect(v.ingredientsInText(p.name), `${e.key} ${p.code} ${p.name}`).toContain(e.key);
      }
    }
    for (const c of v.combinations) {
      for (const p of c.codes?.rxnorm?.products ?? []) {
        const found = v.ingredientsInText(p.name);
        for (const k of c.ingredients) expect(found, `${c.id} ${p.code}`).toContain(k);
      }
    }
  });
});

describe('validateDrugEntry', () => {
  const valid: DrugEntry = {
    key: 'example-drug',
    inn: 'example drug',
    names: { en: ['example drug'], da: [] },
    classes: ['statin'],
    codes: { atc: [{ code: 'C10AA99', source: 'made up for a test' }] },
  };

  it('accepts a valid entry', () => {
    expect(validateDrugEntry(valid)).toEqual({ entry: valid, errors: [] });
  });

  it.each([
    ['a key that is not kebab-case', { ...valid, key: 'Example Drug' }],
    ['an unknown class', { ...valid, classes: ['miracle-cure'] }],
    ['a code without a source', { ...valid, codes: { atc: [{ code: 'C10AA99' }] } }],
    ['a malformed ATC code', { ...valid, codes: { atc: [{ code: 'C10', source: 'x source' }] } }],
    ['an unknown property', { ...valid, colour: 'blue' }],
    [
      'a product without a term type',
      { ...valid, codes: { rxnorm: { products: [{ code: '1', name: 'x', source: 'src' }] } } },
    ],
  ])('rejects %s', (_label, json) => {
    const result = validateDrugEntry(json);
    expect(result.entry).toBeUndefined();
    expect(result.errors.length).toBeGreaterThan(0);
  });

  it('rejects non-objects without throwing', () => {
    for (const junk of [null, 42, 'clopidogrel', [], undefined])
      expect(validateDrugEntry(junk).errors.length).toBeGreaterThan(0);
  });

  it('validates the combination file separately', () => {
    expect(
      validateCombinationFile({ combinations: [{ id: 'a-b', name: 'a with b', ingredients: [] }] }).errors
        .length,
    ).toBeGreaterThan(0);
  });
});

describe('createDrugVocabulary', () => {
  const v = shippedVocabulary();

  it('looks codes up by system, accepting common system variants', () => {
    for (const system of [
      RXNORM,
      'https://www.nlm.nih.gov/research/umls/rxnorm/',
      'urn:oid:2.16.840.1.113883.6.88',
      'RxNorm',
    ]) {
      expect(v.lookupCoding(system, '309362')?.ingredients, system).toEqual(['clopidogrel']);
    }
    for (const system of [ATC, 'https://www.whocc.no/atc/', 'urn:oid:2.16.840.1.113883.6.73', 'ATC']) {
      expect(v.lookupCoding(system, 'b01aa03')?.ingredients, system).toEqual(['warfarin']);
    }
    for (const system of [SNOMED, 'https://snomed.info/sct', 'urn:oid:2.16.840.1.113883.6.96']) {
      expect(v.lookupCoding(system, '386952008')?.ingredients, system).toEqual(['clopidogrel']);
    }
  });

  it('does not guess the system of a bare code, unless it can only be ATC', () => {
    expect(v.lookupCoding(undefined, '32968')).toBeUndefined();
    expect(v.lookupCoding('http://example.org/local-codes', '32968')).toBeUndefined();
    expect(v.lookupCoding(undefined, 'B01AC04')?.ingredients).toEqual(['clopidogrel']);
    expect(v.lookupCoding(RXNORM, 'B01AC04')).toBeUndefined();
  });

  it('maps a combination code to every ingredient', () => {
    expect(v.lookupCoding(RXNORM, '238019')).toMatchObject({
      ingredients: ['ethinylestradiol', 'levonorgestrel'],
      combination: 'ethinylestradiol-levonorgestrel',
    });
    expect(v.lookupCoding(RXNORM, '259081')?.ingredients).toEqual(['acetylsalicylic-acid', 'dipyridamole']);
  });

  it.each([
    ['Clopidogrel Krka 75 mg', ['clopidogrel']],
    ['Marevan 2,5 mg tabletter', ['warfarin']],
    ['Warfarin "Orion" 2,5 mg', ['warfarin']],
    ['Hjertemagnyl 75 mg enterotabletter', ['acetylsalicylic-acid']],
    ['Acetylsalicylsyre "Teva" 75 mg', ['acetylsalicylic-acid']],
    ['Plavix 75mg tablet', ['clopidogrel']],
    ['succinylcholine 20 mg/mL injection', ['suxamethonium']],
    ['Østradiol vaginaltabletter', ['estradiol']],
    ['Konjugerede østrogener', ['conjugated-estrogens']],
    ['Microgynon 28', ['ethinylestradiol', 'levonorgestrel']],
    [
      'ethinyl estradiol 0.03 MG / levonorgestrel 0.15 MG Oral Tablet',
      ['ethinylestradiol', 'levonorgestrel'],
    ],
    ['estradiol valerate 1 MG Oral Tablet', ['estradiol-valerate']],
    ['Kodimagnyl tabletter', ['acetylsalicylic-acid', 'codeine']],
    ['5-FU infusion', ['fluorouracil']],
    ['CLOPIDOGREL+ASPIRIN', ['acetylsalicylic-acid', 'clopidogrel']],
  ])('finds names in %j', (text, keys) => {
    expect(v.ingredientsInText(text)).toEqual(keys);
  });

  it('matches whole words only', () => {
    expect(v.ingredientsInText('prasugrelx 10 mg')).toEqual([]);
    expect(v.ingredientsInText('heparinoid cream')).toEqual([]);
    expect(v.ingredientsInText('')).toEqual([]);
  });

  it('prefers the longest name and does not match inside it again', () => {
    const matches = v.matchText('ethinyl estradiol and estradiol valerate');
    expect(matches.map((m) => m.name)).toEqual(['ethinyl estradiol', 'estradiol valerate']);
  });

  it('folds diacritics and case the same way for names and text', () => {
    expect(normaliseText('  Øst-RADIOL  "Orion" ')).toBe('ost radiol orion');
  });

  it('expands classes to sorted ingredient keys', () => {
    expect(v.ingredientsOfClass('doac')).toEqual(['apixaban', 'dabigatran', 'edoxaban', 'rivaroxaban']);
    expect(v.ingredientsOfClass('p2y12-inhibitor')).toEqual(['clopidogrel', 'prasugrel', 'ticagrelor']);
    expect(v.ingredientsOfClass('antithrombin-dependent-anticoagulant')).toEqual([
      'dalteparin',
      'enoxaparin',
      'fondaparinux',
      'heparin',
      'tinzaparin',
    ]);
    expect(v.ingredientsOfClass('aminoglycoside')).toHaveLength(7);
  });

  it('has and get', () => {
    expect(v.has('warfarin')).toBe(true);
    expect(v.has('paracetamol')).toBe(false);
    expect(v.get('warfarin')?.codes.atc?.[0]?.code).toBe('B01AA03');
    expect(v.keys()).toEqual([...v.keys()].sort());
  });

  it('reports a code claimed by two ingredients', () => {
    const a: DrugEntry = {
      key: 'a',
      inn: 'aa',
      names: { en: ['aa'], da: [] },
      classes: [],
      codes: { atc: [{ code: 'A01AA01', source: 'test source' }] },
    };
    const b: DrugEntry = { ...a, key: 'b', inn: 'bb', names: { en: ['bb'], da: [] } };
    expect(createDrugVocabulary([a, b]).issues).toEqual(['atc A01AA01 is claimed by "a" and "b"']);
  });

  it('reports combinations naming unknown ingredients', () => {
    const issues = createDrugVocabulary([], [{ id: 'x', name: 'x', ingredients: ['nothing'] }]).issues;
    expect(issues).toEqual(['combination "x" names unknown ingredients nothing']);
  });
});
