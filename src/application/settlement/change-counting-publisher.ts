import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import { classifyChange, type ChangeCounts, type StoredSettlementFacts } from '../../domain/settlement/settlement-change.js';
import type { OutgoingPage, PublishMeta, SettlementPublisher } from './ports.js';

/** Looks up what the store holds for a page's transaction keys. */
export interface StoredSettlementLookup {
  factsOf(transactionKeys: readonly string[]): Promise<ReadonlyMap<string, StoredSettlementFacts>>;
}

/**
 * For replays: before each page is published, compares its rows with what MySQL holds, so the summary can
 * say how many rows the replay will add or change once the loader has upserted them. Publishing is unchanged.
 */
export class ChangeCountingPublisher implements SettlementPublisher {
  #counts = { new: 0, changed: 0, same: 0 };

  constructor(
    private readonly inner: SettlementPublisher,
    private readonly stored: StoredSettlementLookup,
  ) {}

  get counts(): ChangeCounts {
    return { ...this.#counts };
  }

  /** The rows are kept until `send` (a replay's pages are compared whole with the store before they go out). */
  page(meta: PublishMeta, expectedRows: number): OutgoingPage {
    const inner = this.inner.page(meta, expectedRows);
    const rows: Settlement[] = [];
    return {
      add: (part) => {
        inner.add(part);
        for (const row of part) rows.push(row);
      },
      send: async () => {
        const facts = rows.length ? await this.stored.factsOf(rows.map((r) => r.transactionKey)) : new Map<string, StoredSettlementFacts>();
        const refused = await inner.send();
        const notPublished = new Set(refused.map((r) => r.transactionKey));
        for (const row of rows) if (!notPublished.has(row.transactionKey)) this.#counts[classifyChange(row, facts.get(row.transactionKey))] += 1;
        return refused;
      },
    };
  }

  publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void> {
    return this.inner.publishRejects(rejects, meta);
  }
}
