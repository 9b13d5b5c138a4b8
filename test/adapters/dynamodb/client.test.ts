import { describe, expect, it } from 'vitest';
import {
  createDynamoClient,
  DEFAULT_CLIENT_LIMITS,
  isLocalEndpoint,
} from '../../../functions/adapters/dynamodb/client';

describe('isLocalEndpoint', () => {
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://localhost:4567', true],
    ['http://[::1]:8000', true],
    ['http://127.10.0.3:1', true],
    ['https://dynamodb.eu-north-1.amazonaws.com', false],
    ['http://127.0.0.1.example.org:8000', false],
    ['not a url', false],
  ])('%s → %s', (endpoint, local) => {
    expect(isLocalEndpoint(endpoint)).toBe(local);
  });
});

describe('createDynamoClient', () => {
  it('gives a loopback endpoint dummy credentials, a local region and the fail-fast limits', async () => {
    const client = createDynamoClient({ endpoint: 'http://127.0.0.1:8000' });

    expect(await client.config.region()).toBe('local');
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });
    expect(await client.config.maxAttempts()).toBe(DEFAULT_CLIENT_LIMITS.maxAttempts);
    client.destroy();
  });

  it('takes the region and attempts given, and no endpoint, for AWS itself', async () => {
    const client = createDynamoClient({ region: 'eu-north-1', maxAttempts: 5 });

    expect(await client.config.region()).toBe('eu-north-1');
    expect(await client.config.maxAttempts()).toBe(5);
    expect(client.config.endpoint).toBeUndefined();
    client.destroy();
  });
});
