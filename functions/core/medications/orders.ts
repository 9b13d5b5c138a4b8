/**
 * Reads draft MedicationRequests (CDS Hooks `draftOrders`, a Bundle, or a list) into `Order`s: the ingredients each
 * order contains, how each was recognised, and the codes nothing recognised. Never throws on malformed input: an
 * order with nothing recognisable still appears, with no ingredients, so the caller can say "not recognised".
 */
import type { Order } from '../model';
import type { CodeSystemKind, DrugVocabulary } from './vocabulary';

/**
 * Looks up a Medication (or Substance) that is neither contained nor in the same Bundle, e.g. from prefetch or from
 * resources the caller fetched beforehand (see `unresolvedMedicationReferences`). `from` is the resource holding the
 * reference. Return undefined when unknown. Synchronous: fetch first, then read.
 */
export type MedicationResolver = (reference: string, from: unknown) => unknown;

type Json = Record<string, unknown>;
type MatchMethod = Order['matchedBy'][string];

const METHOD_RANK: Record<MatchMethod, number> = { rxnorm: 0, atc: 1, snomed: 2, name: 3 };
/** How deep Medication → ingredient → Medication references are followed. */
const MAX_DEPTH = 4;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A resource with where it came from: its Bundle fullUrl, if any. */
interface Located {
  resource: Json;
  fullUrl?: string;
}

/** Flattens the accepted input shapes: a Bundle, a Bundle entry, a resource, or a list of any of these. */
function collect(input: unknown, out: Located[], depth = 0): void {
  if (depth > 3) return;
  if (Array.isArray(input)) {
    for (const item of input) collect(item, out, depth + 1);
    return;
  }
  if (!isObject(input)) return;
  if (input.resourceType === 'Bundle') {
    for (const entry of arr(input.entry)) {
      if (!isObject(entry)) continue;
      if (isObject(entry.resource)) {
        if (entry.resource.resourceType === 'Bundle') collect(entry.resource, out, depth + 1);
        else
          out.push({
            resource: entry.resource,
            ...(str(entry.fullUrl) ? { fullUrl: entry.fullUrl as string } : {}),
          });
      }
    }
    return;
  }
  if (isObject(input.resource) && typeof input.resourceType !== 'string') {
    collect({ resourceType: 'Bundle', entry: [input] }, out, depth + 1);
    return;
  }
  if (typeof input.resourceType === 'string') out.push({ resource: input });
}

