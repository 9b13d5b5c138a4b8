/**
 * Prefetch templates as CDS Hooks 2.0 defines them: `{{context.<field>}}` for a root-level primitive
 * context field, and `{{userPractitionerId}}`, `{{userPractitionerRoleId}}`, `{{userPatientId}}`,
 * `{{userRelatedPersonId}}` for the id in `context.userId` ("Practitioner/123") when its type matches.
 *
 * Any token that cannot be filled is an error, never an empty string: querying "Observation?patient=" would
 * read the wrong data, whereas the caller can answer 412. Errors name the token, never a context value.
 */

export const USER_PREFETCH_TOKENS = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
} as const;

export interface PrefetchTemplateOptions {
  /**
   * Also fill `{{context.a.b}}` through nested objects. The spec forbids such tokens (only root-level
   * primitive fields qualify), so this is off unless a template we publish needs it.
   */
  allowNestedContextPaths?: boolean;
}

export type PrefetchTemplateResult = { query: string } | { error: string };

const TOKEN = /\{\{([^{}]*)\}\}/g;

export function fillPrefetchTemplate(
  template: string,
  context: Record<string, unknown>,
  opts: PrefetchTemplateOptions = {},
): PrefetchTemplateResult {
  if (typeof template !== 'string') return { error: 'template is not a string' };
  if (!isRecord(context)) return { error: 'context is not an object' };
  // Braces left outside well-formed tokens mean a typo that would otherwise reach the server verbatim.
  if (/\{\{|\}\}/.test(template.replace(TOKEN, ''))) return { error: 'malformed prefetch token' };

  let error: string | undefined;
  const query = template.replace(TOKEN, (_match, raw: string) => {
    if (error !== undefined) return '';
    const value = tokenValue(raw.trim(), context, opts);
    if ('error' in value) {
      error = value.error;
      return '';
    }
    const encoded = encodeValue(value.value);
    if (encoded === undefined) {
      error = `prefetch token {{${raw.trim()}}} has a value that cannot be encoded`;
      return '';
    }
    return encoded;
  });
  return error === undefined ? { query } : { error };
}

function tokenValue(
  token: string,
  context: Record<string, unknown>,
  opts: PrefetchTemplateOptions,
): { value: string } | { error: string } {
  if (Object.hasOwn(USER_PREFETCH_TOKENS, token)) {
    const type = USER_PREFETCH_TOKENS[token as keyof typeof USER_PREFETCH_TOKENS];
    const userId = ownField(context, 'userId');
    const match = typeof userId === 'string' ? /^([A-Za-z]+)\/([^/]+)$/.exec(userId) : null;
    if (match === null || match[1] !== type || match[2]!.trim() === '') {
      return { error: `prefetch token {{${token}}} needs context.userId of type ${type}` };
    }
    return { value: match[2]! };
  }

  const path = token.startsWith('context.') ? token.slice('context.'.length).split('.') : undefined;
  if (path === undefined || path.some((part) => part === '')) {
    return { error: `unknown prefetch token {{${token}}}` };
  }
  if (path.length > 1 && opts.allowNestedContextPaths !== true) {
    return { error: `prefetch token {{${token}}} is not a root-level context field` };
  }
  let value: unknown = context;
  for (const part of path) {
    value = isRecord(value) ? ownField(value, part) : undefined;
  }
  const text = primitiveText(value);
  if (text === undefined) return { error: `prefetch token {{${token}}} has no value in the context` };
  return { value: text };
}

function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Percent-encodes a value for a path segment or query parameter. A relative reference ("Practitioner/123",
 * the form of `context.userId`) keeps its one slash, as the spec's `"user": "{{context.userId}}"` read needs.
 */
function encodeValue(value: string): string | undefined {
  try {
    const reference = /^([A-Z][A-Za-z]+)\/([^/]+)$/.exec(value);
    if (reference !== null) {
      return `${encodeURIComponent(reference[1]!)}/${encodeURIComponent(reference[2]!)}`;
    }
    return encodeURIComponent(value);
  } catch {
    // Lone surrogates have no UTF-8 form.
    return undefined;
  }
}

/** Own properties only: "{{context.constructor}}" must not reach the prototype. */
function ownField(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
