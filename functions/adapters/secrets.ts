/**
 * Secrets read once at cold start. In AWS the audit trail's HMAC secret lives in Secrets Manager and the
 * function is given only its ARN (TAILOR_AUDIT_SECRET_ARN), so the value is never in a template or in the
 * function's configuration. Locally TAILOR_AUDIT_SECRET may still be given directly; it then wins.
 */
import { ConfigurationError } from './config';

export const AUDIT_SECRET_ENV = 'TAILOR_AUDIT_SECRET';
export const AUDIT_SECRET_ARN_ENV = 'TAILOR_AUDIT_SECRET_ARN';

type Env = Record<string, string | undefined>;

/** Reads one secret's string value. */
export type FetchSecret = (secretId: string) => Promise<string>;

/**
 * The environment with TAILOR_AUDIT_SECRET filled from Secrets Manager when only its ARN is given; the
 * same object otherwise. A secret that cannot be read fails the cold start with the variable's name.
 */
export async function resolveSecretEnv(
  env: Env,
  fetchSecret: FetchSecret = fromSecretsManager,
): Promise<Env> {
  const arn = env[AUDIT_SECRET_ARN_ENV];
  if (env[AUDIT_SECRET_ENV] || !arn) return env;
  let value: string;
  try {
    value = await fetchSecret(arn);
  } catch (cause) {
    const why = cause instanceof Error ? cause.name : 'error';
    throw new ConfigurationError(`${AUDIT_SECRET_ARN_ENV}: the secret cannot be read (${why})`, { cause });
  }
  if (value.length === 0) throw new ConfigurationError(`${AUDIT_SECRET_ARN_ENV}: the secret is empty`);
  return { ...env, [AUDIT_SECRET_ENV]: value };
}

/** The SDK is loaded only when a secret is actually fetched (the Lambda runtime provides it). */
async function fromSecretsManager(secretId: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ maxAttempts: 3 });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined) throw new TypeError('the secret has no string value');
    return SecretString;
  } finally {
    client.destroy();
  }
}
