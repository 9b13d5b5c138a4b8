/**
 * Typed configuration of one deployment stage. Everything a hospital decides (which EHRs may call, which
 * SMART issuers the app accepts, where the app may be framed, how long audit records live, when to page
 * someone) is here; the stacks read nothing else. `validateStageConfig` runs before any construct is built,
 * so a bad value fails synthesis with a message naming the field.
 */
import type { CdsClientConfig } from '../functions/adapters/auth/cds-client-config';
import { parseCdsClients } from '../functions/adapters/auth/cds-clients';
import { appContentSecurityPolicy, CLOUDFRONT_CSP_MAX_LENGTH } from './csp';

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/** WAF rate-based rules count requests over one of these windows (seconds). */
export const WAF_WINDOWS = [60, 120, 300, 600] as const;
export type WafWindowSeconds = (typeof WAF_WINDOWS)[number];

export interface StageConfig {
  /** Short name: stacks are `Tailor-<stage>-…`, tables `<tablePrefix>-rules` / `-audit`. */
  stage: string;
  /** Omit `account` to deploy into the account of the credentials in use (CDK_DEFAULT_ACCOUNT). */
  env: { account?: string; region: string };
  /** Table name prefix; default `tailor-<stage>`. */
  tablePrefix?: string;
  /**
   * Trusted CDS clients (EHRs), in the clients-file format the service reads (TAILOR_CDS_CLIENTS): `iss`,
   * `jwks_uri` or inline `jwks`, optional `jku` allow-list, `tenant`, `maxTokenLifetimeSeconds`.
   */
  cdsClients: CdsClientConfig[];
  smart: {
    /** The client id the EHR registered for the SMART app. */
    clientId: string;
    /** FHIR base URLs (SMART `iss`) the app accepts launches from. */
    issuers: string[];
    /** More origins the app must reach (e.g. an authorization server on another host); https only. */
    connectOrigins?: string[];
  };
  /** Origins allowed to frame the SMART app (CSP frame-ancestors), e.g. https://ehr.hospital.example. */
  ehrOrigins: string[];
  /** Audit, card and feedback items expire (DynamoDB TTL) this many days after they were written. */
  auditRetentionDays: number;
  /** Retention of every log group (functions, API access, WAF). */
  logRetentionDays: LogRetentionDays;
  /** Retention of CloudFront and S3 access logs in the logs bucket. */
  accessLogRetentionDays: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** How often a warm function re-reads the ACTIVE rule-set pointer. */
  ruleSetRefreshSeconds: number;
  /**
   * How long a card the clinician dismissed at order-select stays left out at order-sign for the same order
   * (0 turns this off). One value for both functions that use it: feedback writes, order-sign reads.
   */
  ackWindowHours: number;
  lambda: {
    memoryMb: number;
    timeoutSeconds: number;
    /** Per function; omit in accounts whose concurrency quota is still the default (reserving fails there). */
    reservedConcurrency?: number;
  };
  api: {
    /** Stage-wide API Gateway throttle: the backstop for calls that do not come through CloudFront. */
    throttleRatePerSecond: number;
    throttleBurst: number;
  };
  waf: {
    /** Requests one IP may make per window before WAF blocks it. */
    requestsPerWindow: number;
    windowSeconds: WafWindowSeconds;
  };
  alarms: {
    /** API 5xx answers per minute that raise the alarm. */
    api5xxPerMinute: number;
    apiP99LatencyMs: number;
    functionP99DurationMs: number;
    functionErrorsPerMinute: number;
    throttlesPerMinute: number;
    /** Genomic checks answered with a "check failed" card (or failed app assessments) per minute. */
    failedChecksPerMinute: number;
    /** Subscribed to the alarm topic (each confirms by mail). */
    emails: string[];
  };
  /** A custom domain for the CloudFront distribution; without it the *.cloudfront.net name is used. */
  domain?: {
    names: string[];
    /** An ACM certificate in us-east-1 covering every name. */
    certificateArn: string;
  };
}

