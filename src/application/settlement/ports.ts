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

/**
 * Publishes validated rows (one record per row, key paymentKey) and rejects. A page is built part by part
 * (`page`), so a caller can hand over a few hundred rows at a time and let them die young; nothing of it reaches
 * Kafka until its `send`.
 */
export interface SettlementPublisher {
  /** A page to fill; `expectedRows` (the rows it will most likely take) sizes its buffers. */
  page(meta: PublishMeta, expectedRows: number): OutgoingPage;
  publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void>;
}

/** One page on its way out: `add` takes its rows in order (done with them when it returns), `send` publishes them all. */
export interface OutgoingPage {
  add(rows: readonly Settlement[]): void;
  /**
   * An accelerator a page may offer: the row whose JSON text Toss sent is json[start, end), validated and written
   * without being parsed. Returns its transactionKey when it took the row, or null when it declines (it then took
   * nothing, and the caller parses the row, validates it and `add`s it). It takes a row only when it can promise the
   * general path's result: a valid row without unknown fields, published as `add` would publish it.
   */
  addJson?(json: Buffer, start: number, end: number): string | null;
  /** Resolves once acknowledged, with the rows the wire format refused (not published): the job rejects them with the reason. */
  send(): Promise<readonly RejectedSettlement[]>;
}

/** The rows as one page: add all, send. */
export function publishRows(publisher: SettlementPublisher, rows: readonly Settlement[], meta: PublishMeta): Promise<readonly RejectedSettlement[]> {
  const out = publisher.page(meta, rows.length);
  out.add(rows);
  return out.send();
}

export interface FetchedPage {
  readonly page: number;
  /** Rows on the page, known before any of them is parsed. */
  readonly count: number;
  /**
   * The page's rows as Toss sent them, in order, a part at a time (iterable once): a part is parsed when the
   * iteration reaches it, so a caller that is done with each part before asking for the next keeps a few hundred
   * parsed rows alive at a time, not the page's thousands (they die young instead of growing old in the heap).
   * A part that is not valid JSON throws TOSS_UNEXPECTED_BODY.
   */
  readonly parts: Iterable<unknown[]>;
  /**
   * The same rows as the JSON text Toss sent, when the source kept it, for a page that writes rows from their text
   * (OutgoingPage.addJson). A page is read through `parts` or through these, once.
   */
  readonly json?: JsonRows;
  /**
   * Says the page was read (its parts or its json; nothing of them is read afterwards), so the buffer its text came
   * in may hold a later page. Optional to call: a page never released is left to the garbage collector.
   */
  readonly release?: () => void;
}

/** A page's rows as the JSON text Toss sent. */
export interface JsonRows {
  readonly text: Buffer;
  /** Row i's text is text[bounds[i] + 1, bounds[i + 1]): bounds hold the array's `[`, the commas between its rows and its `]`. */
  readonly bounds: Uint32Array;
  /** Row i parsed (the general path); throws TOSS_UNEXPECTED_BODY when its text is not JSON. */
  parse(i: number): unknown;
}

/** A page's rows in one array (the pages that are read whole: the window's end, a resumed run's last page, reconciling). */
export function allRows(page: FetchedPage): unknown[] {
  const rows: unknown[] = [];
  for (const part of page.parts) for (const row of part) rows.push(row);
  return rows;
}

/** A page whose rows are already parsed (one part). */
export const parsedPage = (page: number, rows: unknown[]): FetchedPage => ({ page, count: rows.length, parts: [rows] });

/**
 * Pages of a window in page order, from `startPage` until the first short page (fetched ahead, bounded). With a
 * `stride` of N only every Nth page is read (startPage, startPage+N, …): one worker of N (domain/batch/shard.ts).
 */
export interface SettlementPageReader {
  pages(window: SettlementWindow, startPage: number, size: number, signal?: AbortSignal, stride?: number): AsyncIterable<FetchedPage>;
}
