import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fillPrefetchTemplate } from '../../../functions/core/cds/prefetch-template';

const CONTEXT = {
  userId: 'Practitioner/prac-1',
  patientId: 'test-patient-1',
  encounterId: 'enc-9',
  draftOrders: { resourceType: 'Bundle', entry: [] },
  nested: { a: { b: 'deep-value' } },
};

describe('fillPrefetchTemplate', () => {
  test.each([
    ['Patient/{{context.patientId}}', 'Patient/test-patient-1'],
    [
      'Observation?patient={{context.patientId}}&code=84413-4',
      'Observation?patient=test-patient-1&code=84413-4',
    ],
    ['Encounter/{{context.encounterId}}', 'Encounter/enc-9'],
    ['{{context.userId}}', 'Practitioner/prac-1'],
    ['Practitioner/{{userPractitionerId}}', 'Practitioner/prac-1'],
    ['Observation?patient={{ context.patientId }}', 'Observation?patient=test-patient-1'],
    ['Condition?category=problem-list-item', 'Condition?category=problem-list-item'],
  ])('%s → %s', (template, query) => {
    expect(fillPrefetchTemplate(template, CONTEXT)).toEqual({ query });
  });

  test('each user token needs context.userId of its own resource type', () => {
    const role = { userId: 'PractitionerRole/role-7' };

    expect(fillPrefetchTemplate('PractitionerRole?_id={{userPractitionerRoleId}}', role)).toEqual({
      query: 'PractitionerRole?_id=role-7',
    });
    expect(fillPrefetchTemplate('Patient/{{userPatientId}}', { userId: 'Patient/p-2' })).toEqual({
      query: 'Patient/p-2',
    });
    expect(
      fillPrefetchTemplate('RelatedPerson/{{userRelatedPersonId}}', { userId: 'RelatedPerson/r' }),
    ).toEqual({
      query: 'RelatedPerson/r',
    });
    expect(fillPrefetchTemplate('Practitioner/{{userPractitionerId}}', role)).toHaveProperty('error');
    expect(fillPrefetchTemplate('Practitioner/{{userPractitionerId}}', {})).toHaveProperty('error');
    expect(fillPrefetchTemplate('{{userPractitionerId}}', { userId: 'Practitioner/' })).toHaveProperty(
      'error',
    );
  });

  test('values are percent-encoded so they cannot add parameters or path segments', () => {
    const context = { patientId: 'a b&code=x#frag?/..', userId: 'Practitioner/x y' };

    expect(fillPrefetchTemplate('Observation?patient={{context.patientId}}', context)).toEqual({
      query: 'Observation?patient=a%20b%26code%3Dx%23frag%3F%2F..',
    });
    expect(fillPrefetchTemplate('Patient/{{context.patientId}}', { patientId: 'ü/€' })).toEqual({
      query: 'Patient/%C3%BC%2F%E2%82%AC',
    });
    // A reference keeps its one slash, its id is still encoded.
    expect(fillPrefetchTemplate('{{context.userId}}', context)).toEqual({ query: 'Practitioner/x%20y' });
  });

  test('numbers and booleans are primitives and fill; long ids are kept whole', () => {
    const long = 'x'.repeat(300);

    expect(fillPrefetchTemplate('X?a={{context.n}}&b={{context.f}}', { n: 42, f: false })).toEqual({
      query: 'X?a=42&b=false',
    });
    expect(fillPrefetchTemplate('Patient/{{context.patientId}}', { patientId: long })).toEqual({
      query: `Patient/${long}`,
    });
  });

  test.each([
    ['a missing field', 'Patient/{{context.patientId}}', {}],
    ['an empty value', 'Patient/{{context.patientId}}', { patientId: '' }],
    ['a blank value', 'Patient/{{context.patientId}}', { patientId: '  ' }],
    ['a null value', 'Patient/{{context.patientId}}', { patientId: null }],
    ['an object value', 'Bundle/{{context.draftOrders}}', CONTEXT],
    ['an array value', 'X?id={{context.selections}}', { selections: ['a'] }],
    ['a non-finite number', 'X?n={{context.n}}', { n: Number.NaN }],
    ['an unknown token', 'Observation?date={{today}}', CONTEXT],
    ['a token without the context prefix', 'Patient/{{patientId}}', CONTEXT],
    ['an empty token', 'Patient/{{}}', CONTEXT],
    ['a nested path (not a prefetch token in CDS Hooks 2.0)', 'X?v={{context.nested.a.b}}', CONTEXT],
    ['an inherited property', 'X?v={{context.constructor}}', {}],
    ['a prototype path', 'X?v={{context.__proto__}}', {}],
    ['an unterminated token', 'Patient/{{context.patientId', CONTEXT],
    ['a stray closing', 'Patient/context.patientId}}', CONTEXT],
    ['a lone surrogate', 'Patient/{{context.patientId}}', { patientId: '\uD800' }],
  ])('%s is an error, never an empty substitution', (_name, template, context) => {
    const result = fillPrefetchTemplate(template, context as Record<string, unknown>);

    expect(result).toEqual({ error: expect.any(String) });
  });

  test('nested paths fill only when allowed, through own properties of objects', () => {
    const allow = { allowNestedContextPaths: true };

    expect(fillPrefetchTemplate('X?v={{context.nested.a.b}}', CONTEXT, allow)).toEqual({
      query: 'X?v=deep-value',
    });
    expect(fillPrefetchTemplate('X?v={{context.nested.a}}', CONTEXT, allow)).toHaveProperty('error');
    expect(fillPrefetchTemplate('X?v={{context.nested..b}}', CONTEXT, allow)).toHaveProperty('error');
    expect(fillPrefetchTemplate('X?v={{context.a.toString}}', { a: {} }, allow)).toHaveProperty('error');
    expect(fillPrefetchTemplate('X?v={{context.constructor.name}}', {}, allow)).toHaveProperty('error');
  });

  test('only own properties count: an inherited value never fills a token', () => {
    const inherited = Object.create({ patientId: 'inherited-id', nested: { id: 'inherited-nested' } });
    const inner = { a: Object.create({ b: 'inherited-inner' }) };

    expect(fillPrefetchTemplate('Patient/{{context.patientId}}', inherited)).toHaveProperty('error');
    expect(
      fillPrefetchTemplate('X?v={{context.a.b}}', inner, { allowNestedContextPaths: true }),
    ).toHaveProperty('error');
  });

  test('errors name the token, never the context values', () => {
    const result = fillPrefetchTemplate('X?a={{context.patientId}}&b={{context.mrn}}', {
      patientId: 'secret-id-123',
      mrn: { value: 'secret-mrn-456' },
    });

    expect(result).toEqual({ error: expect.stringContaining('context.mrn') });
    expect(JSON.stringify(result)).not.toMatch(/secret/);
  });
});