export class StageConfigError extends Error {
  override name = 'StageConfigError';
  constructor(
    readonly stage: string,
    readonly problems: string[],
  ) {
    super(`Stage "${stage}": invalid configuration: ${problems.join('; ')}`);
  }
}

type Check = (value: unknown, at: string) => string | undefined;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const integer =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}`;

const text =
  (pattern: RegExp, what: string): Check =>
  (value) =>
    typeof value === 'string' && pattern.test(value) ? undefined : `must be ${what}`;

const oneOf =
  (allowed: readonly (string | number)[]): Check =>
  (value) =>
    allowed.includes(value as string | number) ? undefined : `must be one of ${allowed.join(', ')}`;

/** An https origin as CSP writes it: scheme, host, optional port; no path, no trailing slash. */
const httpsOrigin: Check = (value) => {
  if (typeof value !== 'string') return 'must be an https origin (https://host[:port])';
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' || url.origin !== value || url.username || url.password)
      return `"${value}" must be an https origin (https://host[:port], no path or trailing slash)`;
    return undefined;
  } catch {
    return `"${value}" must be an https origin (https://host[:port])`;
  }
};

const httpsUrl: Check = (value) => {
  if (typeof value !== 'string') return 'must be an https URL';
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' || url.username || url.password || url.hash)
      return `"${value}" must be an https URL without credentials or fragment`;
    return undefined;
  } catch {
    return `"${value}" is not an absolute URL`;
  }
};

