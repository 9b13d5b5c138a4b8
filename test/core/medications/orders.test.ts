import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOrders, unresolvedMedicationReferences } from '../../../functions/core/medications/orders';
import type { Order } from '../../../functions/core/model';
import { fixture, shippedVocabulary } from './load-vocabulary';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const v = shippedVocabulary();

function byId(orders: Order[]): Map<string, Order> {
  return new Map(orders.map((o) => [o.id, o]));
}

describe('readOrders: coded draft orders', () => {
  const orders = readOrders(fixture('draft-orders-coded.json'), v);
  const o = byId(orders);

  it('returns one order per MedicationRequest, in order, ignoring other resources', () => {
    expect(orders.map((x) => x.id)).toEqual([
      'rx-clopidogrel-scd',
      'rx-warfarin-danish',
      'rx-local-code-with-text',
      'rx-unknown-only',
      'rx-combined-pill',
      'rx-text-only-danish',
      'rx-atc-combination',
    ]);
  });

  it('maps an RxNorm clinical drug to its ingredient', () => {
    expect(o.get('rx-clopidogrel-scd')).toEqual({
      id: 'rx-clopidogrel-scd',
      display: 'clopidogrel 75 MG Oral Tablet',
      ingredients: ['clopidogrel'],
      matchedBy: { clopidogrel: 'rxnorm' },
      unmatchedCodes: [],
    });
  });

  it('maps an ATC code and shows the Danish product text', () => {
    const w = o.get('rx-warfarin-danish');
    expect(w?.ingredients).toEqual(['warfarin']);
    expect(w?.matchedBy).toEqual({ warfarin: 'atc' });
    expect(w?.display).toBe('Marevan 2,5 mg tabletter');
  });

  it('keeps an unknown local code and still finds the drug by name', () => {
    expect(o.get('rx-local-code-with-text')).toMatchObject({
      ingredients: ['acetylsalicylic-acid'],
      matchedBy: { 'acetylsalicylic-acid': 'name' },
      unmatchedCodes: ['urn:oid:1.2.3.4.5.6.7|LOCAL-4711'],
    });
  });

  it('an unknown code alone yields no ingredients but keeps the code', () => {
    expect(o.get('rx-unknown-only')).toMatchObject({
      ingredients: [],
      matchedBy: {},
      unmatchedCodes: [`${RXNORM}|999999901`],
      display: 'Test product 10 MG Oral Tablet',
    });
  });

  it('a combined pill yields both ingredients', () => {
    expect(o.get('rx-combined-pill')?.ingredients).toEqual(['ethinylestradiol', 'levonorgestrel']);
    expect(o.get('rx-combined-pill')?.matchedBy).toEqual({
      ethinylestradiol: 'rxnorm',
      levonorgestrel: 'rxnorm',
    });
    expect(o.get('rx-atc-combination')?.matchedBy).toEqual({
      ethinylestradiol: 'atc',
      levonorgestrel: 'atc',
    });
  });

  it('reads Danish product text when there is no code', () => {
    expect(o.get('rx-text-only-danish')).toMatchObject({
      ingredients: ['clopidogrel'],
      matchedBy: { clopidogrel: 'name' },
      display: 'Clopidogrel Krka 75 mg filmovertrukne tabletter',
    });
  });
});

describe('readOrders: medicationReference', () => {
  const resolver = (reference: string): unknown =>
    reference === 'Medication/prefetched-tacrolimus'
      ? { resourceType: 'Medication', id: 'prefetched-tacrolimus', code: { text: 'Tacrolimus 1 mg kapsler' } }
      : undefined;
  const input = fixture('draft-orders-references.json');
  const o = byId(readOrders(input, v, resolver));

  it('follows Medication/<id> to a Medication elsewhere in the Bundle', () => {
    expect(o.get('ref-bundle-id')).toMatchObject({
      ingredients: ['mercaptopurine'],
      matchedBy: { mercaptopurine: 'rxnorm' },
      display: 'MERCAPTOPURINE 50 MG PO TABS',
    });
  });

  it('follows a urn:uuid fullUrl', () => {
    expect(o.get('ref-urn-uuid')).toMatchObject({
      ingredients: ['warfarin'],
      matchedBy: { warfarin: 'snomed' },
    });
  });

  it('reads a contained Medication and its ingredients', () => {
    expect(o.get('ref-contained')).toMatchObject({
      ingredients: ['desogestrel', 'ethinylestradiol'],
      matchedBy: { desogestrel: 'name', ethinylestradiol: 'snomed' },
    });
  });

  it('asks the resolver for references it cannot find itself', () => {
    expect(o.get('ref-external')).toMatchObject({
      ingredients: ['tacrolimus'],
      matchedBy: { tacrolimus: 'name' },
    });
  });

  it('falls back to the reference display when nothing resolves', () => {
    expect(o.get('ref-unresolvable')).toMatchObject({
      ingredients: ['simvastatin'],
      display: 'Simvastatin 40 mg tablet',
    });
  });

  it('lists what the caller must fetch', () => {
    expect(unresolvedMedicationReferences(input)).toEqual([
      'Medication/not-anywhere',
      'Medication/prefetched-tacrolimus',
    ]);
  });

  it('survives a resolver that throws', () => {
    const orders = readOrders(input, v, () => {
      throw new Error('network down');
    });
    expect(byId(orders).get('ref-external')?.ingredients).toEqual([]);
    expect(orders).toHaveLength(5);
  });
});

