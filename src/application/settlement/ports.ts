import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';

/** Reads one page of raw rows from Toss (`GET /v1/settlements`). Rows are unvalidated JSON values. */
export interface SettlementSource {
  fetchPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<unknown[]>;
}

export interface PublishMeta {
  readonly executionId: string;
  readonly page: number;
}

/** Publishes validated rows (one record per row, key paymentKey) and rejects; resolves once acknowledged. */
export interface SettlementPublisher {
  /** Resolves with the rows the wire format refused (not published): the job rejects them with the reason. */
  publish(rows: readonly Settlement[], meta: PublishMeta): Promise<readonly RejectedSettlement[]>;
  publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void>;
}

export interface FetchedPage {
  readonly page: number;
  /**
   * The page's rows as Toss sent them, handed over to the job: it empties the array once it has validated them, so
   * the parsed objects die young instead of waiting for Kafka's acknowledgement in the frames that held the page.
   */
  readonly rows: unknown[];
}

/**
 * Pages of a window in page order, from `startPage` until the first short page (fetched ahead, bounded). With a
 * `stride` of N only every Nth page is read (startPage, startPage+N, …): one worker of N (domain/batch/shard.ts).
 */
export interface SettlementPageReader {
  pages(window: SettlementWindow, startPage: number, size: number, signal?: AbortSignal, stride?: number): AsyncIterable<FetchedPage>;
}
