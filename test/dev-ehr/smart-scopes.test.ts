import { describe, expect, test } from 'vitest';
import { accessFor, parseResourceScope, supportedResourceScopes } from '../../functions/dev-ehr/smart-scopes';

describe('SMART scopes', () => {
  test.each([
    ['patient/Observation.rs', { level: 'patient', type: 'Observation', read: true, search: true }],
    ['patient/Observation.r', { level: 'patient', type: 'Observation', read: true, search: false }],
    ['user/*.s', { level: 'user', type: '*', read: false, search: true }],
    ['patient/Condition.read', { level: 'patient', type: 'Condition', read: true, search: true }],
    ['patient/*.*', { level: 'patient', type: '*', read: true, search: true }],
    ['patient/Observation.cruds', { level: 'patient', type: 'Observation', read: true, search: true }],
  ])('%s', (scope, grant) => {
    expect(parseResourceScope(scope)).toEqual(grant);
  });

  test.each([
    'patient/Observation.sr',
    'patient/Observation.write',
    'system/*.rs',
    'launch/patient',
    'openid',
  ])('%s grants no resource access', (scope) => {
    expect(parseResourceScope(scope)?.read ?? false).toBe(false);
  });

  test('user level wins over patient level; a type must match', () => {
    expect(accessFor(['patient/Observation.rs', 'user/Observation.r'], 'Observation', 'read')).toBe('user');
    expect(accessFor(['patient/Observation.rs'], 'Observation', 'search')).toBe('patient');
    expect(accessFor(['patient/Observation.r'], 'Observation', 'search')).toBe('none');
    expect(accessFor(['patient/Observation.rs'], 'Condition', 'read')).toBe('none');
    expect(accessFor(['patient/*.rs'], 'Condition', 'read')).toBe('patient');
  });

  test('every offered scope parses', () => {
    for (const scope of supportedResourceScopes()) expect(parseResourceScope(scope), scope).toBeDefined();
  });
});
