import { describe, expect, test } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import { createLambdaCommon, loadLambdaCdsClients } from '../../functions/handlers/lambda-service';

const SECRET = { TAILOR_AUDIT_SECRET: 'a-long-enough-secret-value' };

describe('createLambdaCommon refuses to start without what the concern needs in AWS', () => {
  test.each(['cds-clients', 'smart-issuers'] as const)(
    '%s: no audit secret (neither the value nor its ARN)',
    async (callers) => {
      await expect(
        createLambdaCommon(
          {
            TAILOR_CDS_CLIENTS: '/var/task/cds-clients.json',
            TAILOR_SMART_ISSUERS: 'https://ehr.example.org',
          },
          callers,
        ),
      ).rejects.toThrow(/TAILOR_AUDIT_SECRET_ARN \(or TAILOR_AUDIT_SECRET\) is required/);
    },
  );

  test('CDS concerns: no trusted CDS clients, since there is no unauthenticated mode behind API Gateway', async () => {
    await expect(
      createLambdaCommon({ ...SECRET, TAILOR_SMART_ISSUERS: 'https://ehr.example.org' }, 'cds-clients'),
    ).rejects.toThrow(/TAILOR_CDS_CLIENTS is required in AWS/);
  });

  test("the SMART app's API: no SMART issuer, since it never answers an unauthenticated call", async () => {
    await expect(
      createLambdaCommon({ ...SECRET, TAILOR_CDS_CLIENTS: '/var/task/cds-clients.json' }, 'smart-issuers'),
    ).rejects.toThrow(/TAILOR_SMART_ISSUERS is required/);
  });

  test("the SMART app's API needs no CDS clients: it checks the EHR's id_token, not a CDS client JWT", async () => {
    const common = await createLambdaCommon(
      { ...SECRET, TAILOR_SMART_ISSUERS: 'https://ehr.example.org', TAILOR_TABLE_PREFIX: 'tailor-test' },
      'smart-issuers',
    );
    try {
      expect(common.config.cdsClientsFile).toBeUndefined();
      expect(common.tables.rules).toMatch(/^tailor-test/);
      // The audit trail's pseudonym is keyed by the secret: stable for one patient, different across patients.
      expect(common.pseudonymise('p-1')).toBe(common.pseudonymise('p-1'));
      expect(common.pseudonymise('p-1')).not.toBe(common.pseudonymise('p-2'));
    } finally {
      common.client.destroy();
    }
  });
});

test('a CDS function reads its clients file only with the checksum it was synthesized with', async () => {
  const config = readServiceConfig({ ...SECRET, TAILOR_CDS_CLIENTS: '/var/task/cds-clients.json' });
  expect(() => loadLambdaCdsClients(config)).toThrow(/TAILOR_CDS_CLIENTS_SHA256/);
});
