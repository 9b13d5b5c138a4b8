import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { IdTokenVerifier } from '../adapters/auth/smart-id-token';
import { bySeverity, evaluate } from '../core/engine/evaluate';
import type { Findings, Order, Recommendation } from '../core/model';
import { assessResources, ordersForEveryRuleDrug, type PreparedRuleSet } from '../core/pipeline';
import type { AuditStore, Clock, Ids, Log, Metrics, RuleSetProvider } from '../core/ports';
import { respond } from './outcome';

/**
 * The service API of Tailor's SMART app. The app sends the FHIR resources it read from the EHR (with the
 * user's SMART authorization) and gets back what the same core, with the same active rule-set version as
 * the CDS cards, makes of them. Every call must carry the `id_token` the EHR issued to the app.
 */

/** POST /api/assessment */
export interface AssessmentRequest {
  /** FHIR resources (or searchset Bundles): Patient, genomic Observations and DiagnosticReports, Conditions, MedicationRequests (and their Medications). */
  resources: unknown[];
  /** "What if I prescribe X?": ingredient keys (from GET /api/drugs) or free text naming drugs. */
  drugs?: string[];
}

export interface AppRecommendation extends Recommendation {
  /** The ingredient's display name. */
  drugName: string;
  /** The rule's title, when the rule is in the rule set (engine outcomes have none). */
  ruleTitle?: string;
}

export interface DrugLookup {
  /** The look-up as asked. */
  query: string;
  /** Ingredient keys recognised in it; empty when nothing was recognised. */
  ingredients: string[];
  /** Ingredients recognised that no rule concerns (no genomic guidance, which is not "safe"). */
  withoutRules: string[];
  recommendations: AppRecommendation[];
}

export interface AssessmentResponse {
  ruleSetVersion: string;
  /** Whether any genomic result (gene result, variant or genomic diagnosis) was read: false means "not tested". */
  tested: boolean;
  findings: Findings;
  /** The current medications, as orders. */
  orders: Order[];
  /** For the current medications. */
  recommendations: AppRecommendation[];
  /**
   * Every drug whose advice the patient's genomic results change (avoid, use an alternative, adjust the dose,
   * monitor, or indeterminate), found by evaluating each drug the rules concern, as the patient-view profile does.
   */
  affected: AppRecommendation[];
  lookups: DrugLookup[];
}

/** GET /api/drugs */
export interface DrugListResponse {
  ruleSetVersion: string;
  drugs: { key: string; name: string; aliases: string[]; hasRules: boolean }[];
}

export interface AppApiDependencies {
  ruleSets: RuleSetProvider;
  log: Log;
  metrics: Metrics;
  clock: Clock;
  ids: Ids;
  /** Absent: no SMART issuer is configured, and every call is refused. */
  verifyIdToken?: IdTokenVerifier;
  audit?: AuditStore;
  pseudonymise?: (patientId: string) => string;
  maxBodyBytes?: number;
}

const FIVE_MB = 5 * 1024 * 1024;
/** What counts as "affected": advice that differs from standard prescribing, or cannot be given. */
const AFFECTED: ReadonlySet<Recommendation['action']> = new Set([
  'avoid',
  'use-alternative',
  'adjust-dose',
  'monitor',
  'indeterminate',
]);
const MAX_LOOKUPS = 20;
const MAX_LOOKUP_LENGTH = 200;
export const APP_SERVICE_ID = 'tailor-smart-app';

