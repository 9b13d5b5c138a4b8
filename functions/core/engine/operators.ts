/**
 * Operators CPIC's model needs beyond json-rules-engine's own. Each is total: a fact of the wrong type
 * gives false, so a missing value can never satisfy a condition.
 */
export const OPERATORS = {
  /** Activity score within [min, max], inclusive: CPIC advises by score ranges (CYP2D6 1.25-2.25). */
  scoreBetween: (fact: unknown, range: unknown): boolean =>
    typeof fact === 'number' &&
    Array.isArray(range) &&
    range.length === 2 &&
    typeof range[0] === 'number' &&
    typeof range[1] === 'number' &&
    fact >= range[0] &&
    fact <= range[1],
  /** Any element in common: "one of these drugs is already prescribed". */
  intersects: (fact: unknown, values: unknown): boolean =>
    Array.isArray(fact) && Array.isArray(values) && fact.some((item) => values.includes(item)),
} satisfies Record<string, (fact: unknown, value: unknown) => boolean>;