const email = text(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address');

/**
 * Checks a stage configuration and returns it typed. Problems are collected, each one naming its field
 * (`smart.issuers[1]: ...`), and thrown together as a StageConfigError.
 */
export function validateStageConfig(input: unknown): StageConfig {
  const problems: string[] = [];
  const stageName = isRecord(input) && typeof input.stage === 'string' ? input.stage : '?';
  if (!isRecord(input)) throw new StageConfigError(stageName, ['the configuration must be an object']);

  const field = (path: string[], check: Check, optional = false): void => {
    let value: unknown = input;
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    const at = path.join('.');
    if (value === undefined) {
      if (!optional) problems.push(`${at}: is required`);
      return;
    }
    const problem = check(value, at);
    if (problem) problems.push(`${at}: ${problem}`);
  };
  const list = (path: string[], check: Check, options: { min: number; optional?: boolean }): void => {
    let value: unknown = input;
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    const at = path.join('.');
    if (value === undefined) {
      if (!options.optional) problems.push(`${at}: is required`);
      return;
    }
    if (!Array.isArray(value)) {
      problems.push(`${at}: must be a list`);
      return;
    }
    if (value.length < options.min)
      problems.push(`${at}: needs at least ${options.min} entr${options.min === 1 ? 'y' : 'ies'}`);
    const seen = new Set<unknown>();
    value.forEach((item, i) => {
      const problem = check(item, `${at}[${i}]`);
      if (problem) problems.push(`${at}[${i}]: ${problem}`);
      if (seen.has(item)) problems.push(`${at}[${i}]: "${String(item)}" is listed twice`);
      seen.add(item);
    });
  };

  field(
    ['stage'],
    text(/^[a-z][a-z0-9-]{0,15}$/, 'lowercase letters, digits and dashes, at most 16 (e.g. dev)'),
  );
  field(['env', 'account'], text(/^\d{12}$/, 'a 12-digit AWS account id'), true);
  field(['env', 'region'], text(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-north-1'));
  field(['tablePrefix'], text(/^[A-Za-z0-9_.-]{3,200}$/, '3-200 letters, digits, _ . or -'), true);

  const clients = input.cdsClients;
  if (!Array.isArray(clients) || clients.length === 0) {
    problems.push(
      'cdsClients: needs at least one trusted CDS client (the service refuses unauthenticated calls in AWS)',
    );
  } else {
    // The same checks the service runs on its clients file at cold start: one definition of the format.
    const { errors } = parseCdsClients({ clients });
    problems.push(...errors.map((error) => error.replace(/^clients/, 'cdsClients')));
  }

  field(['smart', 'clientId'], text(/^[\x21-\x7e]{1,256}$/, 'a client id without spaces'));
  list(['smart', 'issuers'], httpsUrl, { min: 1 });
  list(['smart', 'connectOrigins'], httpsOrigin, { min: 0, optional: true });
  list(['ehrOrigins'], httpsOrigin, { min: 1 });
  field(['auditRetentionDays'], integer(1, 36_500));
  field(['logRetentionDays'], oneOf(LOG_RETENTION_DAYS));
  field(['accessLogRetentionDays'], integer(1, 3650));
  field(['logLevel'], oneOf(['DEBUG', 'INFO', 'WARN', 'ERROR']));
  field(['ruleSetRefreshSeconds'], integer(1, 3600));
  field(['ackWindowHours'], integer(0, 168));
  field(['lambda', 'memoryMb'], integer(128, 10_240));
  field(['lambda', 'timeoutSeconds'], integer(3, 29)); // API Gateway gives up after 30 s
  field(['lambda', 'reservedConcurrency'], integer(1, 1000), true);
  field(['api', 'throttleRatePerSecond'], integer(1, 10_000));
  field(['api', 'throttleBurst'], integer(1, 5000));
  field(['waf', 'requestsPerWindow'], integer(10, 2_000_000_000));
  field(['waf', 'windowSeconds'], oneOf(WAF_WINDOWS));
  field(['alarms', 'api5xxPerMinute'], integer(1, 100_000));
  field(['alarms', 'apiP99LatencyMs'], integer(10, 30_000));
  field(['alarms', 'functionP99DurationMs'], integer(10, 30_000));
  field(['alarms', 'functionErrorsPerMinute'], integer(1, 100_000));
  field(['alarms', 'throttlesPerMinute'], integer(1, 100_000));
  field(['alarms', 'failedChecksPerMinute'], integer(1, 100_000));
  list(['alarms', 'emails'], email, { min: 0 });
  if (input.domain !== undefined) {
    list(
      ['domain', 'names'],
      text(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'a lowercase DNS name'),
      {
        min: 1,
      },
    );
    field(
      ['domain', 'certificateArn'],
      text(
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/,
        'an ACM certificate ARN in us-east-1',
      ),
    );
  }
  const timeout = isRecord(input.lambda) ? input.lambda.timeoutSeconds : undefined;
  const p99 = isRecord(input.alarms) ? input.alarms.functionP99DurationMs : undefined;
  if (typeof timeout === 'number' && typeof p99 === 'number' && p99 >= timeout * 1000) {
    problems.push(
      'alarms.functionP99DurationMs: must be below lambda.timeoutSeconds (a timed-out call never reaches it)',
    );
  }

  if (problems.length > 0) throw new StageConfigError(stageName, problems);
  const config = input as unknown as StageConfig;
  const csp = appContentSecurityPolicy(config);
  if (csp.length > CLOUDFRONT_CSP_MAX_LENGTH) {
    throw new StageConfigError(stageName, [
      `ehrOrigins: the SMART app's Content-Security-Policy would be ${csp.length} characters (CloudFront takes ${CLOUDFRONT_CSP_MAX_LENGTH}): list fewer EHR origins, issuers or connectOrigins`,
    ]);
  }
  return config;
}

/** Names derived from the stage, used by every stack. */
export function stageNames(config: StageConfig) {
  const prefix = config.tablePrefix ?? `tailor-${config.stage}`;
  return {
    tablePrefix: prefix,
    stateful: `Tailor-${config.stage}-Stateful`,
    edge: `Tailor-${config.stage}-Edge`,
    stateless: `Tailor-${config.stage}-Stateless`,
  };
}
