/** Reading the parts of an Observation: components, value[x], links, origin, and its SourceRef. */
import type { FhirShape, Origin, SourceRef } from '../model';
import { hasLoinc, hasTbd, LOINC, originOf } from './codes';
import { type Entry, resolve } from './collect';
import type { ReadContext } from './context';
import {
  arr,
  conceptTexts,
  get,
  getRecord,
  getRecords,
  getText,
  isRecord,
  type Json,
  records,
  text,
} from './json';

export interface Component {
  code: unknown;
  /** The component's value[x] (CodeableConcept, string, Quantity...) and its type suffix. */
  value: unknown;
  valueType?: string;
}

export function valueElement(element: Json): { value: unknown; type?: string } {
  for (const key of Object.keys(element)) {
    if (key.startsWith('value') && key.length > 5) return { value: element[key], type: key.slice(5) };
  }
  return { value: undefined };
}

export function components(obs: Json): Component[] {
  return getRecords(obs, 'component').map((c) => {
    const v = valueElement(c);
    return v.type !== undefined
      ? { code: get(c, 'code'), value: v.value, valueType: v.type }
      : { code: get(c, 'code'), value: undefined };
  });
}

export function loincComponents(obs: Json, ...codes: string[]): Component[] {
  return components(obs).filter((c) => hasLoinc(c.code, ...codes));
}

export function tbdComponents(obs: Json, ...codes: string[]): Component[] {
  return components(obs).filter((c) => hasTbd(c.code, ...codes));
}

/** Texts of a value that may be a CodeableConcept or a string. */
export function valueTexts(value: unknown, type: string | undefined): string[] {
  if (type === 'String') {
    const t = text(value);
    return t !== undefined ? [t] : [];
  }
  if (type === 'CodeableConcept' || type === 'Coding') return conceptTexts(value);
  return [];
}

/** The Observation's own value as texts (valueString, valueCodeableConcept text/display/code). */
export function observationValueTexts(obs: Json): string[] {
  const v = valueElement(obs);
  return valueTexts(v.value, v.type);
}

/** The resolved targets of `derivedFrom` and `hasMember`. */
export function linked(ctx: ReadContext, entry: Entry, ...keys: ('derivedFrom' | 'hasMember')[]): Entry[] {
  const out: Entry[] = [];
  for (const key of keys) {
    for (const ref of records(get(entry.resource, key))) {
      const found = resolve(ctx.pool, entry, ref);
      if (found === undefined) continue;
      if (found.repaired) {
        ctx.issues.push({
          severity: 'warning',
          message: 'A reference matched a resource id only when case was ignored; it was followed.',
          resource: entry.label,
        });
      }
      if (!out.includes(found.entry)) out.push(found.entry);
    }
  }
  return out;
}

const GENETICS_EXT = 'http://hl7.org/fhir/StructureDefinition/observation-genetics';

/** Pre-IG "observation-genetics*" extensions by short name ("Gene", "Variant.Name", "GenomicSourceClass"). */
export function geneticsExtensions(obs: Json): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const put = (name: string, value: unknown): void => {
    out.set(name, [...(out.get(name) ?? []), value]);
  };
  for (const ext of getRecords(obs, 'extension')) {
    const url = getText(ext, 'url');
    if (url === undefined || !url.startsWith(GENETICS_EXT)) continue;
    const name = url.slice(GENETICS_EXT.length);
    const v = valueElement(ext);
    if (v.type !== undefined) put(name, v.value);
    for (const sub of getRecords(ext, 'extension')) {
      const subUrl = getText(sub, 'url');
      const sv = valueElement(sub);
      if (subUrl !== undefined && sv.type !== undefined) put(`${name}.${subUrl}`, sv.value);
    }
  }
  return out;
}

/** Germline / somatic stated on the Observation itself (48002-0 component or genetics extension). */
export function statedOrigin(obs: Json): Origin | undefined {
  for (const c of loincComponents(obs, LOINC.sourceClass)) {
    const o = originOf(c.value);
    if (o !== undefined) return o;
  }
  for (const v of geneticsExtensions(obs).get('GenomicSourceClass') ?? []) {
    const o = originOf(v);
    if (o !== undefined) return o;
  }
  return undefined;
}

