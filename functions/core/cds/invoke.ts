import { evaluate } from '../engine/evaluate';
import { readFindings } from '../findings/read-findings';
import { readOrders } from '../medications/orders';
import type { Order, Recommendation } from '../model';
import { interpretFindings, type PreparedRuleSet } from '../pipeline';
import type { AuditStore, Clock, FhirSourceFactory, Ids, Log, Metrics, RuleSetProvider } from '../ports';
import {
  type AcknowledgementLookup,
  type LookupResult,
  lookUpAcknowledgements,
  type Suppression,
  suppressAcknowledged,
  windowStart,
} from './acknowledgements';
import { type Card, failedCheckCard, PROVENANCE_KEY, renderCards } from './cards';
import { type FhirData, type Gathered, gatherPrefetch } from './gather';
import { profileCards } from './patient-view';
import { type CdsRequest, checkRequest } from './request';
import { type ServiceDefinition, serviceById } from './services';

export interface CdsDependencies {
  ruleSets: RuleSetProvider;
  fhir: FhirSourceFactory;
  audit: AuditStore;
  clock: Clock;
  ids: Ids;
  metrics: Metrics;
  log: Log;
  /** HMAC of the patient id with the configured secret: the audit trail's pseudonymous key. */
  pseudonymise: (patientId: string) => string;
  /** Time budget for fetching everything prefetch did not supply (CDS Hooks answers within ~500 ms). */
  fetchBudgetMs: number;
  /** How long the answer may wait for the audit write (default 0: it never waits). */
  auditBudgetMs?: number;
  /**
   * order-sign leaves out a card the clinician dismissed at order-select (acknowledgements.ts); absent or a
   * window of 0: every card is shown.
   */
  acknowledgements?: AcknowledgementLookup;
  smartLaunchUrl?: string;
  /**
   * Refuse a plain-http fhirServer (except loopback): the EHR's access token would travel in clear. On when
   * trusted CDS clients are configured; development mode accepts the spec's own http examples.
   */
  requireHttpsFhirServer?: boolean;
}

/** The outcome of a call, mapped to HTTP in one place (functions/http/outcome.ts). */
export type CdsOutcome =
  | { kind: 'cards'; cards: Card[] }
  | { kind: 'rejected'; status: 400 | 404 | 412; problem: string };

/** Who called, as the HTTP layer established it. */
export interface Caller {
  authenticated: boolean;
  tenant?: string;
}

/** Lets an authenticated caller reproduce a past decision with a named published rule-set version. */
export const RULE_SET_VERSION_EXTENSION = 'org.tailor-cds.rule-set-version';

/** One CDS Hooks service call: validate, gather, read, evaluate, render, record. */
export async function invokeService(
  serviceId: string,
  body: unknown,
  caller: Caller,
  deps: CdsDependencies,
): Promise<CdsOutcome> {
  const started = deps.clock.now().getTime();
  const service = serviceById(serviceId);
  if (!service) return { kind: 'rejected', status: 404, problem: `no CDS service "${serviceId}"` };
  const checked = checkRequest(body, service, {
    requireHttpsFhirServer: deps.requireHttpsFhirServer ?? false,
  });
  if (!checked.ok) return { kind: 'rejected', status: 400, problem: checked.problem };
  const request = checked.request;

  const requestedVersion = request.extension?.[RULE_SET_VERSION_EXTENSION];
  if (requestedVersion !== undefined && (typeof requestedVersion !== 'string' || !caller.authenticated)) {
    return {
      kind: 'rejected',
      status: 400,
      problem: `${RULE_SET_VERSION_EXTENSION} must be a version string and needs an authenticated caller`,
    };
  }

  const patientKey = deps.pseudonymise(request.context.patientId);
  // Started now, beside the gathering, so it costs the answer (almost) no time; bounded by its own budget.
  const ackLookup = deps.acknowledgements;
  const acknowledged =
    service.hook === 'order-sign' && ackLookup && ackLookup.windowMs > 0
      ? lookUpAcknowledgements(ackLookup, patientKey, new Date(started))
      : undefined;

  const gathered = await gatherPrefetch(service, request, deps).catch(
    (): Gathered => ({ kind: 'failed', reason: "the EHR's FHIR server could not be read" }),
  );
  if (gathered.kind === 'unfetchable') return { kind: 'rejected', status: 412, problem: gathered.problem };

  let cards: Card[];
  let recommendations: Recommendation[] = [];
  let ruleSetVersion = 'unknown';
  let outcome: 'answered' | 'failed-check' = 'answered';
  try {
    if (gathered.kind === 'failed') throw new CheckFailedError(gathered.reason);
    const ruleSet = await (typeof requestedVersion === 'string'
      ? deps.ruleSets.version(requestedVersion)
      : deps.ruleSets.current());
    ruleSetVersion = ruleSet.kb.version;
    const result = await assess(service, request, gathered.data, ruleSet, deps);
    cards = result.cards;
    recommendations = result.recommendations;
  } catch (error) {
    outcome = 'failed-check';
    const reason = error instanceof CheckFailedError ? error.message : 'the rules could not be evaluated';
    deps.log.error('genomic check failed', { service: service.id, reason, error: errorName(error) });
    deps.metrics.count('CheckFailed', 1, { service: service.id });
    cards = [failedCheckCard(deps.ids, reason)];
  }

  let suppressed: Suppression[] = [];
  if (outcome === 'answered' && acknowledged && ackLookup) {
    ({ cards, suppressed } = applyAcknowledgements(cards, await acknowledged, {
      patientKey,
      since: windowStart(ackLookup, new Date(started)),
      ...(caller.tenant ? { tenant: caller.tenant } : {}),
      service: service.id,
      deps,
    }));
  }

  const durationMs = deps.clock.now().getTime() - started;
  deps.metrics.timing('EvaluationTime', durationMs, { service: service.id });
  await recordAudit(deps, {
    patientKey,
    hook: service.hook,
    hookInstance: request.hookInstance,
    service: service.id,
    ruleSetVersion,
    firedRules: [...new Set(recommendations.map((r) => `${r.ruleId}@${r.ruleVersion}`))],
    cardUuids: cards.map((c) => c.uuid),
    cards: cards.flatMap((card) => {
      const p = card.extension?.[PROVENANCE_KEY] as
        | {
            ruleId?: string;
            ruleVersion?: string;
            action?: string;
            classification?: string;
            orderId?: string;
          }
        | undefined;
      return p?.ruleId
        ? [
            {
              uuid: card.uuid,
              ruleId: p.ruleId,
              ruleVersion: p.ruleVersion ?? '',
              action: p.action ?? '',
              ...(p.classification ? { classification: p.classification } : {}),
              ...(p.orderId ? { orderId: p.orderId } : {}),
            },
          ]
        : [];
    }),
    outcome,
    durationMs,
    at: new Date(started).toISOString(),
    ...(caller.tenant ? { tenant: caller.tenant } : {}),
    ...(suppressed.length > 0 ? { suppressed } : {}),
  });
  deps.log.info('cds call answered', {
    service: service.id,
    outcome,
    ruleSetVersion,
    rules: recommendations.map((r) => `${r.ruleId}@${r.ruleVersion}:${r.action}`),
    cards: cards.length,
    ...(suppressed.length > 0 ? { suppressed: suppressed.length } : {}),
    durationMs,
  });
  return { kind: 'cards', cards };
}

