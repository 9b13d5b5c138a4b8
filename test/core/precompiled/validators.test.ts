import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientsSchema } from '../../../functions/adapters/auth/cds-clients';
import { feedbackSchema } from '../../../functions/core/cds/feedback';
import { requestSchema } from '../../../functions/core/cds/request';
import { validateCdsClientsFile } from '../../../functions/core/precompiled/cds-clients-validator';
import { validateCdsRequest } from '../../../functions/core/precompiled/cds-request-validator';
import { validateFeedback } from '../../../functions/core/precompiled/feedback-validator';
import { lazyValidator } from '../../../functions/core/schema-validation';

// The precompiled code must answer exactly as Ajv compiling the same schema at run time would: same verdict,
// same errors (the messages integrators see are built from them).
const pairs = [
  { name: 'CDS request', schema: requestSchema, precompiled: validateCdsRequest },
  { name: 'feedback', schema: feedbackSchema, precompiled: validateFeedback },
  { name: 'clients file', schema: clientsSchema, precompiled: validateCdsClientsFile },
];

const samples: unknown[] = [
  null,
  'text',
  [],
  {},
  { hook: 'order-sign', hookInstance: 'x', context: { patientId: 'p1', userId: 'Practitioner/1' } },
  { hook: '', hookInstance: 'x', fhirServer: 'ftp://x', context: { patientId: 'bad id!' } },
  { hook: 'h', hookInstance: 'i', fhirAuthorization: { access_token: 't' }, context: { patientId: 'p' } },
  { hook: 'h', hookInstance: 'i', fhirServer: 'http://a b', context: { patientId: 'p', selections: ['x'] } },
  { hook: 'h', hookInstance: 'i', context: { patientId: 'p', draftOrders: { resourceType: 'Patient' } } },
  { hook: 'h', hookInstance: 'i', context: { patientId: 'p' }, prefetch: { a: 1, b: null } },
  { feedback: [] },
  { feedback: [{ card: 'c', outcome: 'accepted', outcomeTimestamp: '2026-01-01T00:00:00Z' }] },
  { feedback: [{ card: 'c', outcome: 'maybe', outcomeTimestamp: 'yesterday' }] },
  {
    feedback: [
      {
        card: 'c',
        outcome: 'overridden',
        outcomeTimestamp: '2026-13-01T00:00:00Z',
        overrideReason: { reason: {} },
      },
    ],
  },
  { clients: [] },
  { clients: [{ iss: 'a', jwks: { keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] }, jku: ['a', 'a'] }] },
  { clients: [{ iss: 'a', jwks: { keys: [{ kty: 'EC', crv: 'P-999', x: 'x' }] }, extra: 1 }] },
  { clients: [{ iss: 'a', jwks_uri: 'https://x', maxTokenLifetimeSeconds: 0 }], more: true },
];

describe.each(pairs)('precompiled $name validator', ({ schema, precompiled }) => {
  const compiled = lazyValidator(schema)();
  const same = (data: unknown) => {
    const ok = compiled(data);
    expect(precompiled(data)).toBe(ok);
    expect(precompiled.errors ?? null).toEqual(compiled.errors ?? null);
  };

  it('gives the same verdict and errors as the Ajv compiler on known cases', () => {
    for (const sample of samples) same(sample);
  });

  it('gives the same verdict and errors on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), same), { numRuns: 300 });
  });
});