/** Germline / somatic from a report's category or code ("Somatic mutation analysis", "tumor"). */
export function reportOrigin(report: Json): Origin | undefined {
  const texts = [
    ...records(get(report, 'category')).flatMap(conceptTexts),
    ...conceptTexts(get(report, 'code')),
  ]
    .join(' ')
    .toLowerCase();
  const somatic = /somatic|tumou?r/.test(texts);
  const germline = /germ-?line|constitutional|hereditary|inherited/.test(texts);
  if (somatic && !germline) return 'somatic';
  if (germline && !somatic) return 'germline';
  return undefined;
}

/**
 * An Observation's origin: stated on it; else agreed by what it was derived from; else its report's; else unknown.
 */
export function originFor(ctx: ReadContext, entry: Entry, depth = 0): Origin {
  const stated = statedOrigin(entry.resource);
  if (stated !== undefined) return stated;
  if (depth < 4) {
    const found = new Set<Origin>();
    for (const target of linked(ctx, entry, 'derivedFrom', 'hasMember')) {
      if (target.type !== 'Observation') continue;
      const o = originFor(ctx, target, depth + 1);
      if (o !== 'unknown') found.add(o);
    }
    if (found.size === 1) return [...found][0]!;
    if (found.size > 1) return 'unknown';
  }
  const report = ctx.reportOf.get(entry);
  if (report !== undefined) return reportOrigin(report.resource) ?? 'unknown';
  return 'unknown';
}

function dateOf(resource: Json): string | undefined {
  return (
    getText(resource, 'issued') ??
    getText(resource, 'effectiveDateTime') ??
    getText(resource, 'effectiveInstant') ??
    getText(getRecord(resource, 'effectivePeriod'), 'start') ??
    getText(resource, 'recordedDate') ??
    getText(resource, 'assertedDate') ??
    getText(resource, 'onsetDateTime')
  );
}

function nameOf(entry: Entry): string | undefined {
  const name = get(entry.resource, 'name');
  if (typeof name === 'string') return text(name);
  const human = records(name)[0];
  if (human === undefined) return undefined;
  const t = getText(human, 'text');
  if (t !== undefined) return t;
  const parts = [...arr(get(human, 'prefix')), ...arr(get(human, 'given')), get(human, 'family')]
    .map((p) => text(p))
    .filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** A Reference or a list of them. */
function references(value: unknown): Json[] {
  return isRecord(value) ? [value] : records(value);
}

function performerOf(ctx: ReadContext, entry: Entry, key: string): string | undefined {
  const refs = references(get(entry.resource, key));
  for (const ref of refs) {
    const display = getText(ref, 'display');
    if (display !== undefined) return display;
  }
  for (const ref of refs) {
    const found = resolve(ctx.pool, entry, ref);
    if (found === undefined) continue;
    const name = nameOf(found.entry);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** Where a finding came from: falls back to the report's date and performer when the Observation has none. */
export function sourceRef(ctx: ReadContext, entry: Entry, shape: FhirShape): SourceRef {
  const ref: SourceRef = { resourceType: entry.type, shape };
  if (entry.id !== undefined) ref.id = entry.id;
  const report = ctx.reportOf.get(entry);
  const issued = dateOf(entry.resource) ?? (report ? dateOf(report.resource) : undefined);
  if (issued !== undefined) ref.issued = issued;
  const performer =
    performerOf(ctx, entry, entry.type === 'Condition' ? 'asserter' : 'performer') ??
    (entry.type === 'Condition' ? performerOf(ctx, entry, 'recorder') : undefined) ??
    (report ? performerOf(ctx, report, 'performer') : undefined);
  if (performer !== undefined) ref.performer = performer;
  return ref;
}

/** stu1 when grouped under an STU1 report (81247-9), otherwise the current IG. */
export function baseShape(ctx: ReadContext, entry: Entry): FhirShape {
  const report = ctx.reportOf.get(entry);
  if (report !== undefined && hasLoinc(get(report.resource, 'code'), LOINC.genomicReportStu1)) return 'stu1';
  return 'stu3';
}
