import type { PreparedRuleSet } from './pipeline';

/**
 * What the core needs from the outside world, as interfaces. Adapters (functions/adapters) implement them
 * for AWS, for the local server and for tests; the core never imports an adapter.
 */

/** Time, handed in so the core is deterministic under test. */
export interface Clock {
  now(): Date;
}

/** Random identifiers (card and suggestion uuids). */
export interface Ids {
  uuid(): string;
}

/** The result of reading a FHIR query from the EHR's server. */
export type FhirFetchResult =
  | { ok: true; resources: unknown[] }
  | {
      ok: false;
      reason: 'unreachable' | 'timeout' | 'unauthorized' | 'not-found' | 'bad-response';
      status?: number;
    };

/**
 * The EHR's FHIR server as CDS Hooks describes it: `fhirServer` plus the `fhirAuthorization` bearer token.
 * `search` follows Bundle `next` links and returns every resource of every page (never the Bundles).
 */
export interface FhirSource {
  /** query is relative to the server base ("Observation?patient=123&category=laboratory") or absolute. */
  search(query: string, options: { signal: AbortSignal }): Promise<FhirFetchResult>;
  /** Reads one resource by relative reference ("Medication/abc"). */
  read(reference: string, options: { signal: AbortSignal }): Promise<FhirFetchResult>;
}

/** Builds a FhirSource for one request's server and token. */
export type FhirSourceFactory = (server: string, accessToken: string | undefined) => FhirSource;

/** One evaluation, as the audit trail keeps it: pseudonymous, no clinical values. */
export interface AuditRecord {
  /** HMAC of the patient id with a configured secret. */
  patientKey: string;
  hook: string;
  hookInstance: string;
  service: string;
  ruleSetVersion: string;
  /** Rule ids with their versions, as "id@version". */
  firedRules: string[];
  cardUuids: string[];
  /** Per card: which rule it came from, so feedback can be joined to rules. */
  cards: AuditCard[];
  outcome: 'answered' | 'failed-check' | 'rejected';
  durationMs: number;
  at: string;
  tenant?: string;
  /**
   * order-sign: the cards left out because the clinician dismissed the same card at order-select (see
   * functions/core/cds/acknowledgements.ts); acknowledgedCard is that order-select card's uuid.
   */
  suppressed?: { ruleId: string; ruleVersion: string; orderId: string; acknowledgedCard: string }[];
}

/** One shown card in the audit trail. */
export interface AuditCard {
  uuid: string;
  ruleId: string;
  ruleVersion: string;
  action: string;
  /** The recommendation's strength, for a card that renders one. */
  classification?: string;
  /** The draft order (MedicationRequest id) the card is about, for a card about one order. */
  orderId?: string;
}

/**
 * What the audit trail knows of a shown card: its rule, and what feedback needs to turn a dismissal into an
 * acknowledgement. The optional fields are absent on cards recorded before they were kept.
 */
export interface CardProvenance {
  ruleId: string;
  ruleVersion: string;
  service: string;
  hook?: string;
  action?: string;
  classification?: string;
  orderId?: string;
  patientKey?: string;
  ruleSetVersion?: string;
  tenant?: string;
}

export interface FeedbackRecord {
  service: string;
  card: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions: string[];
  overrideReason?: { code?: string; system?: string; display?: string; userComment?: string };
  outcomeTimestamp: string;
  /** The card's rule, resolved from the audit trail when the card is known. */
  ruleId?: string;
  ruleVersion?: string;
  receivedAt: string;
}

export interface AuditStore {
  record(entry: AuditRecord): Promise<void>;
  /** The card's provenance, to enrich feedback; undefined when the card is unknown. */
  findCard(uuid: string): Promise<CardProvenance | undefined>;
}

/**
 * A clinician's explicit dismissal (feedback `overridden`) of an order-select card about one draft order. At
 * order-sign the same card for the same order is not shown again within the acknowledgement window.
 */
export interface Acknowledgement {
  patientKey: string;
  orderId: string;
  ruleId: string;
  ruleVersion: string;
  action: string;
  classification: string;
  ruleSetVersion: string;
  /** The order-select card's uuid. */
  card: string;
  /** When it was dismissed: the feedback's outcomeTimestamp (never later than its receipt), ISO UTC. */
  at: string;
  tenant?: string;
}

