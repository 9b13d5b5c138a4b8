import { Logger } from '@aws-lambda-powertools/logger';
import type { Log, Metrics } from '../../core/ports';

/**
 * The operational log: Powertools' structured JSON logger. Callers pass rule ids, versions, outcome kinds
 * and timings only; request bodies, identifiers and genotypes never reach it (DOMAIN.md section 8).
 * Without an explicit level Powertools reads POWERTOOLS_LOG_LEVEL (default INFO).
 */
export function createLog(
  options: { serviceName?: string; level?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' } = {},
): Log {
  const logger = new Logger({
    serviceName: options.serviceName ?? 'tailor',
    ...(options.level ? { logLevel: options.level } : {}),
  });
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}

/**
 * Metrics as CloudWatch Embedded Metric Format log lines: in Lambda, CloudWatch turns them into metrics
 * without an SDK call on the request path; locally they are just log lines.
 */
export function createEmfMetrics(
  options: { namespace?: string; write?: (line: string) => void; enabled?: boolean } = {},
): Metrics {
  if (options.enabled === false) return { count: () => {}, timing: () => {} };
  const namespace = options.namespace ?? 'Tailor';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (
    name: string,
    value: number,
    unit: 'Count' | 'Milliseconds',
    dimensions: Record<string, string> = {},
  ) => {
    write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(dimensions)],
              Metrics: [{ Name: name, Unit: unit }],
            },
          ],
        },
        ...dimensions,
        [name]: value,
      }),
    );
  };
  return {
    count: (name, value = 1, dimensions) => emit(name, value, 'Count', dimensions),
    timing: (name, ms, dimensions) => emit(name, ms, 'Milliseconds', dimensions),
  };
}