/** Adds the app's routes under /api to the service's Hono app. */
export function mountAppApi(app: Hono, deps: AppApiDependencies): void {
  // Bearer tokens, never cookies: any origin may call (the app may be hosted apart from the API).
  app.use(
    '/api/*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }),
  );
  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes ?? FIVE_MB,
    onError: (c) => respond(c, { kind: 'too-large' }),
  });

  const authenticated = async (c: Context): Promise<boolean> => {
    if (!deps.verifyIdToken) {
      deps.log.warn('app call rejected', { reason: 'no-smart-issuers', path: c.req.path });
      deps.metrics.count('AppAuthRejected', 1);
      return false;
    }
    const result = await deps.verifyIdToken(c.req.header('authorization'));
    if (!result.ok) {
      deps.log.warn('app call rejected', { reason: result.reason, path: c.req.path });
      deps.metrics.count('AppAuthRejected', 1);
    }
    return result.ok;
  };

  app.get('/api/drugs', async (c) => {
    if (!(await authenticated(c))) return respond(c, { kind: 'unauthorized' });
    const ruleSet = await currentRuleSet(deps);
    if (!ruleSet)
      return respond(c, { kind: 'problem', status: 500, problem: 'the rules could not be loaded' });
    return respond(c, { kind: 'json', status: 200, body: drugList(ruleSet) });
  });

  app.post('/api/assessment', limit, async (c) => {
    // Authentication before the body is even parsed: an unauthenticated call gets nothing done.
    if (!(await authenticated(c))) return respond(c, { kind: 'unauthorized' });
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return respond(c, { kind: 'problem', status: 400, problem: 'the body is not valid JSON' });
    }
    const checked = checkAssessmentRequest(body);
    if (typeof checked === 'string') return respond(c, { kind: 'problem', status: 400, problem: checked });
    const started = deps.clock.now().getTime();
    const ruleSet = await currentRuleSet(deps);
    if (!ruleSet)
      return respond(c, { kind: 'problem', status: 500, problem: 'the rules could not be loaded' });
    let answer: AssessmentResponse;
    try {
      answer = await buildAssessment(checked, ruleSet);
    } catch (error) {
      deps.log.error('app assessment failed', { error: error instanceof Error ? error.name : typeof error });
      deps.metrics.count('AppAssessmentFailed', 1);
      return respond(c, { kind: 'problem', status: 500, problem: 'the rules could not be evaluated' });
    }
    const durationMs = deps.clock.now().getTime() - started;
    deps.metrics.timing('AppAssessmentTime', durationMs);
    await recordAudit(deps, checked, answer, started, durationMs);
    deps.log.info('app assessment answered', {
      ruleSetVersion: answer.ruleSetVersion,
      rules: answer.recommendations.map((r) => `${r.ruleId}@${r.ruleVersion}:${r.action}`),
      lookups: answer.lookups.length,
      durationMs,
    });
    return respond(c, { kind: 'json', status: 200, body: answer });
  });

  app.on(['PUT', 'PATCH', 'DELETE'], '/api/drugs', (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'GET, OPTIONS' }),
  );
  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], '/api/assessment', (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'POST, OPTIONS' }),
  );
}

async function currentRuleSet(deps: AppApiDependencies): Promise<PreparedRuleSet | undefined> {
  try {
    return await deps.ruleSets.current();
  } catch (error) {
    deps.log.error('rule set unavailable', { error: error instanceof Error ? error.name : typeof error });
    deps.metrics.count('AppAssessmentFailed', 1);
    return undefined;
  }
}

/** The request, checked; or what is wrong with it. */
export function checkAssessmentRequest(body: unknown): AssessmentRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object';
  const { resources, drugs } = body as Record<string, unknown>;
  if (!Array.isArray(resources)) return 'resources must be an array of FHIR resources';
  for (const [i, resource] of resources.entries()) {
    if (typeof resource !== 'object' || resource === null || Array.isArray(resource))
      return `resources[${i}] is not a FHIR resource`;
    if (typeof (resource as { resourceType?: unknown }).resourceType !== 'string')
      return `resources[${i}] has no resourceType`;
  }
  if (drugs === undefined) return { resources };
  if (!Array.isArray(drugs)) return 'drugs must be an array of strings';
  if (drugs.length > MAX_LOOKUPS) return `at most ${MAX_LOOKUPS} drugs can be looked up at once`;
  for (const drug of drugs) {
    if (typeof drug !== 'string' || drug.trim() === '' || drug.length > MAX_LOOKUP_LENGTH)
      return `each drug must be a non-empty string of at most ${MAX_LOOKUP_LENGTH} characters`;
  }
  return { resources, drugs: drugs as string[] };
}

/**
 * The app's picture of the patient: findings, the current medications with their recommendations, and each
 * look-up as a hypothetical new order beside the current medications (so combination rules see them).
 */
