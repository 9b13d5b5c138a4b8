import { describe, expect, test } from 'vitest';
import { hlaFields, statusFromTyping, twoFieldName } from '../../../functions/core/phenotypes/hla';

describe('hlaFields', () => {
  test.each([
    ['HLA-B*57:01:01G', ['57', '01', '01']],
    ['*57:01', ['57', '01']],
    ['B*5701', ['57', '01']],
    ['*15:02:01:02N', ['15', '02', '01', '02']],
    ['*57:XX', ['57', 'XX']],
  ])('%s', (raw, fields) => {
    expect(hlaFields(raw)).toEqual(fields);
  });

  test('twoFieldName', () => {
    expect(twoFieldName('HLA-B*57:01:01')).toBe('*57:01');
    expect(twoFieldName('*57')).toBeUndefined();
  });
});

describe('statusFromTyping', () => {
  test.each([
    [[['*57:01:01'], ['*08:01']], 'positive'],
    [[['*57:03'], ['*08:01']], 'negative'],
    [[['*57:01', '*57:03'], ['*08:01']], 'indeterminate'],
    [[['*57:XX'], ['*08:01']], 'indeterminate'],
    [[['*08:01']], 'indeterminate'],
    [[[], ['*08:01']], 'indeterminate'],
    [[['*57:01'], ['*57:03', '*57:04']], 'positive'],
  ])('%j → %s', (copies, status) => {
    expect(statusFromTyping(copies, '*57:01')).toBe(status);
  });
});