export interface AcknowledgementStore {
  /** Idempotent: the same card acknowledged at the same time is stored once. */
  acknowledge(ack: Acknowledgement): Promise<void>;
  /** The patient's acknowledgements at or after sinceIso (ISO UTC, as Date.toISOString writes it). */
  since(patientKey: string, sinceIso: string): Promise<Acknowledgement[]>;
}

export interface FeedbackStore {
  /** Idempotent: the same card, outcome and timestamp is stored once. */
  put(entry: FeedbackRecord): Promise<'stored' | 'duplicate'>;
}

/** Counters and timings for operations (CloudWatch metrics in AWS, the log locally). No patient data. */
export interface Metrics {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
  timing(name: string, ms: number, dimensions?: Record<string, string>): void;
}

/** Operational log without patient data: rule ids, versions, outcome kinds, timings only. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A rule-set version's life: published (immutable) → approved (four eyes) → active → superseded. */
export type RuleSetState = 'published' | 'approved' | 'active' | 'superseded';

export interface RuleSetVersionMeta {
  /** Semantic version, unique in the store. */
  version: string;
  /** sha256 over the canonical form of every file (see functions/core/ruleset/hash.ts). */
  hash: string;
  fileCount: number;
  publishedBy: string;
  publishedAt: string;
  state: RuleSetState;
  approvedBy?: string;
  approvedAt?: string;
  note?: string;
}

/** A recorded act on the rule sets: who did what, when and why. */
export interface RuleSetAct {
  act: 'publish' | 'approve' | 'activate' | 'rollback';
  version: string;
  /** For activate and rollback: the version that was active before. */
  previous?: string;
  by: string;
  at: string;
  why?: string;
}

/** A rules-directory file, as stored in a version: its path under rules/ and its text. */
export interface RuleSetFile {
  path: string;
  text: string;
}

/**
 * Versioned, immutable rule sets. Works without transactions (DynamoDB and dynalite alike): items are written
 * with attribute_not_exists, the manifest (file count and hash) last; a version is readable only when its
 * manifest exists and its hash verifies; the ACTIVE pointer moves with a condition on its previous value.
 */
export interface RuleStore {
  /** Refuses (RuleStoreError 'exists') when the version exists, even partly written by a racing publisher. */
  publish(
    version: string,
    files: RuleSetFile[],
    by: string,
    at: string,
    note?: string,
  ): Promise<RuleSetVersionMeta>;
  /** The version's files, verified against its manifest; RuleStoreError 'incomplete' / 'tampered' / 'not-found'. */
  load(version: string): Promise<{ meta: RuleSetVersionMeta; files: RuleSetFile[] }>;
  list(): Promise<RuleSetVersionMeta[]>;
  /** Four eyes: refuses when `by` published the version. */
  approve(version: string, by: string, at: string, why?: string): Promise<RuleSetVersionMeta>;
  /** Only an approved (or earlier active) version; `expectedActive` guards against a concurrent switch. */
  activate(
    version: string,
    by: string,
    at: string,
    why: string,
    expectedActive?: string,
  ): Promise<RuleSetAct>;
  /** The active version and when it was set; a single small read, cheap enough to poll. */
  active(): Promise<{ version: string; since: string } | undefined>;
  history(): Promise<RuleSetAct[]>;
}

export type RuleStoreErrorCode =
  | 'exists'
  | 'not-found'
  | 'incomplete'
  | 'tampered'
  | 'not-approved'
  | 'four-eyes'
  | 'conflict'
  | 'unavailable';

export class RuleStoreError extends Error {
  override name = 'RuleStoreError';
  constructor(
    readonly code: RuleStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The rule set to evaluate with: the active version (picked up within the refresh interval) or a named
 * published version (to reproduce a past decision). Throws RuleStoreError when it cannot be had.
 */
export interface RuleSetProvider {
  current(): Promise<PreparedRuleSet>;
  version(version: string): Promise<PreparedRuleSet>;
}
