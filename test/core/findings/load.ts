/** Test inputs: the IG package's examples (a dev dependency) and our own synthetic fixtures. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GeneCall, RawFindings } from '../../../functions/core/model';

const IG_EXAMPLES = fileURLToPath(
  new URL('../../../node_modules/hl7.fhir.uv.genomics-reporting/example/', import.meta.url),
);
const FIXTURES = fileURLToPath(new URL('../../fixtures/fhir/', import.meta.url));

export function igExampleNames(): string[] {
  return readdirSync(IG_EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function igExample(name: string): unknown {
  return JSON.parse(readFileSync(`${IG_EXAMPLES}${name}.json`, 'utf8'));
}

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8'));
}

/** The one call for a gene, failing loudly when there is not exactly one. */
export function onlyCall(findings: RawFindings, gene: string): GeneCall {
  const calls = findings.calls.filter((c) => c.gene === gene);
  if (calls.length !== 1) throw new Error(`expected one ${gene} call, found ${calls.length}`);
  return calls[0]!;
}

export function issueTexts(findings: RawFindings): string[] {
  return findings.issues.map((i) => `${i.resource ?? '-'}: ${i.message}`);
}