/** A failed or slow lookup shows every card, with a warning (no patient data) and a metric. */
function applyAcknowledgements(
  cards: Card[],
  lookup: LookupResult,
  scope: { patientKey: string; since: string; tenant?: string; service: string; deps: CdsDependencies },
): { cards: Card[]; suppressed: Suppression[] } {
  const { deps, service } = scope;
  if (!lookup.ok) {
    deps.log.warn('acknowledgement lookup failed: every card shown', { service, error: lookup.error });
    deps.metrics.count('AcknowledgementLookupFailed', 1, { service });
    return { cards, suppressed: [] };
  }
  const { shown, suppressed } = suppressAcknowledged(cards, lookup.acknowledgements, scope);
  if (suppressed.length > 0) deps.metrics.count('CardsSuppressed', suppressed.length, { service });
  return { cards: shown, suppressed };
}

class CheckFailedError extends Error {
  override name = 'CheckFailedError';
}

async function assess(
  service: ServiceDefinition,
  request: CdsRequest,
  data: FhirData,
  ruleSet: PreparedRuleSet,
  deps: CdsDependencies,
): Promise<{ cards: Card[]; recommendations: Recommendation[] }> {
  const findings = interpretFindings(readFindings(data.patientResources), ruleSet);
  const resolve = (reference: string) => data.medications.get(reference);
  const active = readOrders(data.activeMedications, ruleSet.drugs, resolve);
  const draft = request.context.draftOrders
    ? readOrders(request.context.draftOrders, ruleSet.drugs, resolve)
    : [];
  const selections = new Set(
    (request.context.selections ?? []).map((ref) => ref.replace(/^MedicationRequest\//, '')),
  );
  const orders: Order[] =
    service.hook === 'order-select'
      ? draft.filter((o) => selections.has(o.id))
      : service.hook === 'order-sign'
        ? draft
        : active;
  const draftIds = new Set(draft.map((o) => o.id));
  const activeMedications = active.filter((o) => !draftIds.has(o.id)).flatMap((o) => o.ingredients);
  const recommendations = await evaluate(ruleSet.compiled, findings, orders, {
    activeMedications: service.hook === 'patient-view' ? [] : activeMedications,
  });
  const cardContext = {
    findings,
    orders,
    drugs: ruleSet.drugs,
    ruleTitle: (id: string) => ruleSet.compiled.rules.get(id)?.title,
    ids: deps.ids,
    patientId: request.context.patientId,
    ...(request.context.encounterId ? { encounterId: request.context.encounterId } : {}),
    ...(deps.smartLaunchUrl ? { smartLaunchUrl: deps.smartLaunchUrl } : {}),
  };
  if (service.hook !== 'patient-view')
    return { cards: renderCards(recommendations, cardContext), recommendations };
  // patient-view: alerts for the medications the patient takes, then the profile of actionable findings.
  const alerts = recommendations.filter((r) => r.action !== 'standard' && r.action !== 'not-tested');
  const profile = await profileCards(findings, ruleSet, cardContext);
  return { cards: [...renderCards(alerts, cardContext), ...profile], recommendations: alerts };
}

/**
 * The audit write never fails the answer, and delays it at most auditBudgetMs (default 0: not at all). Lambda
 * may give it a small budget so the write usually lands before the environment is frozen.
 */
async function recordAudit(deps: CdsDependencies, entry: Parameters<AuditStore['record']>[0]): Promise<void> {
  const write = deps.audit.record(entry).catch((error: unknown) => {
    deps.log.error('audit write failed', { service: entry.service, error: errorName(error) });
    deps.metrics.count('AuditWriteFailed', 1, { service: entry.service });
  });
  const budget = deps.auditBudgetMs ?? 0;
  if (budget <= 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([write, new Promise<void>((resolve) => (timer = setTimeout(resolve, budget)))]);
  clearTimeout(timer);
}

/** Error class names only: messages may echo request content. */
function errorName(error: unknown): string {
  return error instanceof Error
    ? `${error.name}${'code' in error ? `:${String(error.code)}` : ''}`
    : typeof error;
}