describe('fillPrefetchTemplate properties', () => {
  const key = fc.constantFrom(
    'patientId',
    'encounterId',
    'userId',
    'x',
    'constructor',
    '__proto__',
    'a.b',
    '',
  );
  const value = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(fc.string()),
    fc.dictionary(fc.string(), fc.string()),
  );
  const context = fc.dictionary(key, value);
  const piece = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '{{context.patientId}}',
      '{{context.encounterId}}',
      '{{context.userId}}',
      '{{userPractitionerId}}',
      '{{userPatientId}}',
      '{{context.a.b}}',
      '{{',
      '}}',
      '{',
      '}',
      '{{{context.x}}}',
      '/',
      '?',
      '&',
    ),
  );
  const template = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

  test('never throws; a filled query has no braces left and an error is a string', () => {
    fc.assert(
      fc.property(template, context, fc.boolean(), (t, c, nested) => {
        const result = fillPrefetchTemplate(t, c, { allowNestedContextPaths: nested });
        if ('query' in result) {
          expect(result.query).not.toMatch(/\{\{|\}\}/);
        } else {
          expect(typeof result.error).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('any well-formed string id fills and decodes back to itself, without adding parameters', () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(id, (patientId) => {
        const result = fillPrefetchTemplate('Observation?patient={{context.patientId}}', { patientId });

        expect(result).toHaveProperty('query');
        const query = (result as { query: string }).query;
        const params = new URLSearchParams(query.slice(query.indexOf('?') + 1));
        expect([...params.keys()]).toEqual(['patient']);
        expect(decodeURIComponent(query.slice('Observation?patient='.length))).toBe(patientId);
      }),
    );
  });
});
