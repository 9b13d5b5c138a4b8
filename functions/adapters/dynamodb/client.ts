import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoClientOptions {
  /** A local store (dynalite, DynamoDB Local) or a custom endpoint; omitted in AWS. */
  endpoint?: string;
  /** Defaults to 'local' for a local endpoint, else the SDK's own resolution (AWS_REGION in Lambda). */
  region?: string;
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  /** Time allowed to open a connection. */
  connectionTimeoutMs?: number;
  /** Time allowed for a whole request and its response, per attempt. */
  requestTimeoutMs?: number;
}

/**
 * A dead store must fail fast: the evaluation answers within ~500 ms and shows a failed check rather than
 * wait. Two attempts of at most ~1 s each keep a hanging or unreachable store under ~3 s.
 */
export const DEFAULT_CLIENT_LIMITS = {
  maxAttempts: 2,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 1200,
} as const;

/** Loopback endpoints get dummy credentials; nothing else does. */
export function isLocalEndpoint(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The one way Tailor builds a DynamoDB client. Static dummy credentials for a loopback endpoint (dynalite and
 * DynamoDB Local accept any; DynamoDB Local keeps one database per key and region, so every client of one
 * local store must share them); the default provider chain otherwise.
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const local = options.endpoint !== undefined && isLocalEndpoint(options.endpoint);
  const region = options.region ?? (local ? 'local' : undefined);
  return new DynamoDBClient({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_CLIENT_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CLIENT_LIMITS.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_CLIENT_LIMITS.requestTimeoutMs,
      // Without this the SDK only logs a breached request timeout and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
}