export async function buildAssessment(
  request: AssessmentRequest,
  ruleSet: PreparedRuleSet,
): Promise<AssessmentResponse> {
  const { findings, orders, recommendations } = await assessResources(request.resources, ruleSet);
  const current = orders.flatMap((order) => order.ingredients);
  const lookups: DrugLookup[] = [];
  for (const [index, query] of (request.drugs ?? []).entries()) {
    const text = query.trim();
    const ingredients = ruleSet.drugs.has(text) ? [text] : ruleSet.drugs.ingredientsInText(text);
    const order: Order = {
      id: `lookup-${index + 1}`,
      display: text,
      ingredients,
      matchedBy: Object.fromEntries(ingredients.map((key) => [key, 'name' as const])),
      unmatchedCodes: [],
    };
    const found =
      ingredients.length === 0
        ? []
        : await evaluate(ruleSet.compiled, findings, [order], { activeMedications: current });
    lookups.push({
      query: text,
      ingredients,
      withoutRules: ingredients.filter((key) => ruleSet.compiled.engineFor(key) === undefined),
      recommendations: found.map((rec) => decorate(rec, ruleSet)),
    });
  }
  const profileOrders = ordersForEveryRuleDrug(ruleSet);
  // One drug at a time, beside the current medications (never beside each other).
  const affected: Recommendation[] = [];
  for (const order of profileOrders) {
    const found = await evaluate(ruleSet.compiled, findings, [order], { activeMedications: current });
    affected.push(...found.filter((rec) => AFFECTED.has(rec.action)));
  }
  return {
    ruleSetVersion: ruleSet.kb.version,
    tested:
      findings.genes.length > 0 ||
      findings.variants.length > 0 ||
      findings.conditions.some((condition) => condition.sources.some((s) => s.shape !== 'condition')),
    findings,
    orders,
    recommendations: recommendations.map((rec) => decorate(rec, ruleSet)),
    affected: affected.sort(bySeverity).map((rec) => decorate(rec, ruleSet)),
    lookups,
  };
}

function decorate(rec: Recommendation, ruleSet: PreparedRuleSet): AppRecommendation {
  const title = ruleSet.compiled.rules.get(rec.ruleId)?.title;
  return { ...rec, drugName: ruleSet.compiled.drugName(rec.drug), ...(title ? { ruleTitle: title } : {}) };
}

export function drugList(ruleSet: PreparedRuleSet): DrugListResponse {
  const drugs = ruleSet.drugs.entries
    .map((entry) => {
      const name = entry.names.en[0] ?? entry.key;
      const aliases = [...new Set([...entry.names.en, ...entry.names.da, ...(entry.brands ?? [])])].filter(
        (alias) => alias !== name,
      );
      return { key: entry.key, name, aliases, hasRules: ruleSet.compiled.engineFor(entry.key) !== undefined };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { ruleSetVersion: ruleSet.kb.version, drugs };
}

/** Pseudonymous, like the CDS audit: which rules fired for which hashed patient; never blocks the answer long. */
async function recordAudit(
  deps: AppApiDependencies,
  request: AssessmentRequest,
  answer: AssessmentResponse,
  started: number,
  durationMs: number,
): Promise<void> {
  if (!deps.audit || !deps.pseudonymise) return;
  const patient = request.resources.find(
    (r): r is { id: string } =>
      (r as { resourceType?: unknown }).resourceType === 'Patient' &&
      typeof (r as { id?: unknown }).id === 'string',
  );
  const fired = [
    ...answer.recommendations,
    ...answer.affected,
    ...answer.lookups.flatMap((l) => l.recommendations),
  ];
  const write = deps.audit
    .record({
      patientKey: patient ? deps.pseudonymise(patient.id) : 'unknown',
      hook: 'smart-app',
      hookInstance: deps.ids.uuid(),
      service: APP_SERVICE_ID,
      ruleSetVersion: answer.ruleSetVersion,
      firedRules: [...new Set(fired.map((r) => `${r.ruleId}@${r.ruleVersion}`))],
      cardUuids: [],
      cards: [],
      outcome: 'answered',
      durationMs,
      at: new Date(started).toISOString(),
    })
    .catch((error: unknown) => {
      deps.log.error('audit write failed', {
        service: APP_SERVICE_ID,
        error: error instanceof Error ? error.name : typeof error,
      });
      deps.metrics.count('AuditWriteFailed', 1, { service: APP_SERVICE_ID });
    });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([write, new Promise<void>((resolve) => (timer = setTimeout(resolve, 200)))]);
  clearTimeout(timer);
}
