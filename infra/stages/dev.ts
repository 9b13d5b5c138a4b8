import type { StageConfig } from '../config';

/**
 * The `dev` stage: a sandbox deployment against the public CDS Hooks sandbox and the SMART launcher. Copy
 * this file for a hospital stage and replace every value; `npx cdk synth -c stage=<name>` checks it.
 */
export const dev: StageConfig = {
  stage: 'dev',
  // No account: the account of the credentials you deploy with.
  env: { region: 'eu-north-1' },
  cdsClients: [
    {
      iss: 'https://sandbox.cds-hooks.org',
      jwks_uri: 'https://sandbox.cds-hooks.org/.well-known/jwks.json',
      jku: ['https://sandbox.cds-hooks.org/.well-known/jwks.json'],
      maxTokenLifetimeSeconds: 300,
      description: 'CDS Hooks sandbox (development only)',
    },
  ],
  smart: {
    clientId: 'tailor-dev',
    issuers: ['https://launch.smarthealthit.org/v/r4/fhir'],
  },
  ehrOrigins: ['https://launch.smarthealthit.org', 'https://sandbox.cds-hooks.org'],
  auditRetentionDays: 30,
  logRetentionDays: 30,
  accessLogRetentionDays: 30,
  logLevel: 'INFO',
  ruleSetRefreshSeconds: 30,
  ackWindowHours: 12,
  lambda: { memoryMb: 1024, timeoutSeconds: 10 },
  api: { throttleRatePerSecond: 50, throttleBurst: 100 },
  waf: { requestsPerWindow: 600, windowSeconds: 300 },
  alarms: {
    api5xxPerMinute: 5,
    apiP99LatencyMs: 1500,
    functionP99DurationMs: 3000,
    functionErrorsPerMinute: 5,
    throttlesPerMinute: 1,
    failedChecksPerMinute: 1,
    emails: [],
  },
};
