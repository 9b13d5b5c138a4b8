/**
 * Service configuration, read from the environment once, at start-up. Every problem names the variable, so
 * a misconfigured deployment fails loudly before it answers a request.
 */
export interface ServiceConfig {
  host: string;
  port: number;
  /** Where the embedded store keeps its data (local server only). */
  dataDir: string;
  /** The public URL EHRs call, for the JWT `aud` check behind a proxy or API Gateway. */
  publicBaseUrl?: string;
  /** JSON file of trusted CDS clients; absent = development mode (loopback only, no JWT). */
  cdsClientsFile?: string;
  /** The clients file's SHA-256, given to a deployed function with the file CDK checked at synthesis. */
  cdsClientsSha256?: string;
  /** Secret for the audit trail's pseudonymous patient keys (HMAC). */
  auditSecret?: string;
  fetchBudgetMs: number;
  ruleSetRefreshMs: number;
  ruleSetMaxStaleMs: number;
  auditRetentionDays: number;
  /** How long an answer may wait for its audit write (Lambda: so it lands before the freeze). */
  auditWaitMs: number;
  /**
   * How long a card dismissed at order-select is not shown again at order-sign for the same order (hours);
   * 0 turns this suppression off.
   */
  ackWindowHours: number;
  smartLaunchUrl?: string;
  tablePrefix: string;
  /** EMF metric lines on stdout; off with POWERTOOLS_METRICS_DISABLED=true. */
  metricsEnabled: boolean;
  /** A DynamoDB endpoint other than AWS's (DynamoDB Local, dynalite elsewhere). */
  dynamoEndpoint?: string;
  /** OpenID issuers (exact `iss`) whose id_tokens the SMART app's API accepts; none = every app call refused. */
  smartIssuers: string[];
  /** The SMART app's client id: the id_token's `aud`. */
  smartClientId: string;
  /** The built SMART app the local server serves under /app/. */
  smartAppDir: string;
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

type Env = Record<string, string | undefined>;

export function readServiceConfig(env: Env): ServiceConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const url = (name: string): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    try {
      const parsed = new URL(raw);
      if (!/^https?:$/.test(parsed.protocol)) throw new Error('scheme');
      return raw.replace(/\/$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL`);
      return undefined;
    }
  };
  // Kept exactly as written: an id_token's `iss` must match character for character.
  const urlList = (name: string): string[] =>
    (env[name] ?? '')
      .split(/[\s,]+/)
      .filter((item) => item !== '')
      .filter((item) => {
        try {
          if (/^https?:$/.test(new URL(item).protocol)) return true;
        } catch {}
        problems.push(`${name} must be a list of http(s) URLs separated by commas`);
        return false;
      });
  const optional = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const config: ServiceConfig = {
    host: env.HOST || '127.0.0.1',
    port: int('PORT', 3000, 0, 65535),
    dataDir: env.TAILOR_DATA_DIR || '.data',
    fetchBudgetMs: int('TAILOR_FETCH_BUDGET_MS', 2000, 50, 30_000),
    ruleSetRefreshMs: int('TAILOR_RULESET_REFRESH_SECONDS', 30, 1, 3600) * 1000,
    ruleSetMaxStaleMs: int('TAILOR_RULESET_MAX_STALE_SECONDS', 300, 1, 86_400) * 1000,
    auditRetentionDays: int('TAILOR_AUDIT_RETENTION_DAYS', 3650, 1, 36_500),
    auditWaitMs: int('TAILOR_AUDIT_WAIT_MS', 0, 0, 1000),
    ackWindowHours: int('TAILOR_ACK_WINDOW_HOURS', 12, 0, 168),
    tablePrefix: env.TAILOR_TABLE_PREFIX || 'tailor',
    metricsEnabled: env.POWERTOOLS_METRICS_DISABLED !== 'true',
    smartIssuers: urlList('TAILOR_SMART_ISSUERS'),
    smartClientId: env.TAILOR_SMART_CLIENT_ID || 'tailor-smart-app',
    smartAppDir: env.TAILOR_SMART_APP_DIR || 'smart-app/dist',
  };
  const optionals: Partial<ServiceConfig> = {
    publicBaseUrl: url('TAILOR_PUBLIC_URL'),
    smartLaunchUrl: url('TAILOR_SMART_LAUNCH_URL'),
    dynamoEndpoint: url('TAILOR_DYNAMODB_ENDPOINT'),
    cdsClientsFile: optional('TAILOR_CDS_CLIENTS'),
    cdsClientsSha256: optional('TAILOR_CDS_CLIENTS_SHA256'),
    auditSecret: optional('TAILOR_AUDIT_SECRET'),
  };
  for (const [key, value] of Object.entries(optionals)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  if (config.auditSecret !== undefined && config.auditSecret.length < 16) {
    problems.push('TAILOR_AUDIT_SECRET must be at least 16 characters');
  }
  if (problems.length > 0) throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
