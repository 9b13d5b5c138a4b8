import type {
  Acknowledgement,
  AcknowledgementStore,
  AuditRecord,
  AuditStore,
  CardProvenance,
  FeedbackRecord,
  FeedbackStore,
} from '../../core/ports';
import type { ShownCard } from '../../core/ruleset/stats';

/** AuditStore in memory: keeps every record (for assertions) and the card → rule index. */
export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];
  private readonly cards = new Map<string, CardProvenance>();

  async record(entry: AuditRecord): Promise<void> {
    this.records.push(structuredClone(entry));
    for (const card of entry.cards) {
      // As the DynamoDB store's card item: absent fields stay absent.
      this.cards.set(
        card.uuid,
        JSON.parse(
          JSON.stringify({
            ruleId: card.ruleId,
            ruleVersion: card.ruleVersion,
            service: entry.service,
            hook: entry.hook,
            action: card.action,
            classification: card.classification,
            orderId: card.orderId,
            patientKey: entry.patientKey,
            ruleSetVersion: entry.ruleSetVersion,
            tenant: entry.tenant,
          }),
        ) as CardProvenance,
      );
    }
  }

  async findCard(uuid: string): Promise<CardProvenance | undefined> {
    const card = this.cards.get(uuid);
    return card ? { ...card } : undefined;
  }

  /** Every card shown, as the DynamoDB store's listCards gives them. */
  async listCards(options: { since?: string } = {}): Promise<ShownCard[]> {
    return this.records.flatMap((record) =>
      options.since !== undefined && record.at < options.since
        ? []
        : record.cards.map((card) => ({
            uuid: card.uuid,
            ruleId: card.ruleId,
            ruleVersion: card.ruleVersion,
            action: card.action,
            service: record.service,
            ruleSetVersion: record.ruleSetVersion,
            at: record.at,
          })),
    );
  }
}

/** FeedbackStore in memory: idempotent on (card, outcome, outcomeTimestamp), like the DynamoDB store. */
export class MemoryFeedbackStore implements FeedbackStore {
  private readonly stored = new Map<string, FeedbackRecord>();

  get entries(): FeedbackRecord[] {
    return [...this.stored.values()].map((entry) => structuredClone(entry));
  }

  async put(entry: FeedbackRecord): Promise<'stored' | 'duplicate'> {
    const key = JSON.stringify([entry.card, entry.outcome, entry.outcomeTimestamp]);
    if (this.stored.has(key)) return 'duplicate';
    this.stored.set(key, structuredClone(entry));
    return 'stored';
  }

  /** Every feedback record, as the DynamoDB store's listFeedback gives them. */
  async listFeedback(): Promise<FeedbackRecord[]> {
    return this.entries;
  }
}

/** AcknowledgementStore in memory: idempotent on (patient, time, card), like the DynamoDB store. */
export class MemoryAcknowledgementStore implements AcknowledgementStore {
  private readonly stored = new Map<string, Acknowledgement>();

  get entries(): Acknowledgement[] {
    return [...this.stored.values()].map((ack) => structuredClone(ack));
  }

  async acknowledge(ack: Acknowledgement): Promise<void> {
    // As stored in DynamoDB: a member that is undefined is absent.
    this.stored.set(
      JSON.stringify([ack.patientKey, ack.at, ack.card]),
      JSON.parse(JSON.stringify(ack)) as Acknowledgement,
    );
  }

  async since(patientKey: string, sinceIso: string): Promise<Acknowledgement[]> {
    return this.entries
      .filter((ack) => ack.patientKey === patientKey && ack.at >= sinceIso)
      .sort((a, b) => a.at.localeCompare(b.at) || a.card.localeCompare(b.card));
  }
}
