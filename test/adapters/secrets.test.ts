import { describe, expect, test, vi } from 'vitest';
import { ConfigurationError } from '../../functions/adapters/config';
import { resolveSecretEnv } from '../../functions/adapters/secrets';

const ARN = 'arn:aws:secretsmanager:eu-north-1:111111111111:secret:tailor/dev/audit-hmac-AbCdEf';

describe('resolveSecretEnv', () => {
  test('only the ARN given: the value is fetched once and set as TAILOR_AUDIT_SECRET', async () => {
    const fetchSecret = vi.fn(async () => 'x'.repeat(64));
    const env = await resolveSecretEnv({ TAILOR_AUDIT_SECRET_ARN: ARN, OTHER: 'kept' }, fetchSecret);
    expect(fetchSecret).toHaveBeenCalledExactlyOnceWith(ARN);
    expect(env).toEqual({ TAILOR_AUDIT_SECRET_ARN: ARN, OTHER: 'kept', TAILOR_AUDIT_SECRET: 'x'.repeat(64) });
  });

  test('a plain secret wins (local runs): Secrets Manager is not called', async () => {
    const fetchSecret = vi.fn(async () => 'never');
    const given = { TAILOR_AUDIT_SECRET_ARN: ARN, TAILOR_AUDIT_SECRET: 'local-secret-0123456789' };
    expect(await resolveSecretEnv(given, fetchSecret)).toBe(given);
    expect(fetchSecret).not.toHaveBeenCalled();
  });

  test('neither given: the environment is returned unchanged', async () => {
    const fetchSecret = vi.fn(async () => 'never');
    expect(await resolveSecretEnv({}, fetchSecret)).toEqual({});
    expect(fetchSecret).not.toHaveBeenCalled();
  });

  test('an unreadable secret fails the cold start naming the variable, without the value or the ARN', async () => {
    const denied = Object.assign(new Error(`User is not authorized to access ${ARN}`), {
      name: 'AccessDeniedException',
    });
    const failing = resolveSecretEnv({ TAILOR_AUDIT_SECRET_ARN: ARN }, async () => Promise.reject(denied));
    await expect(failing).rejects.toThrow(ConfigurationError);
    await expect(failing).rejects.toThrow(
      'TAILOR_AUDIT_SECRET_ARN: the secret cannot be read (AccessDeniedException)',
    );
  });

  test('an empty secret is refused', async () => {
    await expect(resolveSecretEnv({ TAILOR_AUDIT_SECRET_ARN: ARN }, async () => '')).rejects.toThrow(
      'TAILOR_AUDIT_SECRET_ARN: the secret is empty',
    );
  });
});