describe('readOrders: input shapes', () => {
  const request = {
    resourceType: 'MedicationRequest',
    id: 'single',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1364445' }] },
  };

  it('accepts a single resource, a list of resources, and a list of Bundle entries', () => {
    for (const input of [
      request,
      [request],
      [{ resource: request }],
      { resourceType: 'Bundle', entry: [{ resource: request }] },
    ]) {
      expect(readOrders(input, v).map((x) => x.ingredients)).toEqual([['apixaban']]);
    }
  });

  it('reads R5 medication.concept and medication.reference', () => {
    const r5 = {
      resourceType: 'MedicationRequest',
      id: 'r5',
      medication: { reference: { reference: '#m' } },
      contained: [
        {
          resourceType: 'Medication',
          id: 'm',
          ingredient: [
            { item: { concept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'N02AX02' }] } } },
          ],
        },
      ],
    };
    const concept = {
      resourceType: 'MedicationRequest',
      id: 'r5b',
      medication: { concept: { text: 'Eliquis 5 mg' } },
    };
    expect(readOrders([r5, concept], v).map((x) => x.ingredients)).toEqual([['tramadol'], ['apixaban']]);
  });

  it('gives an order with nothing recognisable an id and no ingredients', () => {
    expect(readOrders([{ resourceType: 'MedicationRequest' }], v)).toEqual([
      {
        id: 'medication-request-1',
        display: 'Medication not stated',
        ingredients: [],
        matchedBy: {},
        unmatchedCodes: [],
      },
    ]);
  });

  it('uses the narrative only when nothing else names a drug', () => {
    const narrativeOnly = {
      resourceType: 'MedicationRequest',
      id: 'n',
      text: {
        status: 'generated',
        div: '<div xmlns="http://www.w3.org/1999/xhtml">Codeine 30 mg tablets</div>',
      },
    };
    expect(readOrders(narrativeOnly, v)[0]).toMatchObject({
      ingredients: ['codeine'],
      display: 'Codeine 30 mg tablets',
    });
  });

  it('does not loop on self-referencing Medications', () => {
    const looping = {
      resourceType: 'MedicationRequest',
      id: 'loop',
      medicationReference: { reference: '#a' },
      contained: [
        { resourceType: 'Medication', id: 'a', ingredient: [{ itemReference: { reference: '#b' } }] },
        {
          resourceType: 'Medication',
          id: 'b',
          code: { text: 'heparin' },
          ingredient: [{ itemReference: { reference: '#a' } }],
        },
      ],
    };
    expect(readOrders(looping, v)[0]?.ingredients).toEqual(['heparin']);
  });
});

describe('readOrders: robustness', () => {
  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (json, resolved) => {
        const orders = readOrders(json, v, () => resolved);
        expect(Array.isArray(orders)).toBe(true);
        for (const o of orders) expect(typeof o.id).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  const coding = fc.record(
    {
      system: fc.constantFrom(RXNORM, 'http://www.whocc.no/atc', 'http://snomed.info/sct', 'urn:x', ''),
      code: fc.oneof(fc.constantFrom('309362', 'B01AA03', '386952008', '238019'), fc.string()),
      display: fc.string(),
    },
    { requiredKeys: [] },
  );
  const requestLike = fc.record(
    {
      resourceType: fc.constant('MedicationRequest'),
      id: fc.string(),
      medicationCodeableConcept: fc.oneof(
        fc.record({ coding: fc.array(coding), text: fc.string() }, { requiredKeys: [] }),
        fc.jsonValue(),
      ),
      medicationReference: fc.oneof(
        fc.record({ reference: fc.constantFrom('#m', 'Medication/x', 'urn:uuid:1', '') }),
        fc.jsonValue(),
      ),
      contained: fc.array(
        fc.oneof(
          fc.record({ resourceType: fc.constant('Medication'), id: fc.constant('m'), code: fc.jsonValue() }),
          fc.jsonValue(),
        ),
      ),
    },
    { requiredKeys: ['resourceType'] },
  );

  it('never throws on MedicationRequest-shaped junk and yields one order per request', () => {
    fc.assert(
      fc.property(fc.array(requestLike, { maxLength: 5 }), (requests) => {
        const orders = readOrders(
          { resourceType: 'Bundle', entry: requests.map((resource) => ({ resource })) },
          v,
          () => {
            throw new Error('x');
          },
        );
        expect(orders).toHaveLength(requests.length);
        for (const o of orders) {
          expect(o.ingredients).toEqual([...new Set(o.ingredients)].sort());
          expect(Object.keys(o.matchedBy).sort()).toEqual(o.ingredients);
          for (const k of o.ingredients) expect(v.has(k)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
