import { describe, expect, test } from 'vitest';
import { ConfigurationError, readServiceConfig } from '../../functions/adapters/config';

describe('TAILOR_ACK_WINDOW_HOURS', () => {
  test('12 hours unless set; 0 turns order-sign suppression off', () => {
    expect(readServiceConfig({}).ackWindowHours).toBe(12);
    expect(readServiceConfig({ TAILOR_ACK_WINDOW_HOURS: '0' }).ackWindowHours).toBe(0);
    expect(readServiceConfig({ TAILOR_ACK_WINDOW_HOURS: '24' }).ackWindowHours).toBe(24);
  });
  test.each(['-1', '1.5', '169', 'twelve'])('%s is refused, naming the variable', (value) => {
    expect(() => readServiceConfig({ TAILOR_ACK_WINDOW_HOURS: value })).toThrow(ConfigurationError);
    expect(() => readServiceConfig({ TAILOR_ACK_WINDOW_HOURS: value })).toThrow(/TAILOR_ACK_WINDOW_HOURS/);
  });
});
