/** Properties over generated input: derivation never throws, and an unknown allele never reads as normal. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { GeneCall, RawFindings } from '../../../functions/core/model';
import { deriveGeneResults } from '../../../functions/core/phenotypes/derive';
import { loadTables } from './load-tables';

const tables = loadTables();
const genes = [...tables.keys()];
const diplotypeGenes = [...tables.values()].filter((t) => t.model !== 'risk-allele');

const knownAllele = (gene: string): fc.Arbitrary<string> => {
  const names = tables.get(gene)!.alleles.map((a) => a.name.replace(/\s+/g, ''));
  return fc.constantFrom(...names);
};

// Names no table lists: star numbers far beyond any assigned, or a junk suffix.
const unknownAllele = fc.oneof(
  fc.integer({ min: 10_000, max: 99_999 }).map((n) => `*${n}`),
  fc.integer({ min: 10_000, max: 99_999 }).map((n) => `*${n}.001`),
  fc.stringMatching(/^[a-z]{3,8}$/).map((s) => `zz${s}`),
  fc.integer({ min: 10_000, max: 99_999 }).map((n) => `c.${n}A>G`),
);

const anyCall = fc.record(
  {
    gene: fc.oneof(fc.constantFrom(...genes), fc.string()),
    origin: fc.constantFrom('germline', 'somatic', 'unknown', 'other'),
    diplotype: fc.oneof(
      fc.string(),
      fc.array(fc.oneof(unknownAllele, fc.string()), { maxLength: 4 }).map((a) => a.join('/')),
    ),
    hla: fc.record({ copies: fc.array(fc.array(fc.string(), { maxLength: 3 }), { maxLength: 3 }) }),
    alleleTests: fc.dictionary(fc.string(), fc.constantFrom('positive', 'negative', 'indeterminate', 'x')),
    reportedPhenotype: fc.oneof(fc.string(), fc.constantFrom('Poor Metabolizer', 'Normal', 'Indeterminate')),
    reportedActivityScore: fc.oneof(fc.string(), fc.double(), fc.constantFrom('1.5', '≥3')),
    variants: fc.array(fc.oneof(fc.string(), unknownAllele), { maxLength: 4 }),
    indeterminate: fc.boolean(),
    sources: fc.array(fc.record({ resourceType: fc.string(), id: fc.string(), shape: fc.constant('stu3') }), {
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
);

const anyVariant = fc.record(
  {
    gene: fc.constantFrom('DPYD', 'RYR1', 'CACNA1S', 'MT-RNR1', 'VKORC1', 'CYP2C19'),
    ids: fc.array(fc.oneof(fc.string(), fc.constantFrom('rs3918290', 'rs9923231', 'rs267606617')), {
      maxLength: 2,
    }),
    hgvs: fc.record({ c: fc.string(), g: fc.string(), p: fc.string() }, { requiredKeys: [] }),
    presence: fc.constantFrom('present', 'absent', 'no-call', 'indeterminate', 'x'),
    zygosity: fc.constantFrom('heterozygous', 'homozygous', 'hemizygous', 'unknown', 'x'),
    significance: fc.constantFrom('pathogenic', 'uncertain', 'benign', 'unknown', 'x'),
    origin: fc.constantFrom('germline', 'somatic'),
  },
  { requiredKeys: [] },
);

describe('deriveGeneResults properties', () => {
  test('never throws, and every result has a lookup key and a valid status', () => {
    fc.assert(
      fc.property(
        fc.array(anyCall, { maxLength: 5 }),
        fc.array(anyVariant, { maxLength: 5 }),
        (calls, variants) => {
          const raw = { calls, variants, conditions: [], issues: [] } as unknown as RawFindings;
          for (const r of deriveGeneResults(raw, tables)) {
            expect(['called', 'indeterminate', 'conflict']).toContain(r.status);
            expect(r.lookupKey).not.toBe('');
            if (r.status !== 'called') expect(r.lookupKey).toBe('Indeterminate');
            // The last-resort guard in derive must not be what kept it from throwing.
            expect(r.notes.join(' ')).not.toContain('internal error');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        deriveGeneResults(raw as RawFindings, tables);
        deriveGeneResults({ calls: [raw], variants: [raw] } as unknown as RawFindings, tables);
      }),
      { numRuns: 300 },
    );
  });

  test('an unknown allele never yields a called, normal result', () => {
    const arb = fc.constantFrom(...diplotypeGenes.map((t) => t.gene)).chain((gene) =>
      fc.record({
        gene: fc.constant(gene),
        known: knownAllele(gene),
        unknown: unknownAllele,
        order: fc.boolean(),
        asVariants: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ gene, known, unknown, order, asVariants }) => {
        const haploid = tables.get(gene)!.ploidy === 'haploid';
        const alleles = haploid ? [unknown] : order ? [known, unknown] : [unknown, known];
        const call: GeneCall = asVariants
          ? { gene, origin: 'germline', variants: [unknown], sources: [] }
          : { gene, origin: 'germline', diplotype: alleles.join('/'), sources: [] };
        const [r] = deriveGeneResults({ calls: [call], variants: [], conditions: [], issues: [] }, tables);
        expect(r?.status).not.toBe('called');
        expect(r?.phenotype ?? '').not.toMatch(/normal/i);
        expect(r?.lookupKey).toBe('Indeterminate');
      }),
      { numRuns: 500 },
    );
  });
});
