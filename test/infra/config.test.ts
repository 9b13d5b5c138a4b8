import { describe, expect, test } from 'vitest';
import { type StageConfig, StageConfigError, validateStageConfig } from '../../infra/config';
import { appContentSecurityPolicy } from '../../infra/csp';
import { STAGES, stageConfig } from '../../infra/stages';
import { dev } from '../../infra/stages/dev';
import { synthesizeStage } from '../../infra/tailor-app';

type Mutation = (config: Record<string, unknown>) => void;

/** A deep copy of the dev stage with one change. */
function devWith(mutate: Mutation): Record<string, unknown> {
  const copy = structuredClone(dev) as unknown as Record<string, unknown>;
  mutate(copy);
  return copy;
}

const at = (config: Record<string, unknown>, key: string) => config[key] as Record<string, unknown>;

describe('stage configuration', () => {
  test('every committed stage is valid; dev is one of them', () => {
    expect(Object.keys(STAGES)).toContain('dev');
    for (const name of Object.keys(STAGES)) expect(stageConfig(name).stage).toBe(name);
  });

  test('an unknown stage names the stages that exist', () => {
    expect(() => stageConfig('prod-typo')).toThrow(/Stage "prod-typo".*no such stage \(known: dev/);
  });

  const invalid: [string, Mutation, RegExp][] = [
    [
      'no trusted CDS client',
      (c) => (c.cdsClients = []),
      /cdsClients: needs at least one trusted CDS client/,
    ],
    [
      'a CDS client JWKS on plain http',
      (c) => (c.cdsClients = [{ iss: 'https://ehr.example', jwks_uri: 'http://ehr.example/jwks' }]),
      /cdsClients\[0\]\.jwks_uri: must be an https URL/,
    ],
    [
      'a CDS client with neither jwks nor jwks_uri',
      (c) => (c.cdsClients = [{ iss: 'https://ehr.example' }]),
      /cdsClients\[0\]: needs "jwks"/,
    ],
    [
      'a token lifetime above an hour',
      (c) =>
        (c.cdsClients = [
          {
            iss: 'https://ehr.example',
            jwks_uri: 'https://ehr.example/jwks',
            maxTokenLifetimeSeconds: 86_400,
          },
        ]),
      /cdsClients\[0\]\.maxTokenLifetimeSeconds/,
    ],
    [
      'an EHR origin on http',
      (c) => (c.ehrOrigins = ['http://ehr.example']),
      /ehrOrigins\[0\]: "http:\/\/ehr\.example" must be an https origin/,
    ],
    ['an EHR origin with a path', (c) => (c.ehrOrigins = ['https://ehr.example/app']), /ehrOrigins\[0\]/],
    ['no EHR origin', (c) => (c.ehrOrigins = []), /ehrOrigins: needs at least 1 entry/],
    [
      'an EHR origin twice',
      (c) => (c.ehrOrigins = ['https://a.example', 'https://a.example']),
      /ehrOrigins\[1\]: .* listed twice/,
    ],
    [
      'a SMART issuer that is not https',
      (c) => (at(c, 'smart').issuers = ['ftp://fhir.example']),
      /smart\.issuers\[0\]/,
    ],
    [
      'an empty SMART client id',
      (c) => (at(c, 'smart').clientId = ''),
      /smart\.clientId: must be a client id/,
    ],
    [
      'no audit retention',
      (c) => (c.auditRetentionDays = 0),
      /auditRetentionDays: must be a whole number from 1/,
    ],
    [
      'an acknowledgement window over a week',
      (c) => (c.ackWindowHours = 169),
      /ackWindowHours: must be a whole number from 0/,
    ],
    [
      'a retention CloudWatch does not offer',
      (c) => (c.logRetentionDays = 31),
      /logRetentionDays: must be one of 1, 3, 5/,
    ],
    ['a region that is not one', (c) => (at(c, 'env').region = 'mars'), /env\.region: must be an AWS region/],
    [
      'an account id of the wrong length',
      (c) => (at(c, 'env').account = '1234'),
      /env\.account: must be a 12-digit/,
    ],
    [
      'a WAF window WAF does not offer',
      (c) => (at(c, 'waf').windowSeconds = 30),
      /waf\.windowSeconds: must be one of 60, 120, 300, 600/,
    ],
    [
      'a malformed alarm email',
      (c) => (at(c, 'alarms').emails = ['ops at hospital']),
      /alarms\.emails\[0\]: must be an email address/,
    ],
    [
      'a timeout API Gateway would cut',
      (c) => (at(c, 'lambda').timeoutSeconds = 60),
      /lambda\.timeoutSeconds: must be a whole number from 3 to 29/,
    ],
    [
      'a duration alarm above the timeout',
      (c) => (at(c, 'alarms').functionP99DurationMs = 10_000),
      /alarms\.functionP99DurationMs: must be below lambda\.timeoutSeconds/,
    ],
    [
      'a certificate outside us-east-1',
      (c) =>
        (c.domain = {
          names: ['tailor.hospital.example'],
          certificateArn:
            'arn:aws:acm:eu-north-1:111111111111:certificate/0c6d2b4e-1111-2222-3333-444455556666',
        }),
      /domain\.certificateArn: must be an ACM certificate ARN in us-east-1/,
    ],
    ['a missing section', (c) => delete c.alarms, /alarms\.api5xxPerMinute: is required/],
  ];
  test.each(invalid)('%s: refused, naming the field', (_name, mutate, message) => {
    expect(() => validateStageConfig(devWith(mutate))).toThrow(message);
  });

  test('every problem is reported at once, each with its field', () => {
    try {
      validateStageConfig(
        devWith((c) => {
          c.ehrOrigins = ['http://ehr.example'];
          c.auditRetentionDays = -1;
        }),
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(StageConfigError);
      expect((error as StageConfigError).problems).toEqual([
        expect.stringMatching(/^ehrOrigins\[0\]: /),
        expect.stringMatching(/^auditRetentionDays: /),
      ]);
    }
  });

  test("a CSP longer than CloudFront's header limit is refused, naming ehrOrigins", () => {
    const many = Array.from({ length: 80 }, (_, i) => `https://ehr-${i}.hospital-region.example`);
    expect(() => validateStageConfig(devWith((c) => (c.ehrOrigins = many)))).toThrow(
      /ehrOrigins: the SMART app's Content-Security-Policy would be \d+ characters \(CloudFront takes 1783\)/,
    );
  });

  test('synthesis refuses an invalid configuration before building anything, naming the field', () => {
    const broken = devWith((c) => (c.ehrOrigins = ['https://ehr.example/path'])) as unknown as StageConfig;
    expect(() => synthesizeStage(broken, { nag: false })).toThrow(
      /Stage "dev": invalid configuration: ehrOrigins\[0\]/,
    );
  });

  test("the SMART app's CSP: EHR origins frame it, issuer origins and extra origins are reachable", () => {
    const csp = appContentSecurityPolicy({
      ehrOrigins: ['https://ehr.example', 'https://portal.example:8443'],
      smart: {
        issuers: ['https://fhir.example/r4', 'https://fhir.example/other'],
        connectOrigins: ['https://auth.example'],
      },
    });
    expect(csp).toContain('frame-ancestors https://ehr.example https://portal.example:8443;');
    expect(csp).toContain("connect-src 'self' https://fhir.example https://auth.example;");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });
});
