/**
 * The reader never throws and always returns well-formed findings: on arbitrary values, on FHIR-flavoured
 * random JSON, and on valid bundles with random mutations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFindings } from '../../../functions/core/findings/read-findings';
import { fixture, igExample } from './load';
import { wellFormedProblems } from './well-formed';

function check(input: unknown): void {
  let findings: ReturnType<typeof readFindings> | undefined;
  expect(() => {
    findings = readFindings(input);
  }).not.toThrow();
  expect(wellFormedProblems(findings!)).toEqual([]);
}

const FHIR_KEYS = [
  'resourceType',
  'id',
  'entry',
  'resource',
  'fullUrl',
  'parameter',
  'part',
  'name',
  'status',
  'code',
  'coding',
  'system',
  'display',
  'text',
  'category',
  'component',
  'valueCodeableConcept',
  'valueString',
  'valueBoolean',
  'valueQuantity',
  'valueRange',
  'low',
  'high',
  'value',
  'derivedFrom',
  'hasMember',
  'result',
  'reference',
  'contained',
  'extension',
  'url',
  'specimen',
  'performer',
  'issued',
  'effectiveDateTime',
  'verificationStatus',
  'clinicalStatus',
  'issue',
  'severity',
  'toString',
  'valueOf',
  'constructor',
  '__proto__',
  'hasOwnProperty',
];

const FHIR_STRINGS = [
  'Bundle',
  'Parameters',
  'Observation',
  'DiagnosticReport',
  'Condition',
  'OperationOutcome',
  'Organization',
  'final',
  'amended',
  'preliminary',
  'entered-in-error',
  'error',
  'http://loinc.org',
  'http://www.genenames.org',
  'http://www.genenames.org/geneId',
  'http://glstring.org',
  'http://www.pharmvar.org',
  'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs',
  'http://hl7.org/fhir/StructureDefinition/observation-geneticsGene',
  'http://hl7.org/fhir/StructureDefinition/observation-geneticsVariant',
  'Name',
  'Id',
  '69548-6',
  '84413-4',
  '84414-2',
  '48018-6',
  '81252-9',
  '48004-6',
  '53034-5',
  '48002-0',
  '53037-8',
  '81259-4',
  '53040-2',
  '51961-1',
  '83009-1',
  '51969-4',
  '81247-9',
  '69547-8',
  '69551-0',
  '81254-5',
  '48013-7',
  '92822-6',
  'LA30100-4',
  'LA30102-0',
  'therapeutic-implication',
  'predicted-therapeutic-implication',
  'diagnostic-implication',
  'LA9633-4',
  'LA9634-2',
  'LA6683-2',
  'LA6684-0',
  'LA6668-3',
  'LA9657-3',
  'LA19541-4',
  'LA6706-1',
  'HGNC:2621',
  '2625',
  'HGNC:4932',
  'HGNC:262',
  'CYP2C19',
  'HLA-B',
  'VKORC1',
  'GE',
  'CYP2D6*7.001 / CYP2D6*1.001',
  '*1/*17',
  '*1x2/*4',
  'PV00155',
  'C/T',
  'rs9923231 C/T',
  'HLA-B*57:01',
  'hla#3.23.0#HLA-B*15:01:01G+HLA-B*57:01:01G',
  'hla#3#HLA-A*01:01|HLA-A*02:01^HLA-B*08:01~HLA-C*07:01',
  'HLA-A:01:01G',
  'Poor metabolizer',
  'CYP2C19 Rapid Metabolizer (AS 2.5)',
  'Positive',
  'No call',
  'NC_000010.10',
  'C',
  'T',
  'Observation/a',
  'Observation/b',
  '#a',
  'a',
  'b',
  'urn:uuid:1',
  '',
];

const fhirish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...FHIR_STRINGS),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...FHIR_KEYS), fc.string()), tie('value'), { maxKeys: 6 }),
}));

const anything = fc.anything({
  maxDepth: 5,
  key: fc.oneof(fc.constantFrom(...FHIR_KEYS), fc.string()),
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** Children of a JSON node, for walking a random path. */
function children(node: unknown): [string | number, unknown][] {
  if (Array.isArray(node)) return node.map((v, i) => [i, v]);
  if (typeof node === 'object' && node !== null) return Object.entries(node);
  return [];
}

type Mutation = { path: number[]; action: 'replace' | 'delete' | 'duplicate'; value: unknown };

function mutate(doc: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(doc);
  for (const m of mutations) {
    let parent: unknown;
    let key: string | number | undefined;
    let node: unknown = copy;
    for (const step of m.path) {
      const list = children(node);
      if (list.length === 0) break;
      const [k, child] = list[step % list.length]!;
      parent = node;
      key = k;
      node = child;
    }
    if (parent === undefined || key === undefined) continue;
    const container = parent as Record<string | number, unknown>;
    if (m.action === 'replace') container[key] = m.value;
    else if (m.action === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete container[key];
    } else if (Array.isArray(parent)) parent.push(structuredClone(node));
    else container[key] = [node, node];
  }
  return copy;
}

const VALID = [
  igExample('Bundle-bundle-CG-IG-HLA-FullBundle-01'),
  igExample('Bundle-bundle-cgexample'),
  igExample('Bundle-bundle-pgxexample'),
  igExample('Parameters-FindSubjectDxImplicationsOutput'),
  [igExample('Observation-GenotypeExamplePharmVar'), igExample('Observation-HaplotypeExamplePharmVar01')],
  fixture('stu1-report'),
  fixture('ballot-2021-report'),
  fixture('genetics-extension'),
  fixture('reference-server-style'),
  fixture('conditions'),
  fixture('status'),
];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 12 }),
  action: fc.constantFrom('replace', 'delete', 'duplicate'),
  value: fc.oneof(fhirish.value, fc.anything({ maxDepth: 2 })),
});

describe('readFindings never throws and is always well formed', () => {
  it('on fc.anything (bigints, boxed values, maps, null prototypes, sparse arrays...)', () => {
    fc.assert(fc.property(anything, check), { numRuns: 300 });
  });

  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 200 });
  });

  it('on FHIR-flavoured random JSON', () => {
    fc.assert(
      fc.property(fhirish.value, (v) => {
        check(v);
        check({ resourceType: 'Bundle', entry: [{ resource: v }] });
      }),
      { numRuns: 400 },
    );
  });

  it('on valid bundles with random mutations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (doc, ms) => {
          check(mutate(doc, ms));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('on a self-referencing object and very deep nesting', () => {
    const cyclic: Record<string, unknown> = { resourceType: 'Bundle' };
    cyclic.entry = [{ resource: cyclic }, { resource: { resourceType: 'Observation', contained: [cyclic] } }];
    check(cyclic);
    let deep: unknown = { resourceType: 'Observation', status: 'final' };
    for (let i = 0; i < 5000; i++) deep = { resourceType: 'Bundle', entry: [{ resource: deep }] };
    check(deep);
    const findings = readFindings(deep);
    expect(findings.issues.some((i) => i.message.includes('nested too deeply'))).toBe(true);
  });
});
