import { RuleStoreError } from '../../core/ports';

/** The audit, feedback or replay store could not be used (unreachable, throttled, misconfigured table). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A write lost its ConditionExpression: the expected state was not there. Not a store failure. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Any other SDK or network failure (refused, timed out, throttled after retries, table missing, access
 * denied) means the store cannot be used now; callers show a failed check, never a silent empty answer.
 */
export function ruleStoreUnavailable(operation: string, error: unknown): RuleStoreError {
  if (error instanceof RuleStoreError) return error;
  return new RuleStoreError('unavailable', `rule store ${operation} failed (${describe(error)})`, {
    cause: error,
  });
}

export function storeUnavailable(store: string, operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`${store} ${operation} failed (${describe(error)})`, { cause: error });
}
