/**
 * HLA allele names (IMGT/HLA) and GL Strings (http://glstring.org).
 *
 * GL String operators, loosest first: `^` loci, `|` alternative genotypes, `+` the copies of a genotype,
 * `~` alleles in cis across loci, `/` alternative alleles of one copy.
 */

export interface HlaAllele {
  /** "HLA-B"; undefined when the name came without a locus ("*57:01"). */
  locus?: string;
  /** Without the locus: "*57:01:01G". */
  name: string;
  /** An NMDP multiple-allele code ("*57:AB"): a list of alleles we cannot expand. */
  code: boolean;
}

const FIELD = /^\d{2,4}$/;

const BARE_LOCUS = /^(?:A|B|C|E|F|G|DRA|DRB\d|DQA\d|DQB\d|DPA\d|DPB\d|DMA|DMB|DOA|DOB)$/i;

/** "HLA-B*57:01:01G", "B*57:01", "*5701", "A*24:02" → allele; anything else → undefined. */
export function normaliseHlaAllele(value: string): HlaAllele | undefined {
  const m = /^\s*(?:HLA-([A-Za-z]+\d*)|([A-Za-z]+\d*))?\s*\*\s*([0-9A-Za-z:]+)\s*$/.exec(value);
  if (!m) return undefined;
  // Without "HLA-" only the HLA locus names count ("B*57:01"), so "CYP2C19*17" is not read as a locus.
  if (m[2] !== undefined && !BARE_LOCUS.test(m[2])) return undefined;
  const bare = m[1] ?? m[2];
  const locus = bare !== undefined ? `HLA-${bare.toUpperCase()}` : undefined;
  let rest = m[3]!;
  let suffix = '';
  const expr = /^(.*\d)([NLSCAQG])$/.exec(rest);
  if (expr) {
    rest = expr[1]!;
    suffix = expr[2]!;
  }
  let fields = rest.split(':');
  // Old four-digit writing without a colon: "5701" → "57:01".
  if (fields.length === 1 && /^\d{4}$/.test(fields[0]!))
    fields = [fields[0]!.slice(0, 2), fields[0]!.slice(2)];
  if (fields.length > 4 || !FIELD.test(fields[0]!)) return undefined;
  let code = false;
  for (const f of fields.slice(1)) {
    if (FIELD.test(f)) continue;
    if (/^[A-Z]{2,5}$/i.test(f) && fields.length === 2 && suffix === '') {
      code = true;
      continue;
    }
    return undefined;
  }
  const name = `*${fields.map((f) => f.toUpperCase()).join(':')}${suffix}`;
  return locus !== undefined ? { locus, name, code } : { name, code };
}

/** Two-field name for allele tests: "*57:01:01G" → "*57:01", "*57" → "*57". */
export function twoField(name: string): string {
  const bare = name.replace(/^\*/, '').replace(/[NLSCAQG]$/, '');
  return `*${bare.split(':').slice(0, 2).join(':')}`;
}

export interface GlLocus {
  locus: string;
  /** One entry per copy, each with its alternatives. */
  copies: string[][];
  /** The string listed alternative genotypes (`|`): copies hold the union per position. */
  genotypeAmbiguity: boolean;
  /** Some allele was an NMDP code we cannot expand. */
  hasCode: boolean;
}

export interface GlParse {
  loci: GlLocus[];
  /** Allele names that could not be read (the locus they belong to cannot be trusted). */
  malformed: number;
  /** Loci of the malformed names, when they could still be told. */
  malformedLoci: string[];
}

/** Strips "hla#3.23.0#" (namespace and allele database version). */
function stripNamespace(value: string): string {
  const m = /^\s*[A-Za-z-]+#[^#]*#(.*)$/s.exec(value);
  return (m ? m[1]! : value).trim();
}

export function looksLikeGlString(value: string): boolean {
  return /^\s*hla#/i.test(value);
}

/** Parses a GL String into per-locus copies. Never throws. */
export function parseGlString(value: string): GlParse {
  const result: GlParse = { loci: [], malformed: 0, malformedLoci: [] };
  const body = stripNamespace(value).replace(/\s+/g, '');
  if (body === '' || body.length > 5000) {
    result.malformed++;
    return result;
  }
  // locus → alternatives → copies → alleles
  const perLocus = new Map<string, { alts: string[][][]; hasCode: boolean }>();
  for (const block of body.split('^')) {
    const alternatives = block.split('|');
    alternatives.forEach((alt, altIndex) => {
      const copies = alt.split('+');
      copies.forEach((copy, copyIndex) => {
        for (const part of copy.split('~')) {
          for (const name of part.split('/')) {
            const allele = normaliseHlaAllele(name);
            if (allele === undefined || allele.locus === undefined) {
              result.malformed++;
              const locus = /^HLA-([A-Za-z]+\d*)/i.exec(name);
              if (locus) result.malformedLoci.push(`HLA-${locus[1]!.toUpperCase()}`);
              continue;
            }
            let entry = perLocus.get(allele.locus);
            if (entry === undefined) {
              entry = { alts: [], hasCode: false };
              perLocus.set(allele.locus, entry);
            }
            if (allele.code) entry.hasCode = true;
            const altCopies = entry.alts[altIndex] ?? [];
            entry.alts[altIndex] = altCopies;
            const slot = altCopies[copyIndex] ?? [];
            altCopies[copyIndex] = slot;
            if (!slot.includes(allele.name)) slot.push(allele.name);
          }
        }
      });
    });
  }
  for (const [locus, entry] of perLocus) {
    // Same genotype written twice in different copy order is one genotype.
    const alternatives = new Map<string, string[][]>();
    for (const alt of entry.alts) {
      if (alt === undefined) continue;
      const copies = alt.filter((c): c is string[] => c !== undefined && c.length > 0);
      const key = copies
        .map((c) => [...c].sort().join('/'))
        .sort()
        .join('+');
      if (!alternatives.has(key)) alternatives.set(key, copies);
    }
    const list = [...alternatives.values()];
    const copies: string[][] = [];
    if (list.length === 1) {
      copies.push(...list[0]!.map((c) => [...c]));
    } else {
      for (const alt of list) {
        alt.forEach((c, i) => {
          const slot = copies[i] ?? [];
          copies[i] = slot;
          for (const name of c) if (!slot.includes(name)) slot.push(name);
        });
      }
    }
    result.loci.push({ locus, copies, genotypeAmbiguity: list.length > 1, hasCode: entry.hasCode });
  }
  return result;
}