/** "Medication/123" for absolute, relative and versioned references; undefined for anything else. */
function relativeRef(ref: string): string | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,256})(?:\/_history\/[^/]+)?$/.exec(ref.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function indexResources(located: Located[]): Map<string, Json> {
  const index = new Map<string, Json>();
  for (const { resource, fullUrl } of located) {
    if (fullUrl) index.set(fullUrl, resource);
    const type = str(resource.resourceType);
    const id = str(resource.id);
    if (type && id) {
      const key = `${type}/${id}`;
      if (!index.has(key)) index.set(key, resource);
    }
  }
  return index;
}

interface Context {
  vocabulary: DrugVocabulary;
  bundle: Map<string, Json>;
  resolve?: MedicationResolver;
}

/** Accumulates what one order yields. */
class Findings {
  readonly matchedBy = new Map<string, MatchMethod>();
  readonly unmatched = new Set<string>();
  readonly texts: string[] = [];

  add(ingredients: string[], method: MatchMethod): void {
    for (const key of ingredients) {
      const was = this.matchedBy.get(key);
      if (was === undefined || METHOD_RANK[method] < METHOD_RANK[was]) this.matchedBy.set(key, method);
    }
  }

  text(t: unknown): void {
    const s = str(t);
    if (s && !this.texts.includes(s)) this.texts.push(s);
  }
}

function methodOf(kind: CodeSystemKind): MatchMethod {
  switch (kind) {
    case 'rxnorm':
      return 'rxnorm';
    case 'atc':
      return 'atc';
    case 'snomed':
      return 'snomed';
  }
}

function readCodeableConcept(cc: unknown, ctx: Context, f: Findings): void {
  if (!isObject(cc)) return;
  // The concept's text is what the prescriber saw; it comes before the codings' displays.
  f.text(cc.text);
  for (const coding of arr(cc.coding)) {
    if (!isObject(coding)) continue;
    const code = typeof coding.code === 'string' ? coding.code.trim() : undefined;
    const system = typeof coding.system === 'string' ? coding.system : undefined;
    if (code) {
      const match = ctx.vocabulary.lookupCoding(system, code);
      if (match && match.ingredients.length > 0) f.add(match.ingredients, methodOf(match.system));
      else f.unmatched.add(`${system ?? ''}|${code}`);
    }
    f.text(coding.display);
  }
}

function findContained(holder: Json, ref: string): Json | undefined {
  const id = ref.slice(1);
  for (const c of arr(holder.contained)) {
    if (isObject(c) && (c.id === id || c.id === ref)) return c;
  }
  return undefined;
}

function resolveReference(ref: unknown, holder: Json, root: Json, ctx: Context): Json | undefined {
  if (!isObject(ref)) return undefined;
  const reference = str(ref.reference);
  if (!reference) return undefined;
  if (reference.startsWith('#')) return findContained(holder, reference) ?? findContained(root, reference);
  const direct = ctx.bundle.get(reference.trim());
  if (direct) return direct;
  const relative = relativeRef(reference);
  const viaBundle = relative ? ctx.bundle.get(relative) : undefined;
  if (viaBundle) return viaBundle;
  if (!ctx.resolve) return undefined;
  try {
    const got = ctx.resolve(reference, holder);
    return isObject(got) ? got : undefined;
  } catch {
    // A failing resolver makes the reference unresolved, never the whole read.
    return undefined;
  }
}

/** Medication (code, ingredients) or Substance (code). */
function readMedication(
  med: Json,
  root: Json,
  ctx: Context,
  f: Findings,
  depth: number,
  seen: Set<Json>,
): void {
  if (depth > MAX_DEPTH || seen.has(med)) return;
  seen.add(med);
  readCodeableConcept(med.code, ctx, f);
  for (const ing of arr(med.ingredient)) {
    if (!isObject(ing)) continue;
    // R4: itemCodeableConcept / itemReference; R5: item { concept, reference }; Substance: ingredient[].substance*.
    const item = isObject(ing.item) ? ing.item : undefined;
    for (const cc of [ing.itemCodeableConcept, ing.substanceCodeableConcept, item?.concept])
      readCodeableConcept(cc, ctx, f);
    for (const ref of [ing.itemReference, ing.substanceReference, item?.reference]) {
      if (!isObject(ref)) continue;
      f.text(ref.display);
      const target = resolveReference(ref, med, root, ctx);
      if (target) readMedication(target, root, ctx, f, depth + 1, seen);
    }
  }
}

function narrativeText(resource: Json): string | undefined {
  const div = isObject(resource.text) ? str(resource.text.div) : undefined;
  return div
    ?.replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .trim();
}

function readRequest(request: Json, index: number, ctx: Context): Order {
  const f = new Findings();
  const id = str(request.id) ?? `medication-request-${index + 1}`;
  // R4/STU3 medicationCodeableConcept / medicationReference; R5 medication { concept, reference }.
  const r5 = isObject(request.medication) ? request.medication : undefined;
  readCodeableConcept(request.medicationCodeableConcept, ctx, f);
  readCodeableConcept(r5?.concept, ctx, f);
  for (const ref of [request.medicationReference, r5?.reference]) {
    if (!isObject(ref)) continue;
    f.text(ref.display);
    const med = resolveReference(ref, request, request, ctx);
    if (med) readMedication(med, request, ctx, f, 1, new Set());
  }

  // Names are matched in every text the order carries: an unmapped (or mapped) code never hides a name.
  for (const t of f.texts) f.add(ctx.vocabulary.ingredientsInText(t), 'name');
  const narrative = narrativeText(request);
  if (f.matchedBy.size === 0 && narrative) f.add(ctx.vocabulary.ingredientsInText(narrative), 'name');

  const ingredients = [...f.matchedBy.keys()].sort();
  const matchedBy: Record<string, MatchMethod> = {};
  for (const key of ingredients) matchedBy[key] = f.matchedBy.get(key) as MatchMethod;
  return {
    id,
    display: f.texts[0] ?? narrative ?? 'Medication not stated',
    ingredients,
    matchedBy,
    unmatchedCodes: [...f.unmatched].sort(),
  };
}

function emptyOrder(request: unknown, index: number): Order {
  const id = isObject(request) ? str(request.id) : undefined;
  return {
    id: id ?? `medication-request-${index + 1}`,
    display: 'Medication not stated',
    ingredients: [],
    matchedBy: {},
    unmatchedCodes: [],
  };
}

/**
 * One `Order` per MedicationRequest in `input` (a draftOrders Bundle, a list of resources or Bundle entries, or a
 * single resource), in input order. Other resource types are ignored but can be referenced: a Medication anywhere in
 * the input is found by `Medication/<id>` or by its entry's fullUrl (`urn:uuid:...`).
 */
export function readOrders(
  input: unknown,
  vocabulary: DrugVocabulary,
  resolveMedication?: MedicationResolver,
): Order[] {
  const located: Located[] = [];
  try {
    collect(input, located);
  } catch {
    return [];
  }
  const ctx: Context = {
    vocabulary,
    bundle: indexResources(located),
    ...(resolveMedication ? { resolve: resolveMedication } : {}),
  };
  const orders: Order[] = [];
  let index = 0;
  for (const { resource } of located) {
    if (resource.resourceType !== 'MedicationRequest') continue;
    try {
      orders.push(readRequest(resource, index, ctx));
    } catch {
      orders.push(emptyOrder(resource, index));
    }
    index += 1;
  }
  return orders;
}

/**
 * The medicationReferences in `input` that are neither contained nor in the input itself: what a caller must fetch
 * (from prefetch or the FHIR server) before `readOrders`, so the resolver can stay synchronous.
 */
export function unresolvedMedicationReferences(input: unknown): string[] {
  const located: Located[] = [];
  try {
    collect(input, located);
  } catch {
    return [];
  }
  const bundle = indexResources(located);
  const missing = new Set<string>();
  const visit = (ref: unknown) => {
    if (!isObject(ref)) return;
    const reference = str(ref.reference);
    if (!reference || reference.startsWith('#')) return;
    const relative = relativeRef(reference);
    if (bundle.has(reference.trim()) || (relative && bundle.has(relative))) return;
    missing.add(reference.trim());
  };
  for (const { resource } of located) {
    if (resource.resourceType === 'MedicationRequest') {
      visit(resource.medicationReference);
      if (isObject(resource.medication)) visit(resource.medication.reference);
    }
    if (resource.resourceType === 'Medication') {
      for (const ing of arr(resource.ingredient)) {
        if (!isObject(ing)) continue;
        visit(ing.itemReference);
        if (isObject(ing.item)) visit(ing.item.reference);
      }
    }
  }
  return [...missing].sort();
}
