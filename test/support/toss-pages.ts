import { keyTemplate, MAX_PAGE_ROWS, MAX_PAGES, patchPage, placeholder } from './key-template.js';
import { generateSettlementRows } from './settlement-row-generator.js';

/**
 * The pages of a window of generated rows, cheap enough that the producer, not the fake, is measured (the Toss
 * fake's fast path, test/support/toss-fake.ts). One page of `pageSize` rows is serialized once; each page is a copy
 * with a page marker patched into every key, so all N rows stay unique while memory stays at one page (a
 * 1,000,000-row window would not fit otherwise).
 */
export interface TossPagesOptions {
  readonly rows: number;
  readonly pageSize: number;
  /** The sold date every row carries (the window the bench asks for). */
  readonly soldDate: string;
  /**
   * Keys like Toss's: each row's paymentKey/transactionKey begins with 8 random-looking hex digits that differ
   * on every row of every page (see key-template.ts), so index inserts are not append-only. Default false:
   * keys begin with the page marker and grow page by page (what the test fakes rely on).
   */
  readonly realisticKeys?: boolean;
  /** With realisticKeys: 0..63; rows of different salts never share a key (the bench's raw loads use others). */
  readonly keySalt?: number;
}

const MARKER = 'PG000000';
const MARKER_DIGITS = MARKER.length - 2;

interface PageTemplate {
  readonly body: Buffer;
  readonly offsets: readonly number[];
}

function template(rows: number, soldDate: string): PageTemplate {
  const body = Buffer.from(JSON.stringify(generateSettlementRows({ count: rows, from: soldDate, keyPrefix: MARKER })));
  const offsets: number[] = [];
  for (let at = body.indexOf(MARKER); at !== -1; at = body.indexOf(MARKER, at + MARKER.length)) offsets.push(at + 2);
  return { body, offsets };
}

/** The pages a window of `rows` rows is served as, one template per page shape (memory: one page). */
export interface TossPages {
  readonly pages: number;
  /** The one page size these pages are cut to. */
  readonly pageSize: number;
  /** Page `page` (1-based) as the JSON Toss sends; `[]` past the last page. */
  body(page: number): Buffer;
  /**
   * Hands back a body once it has been written (not needed, only cheaper): later pages may be patched into it, so
   * a run of many pages touches a few buffers, not a fresh multi-megabyte one per page.
   */
  recycle(body: Buffer): void;
  /** The rows (before validation) of the full and the last page, with key placeholders, for other renderings. */
  readonly templates: ReadonlyArray<{ readonly rows: readonly Record<string, unknown>[]; readonly firstPage: number; readonly lastPage: number }>;
}

export function tossPages(options: TossPagesOptions): TossPages {
  const fullPages = Math.floor(options.rows / options.pageSize);
  const lastRows = options.rows % options.pageSize;
  const empty = Buffer.from('[]');
  if (!options.realisticKeys) {
    if (options.rows >= 10 ** MARKER_DIGITS * options.pageSize) throw new Error(`at most ${10 ** MARKER_DIGITS - 1} pages`);
    const full = template(options.pageSize, options.soldDate);
    const last = lastRows > 0 ? template(lastRows, options.soldDate) : null;
    return {
      pages: fullPages + (last ? 1 : 0),
      pageSize: options.pageSize,
      body: (page) => (page <= fullPages ? pageBody(full, page) : page === fullPages + 1 && last ? pageBody(last, page) : empty),
      recycle: () => undefined,
      templates: [],
    };
  }
  if (options.pageSize > MAX_PAGE_ROWS || fullPages + 1 > MAX_PAGES)
    throw new Error(`realistic keys allow at most ${MAX_PAGES} pages of at most ${MAX_PAGE_ROWS} rows`);
  const salt = options.keySalt ?? 0;
  const rowsOf = (count: number) => generateSettlementRows({ count, from: options.soldDate, rowKeyPrefix: placeholder });
  const fullRows = fullPages > 0 ? rowsOf(options.pageSize) : [];
  const lastRowsT = lastRows > 0 ? rowsOf(lastRows) : [];
  const full = keyTemplate(JSON.stringify(fullRows));
  const spare: Buffer[] = [];
  const last = lastRows > 0 ? keyTemplate(JSON.stringify(lastRowsT)) : null;
  const templates = [];
  if (fullPages > 0) templates.push({ rows: fullRows, firstPage: 1, lastPage: fullPages });
  if (last) templates.push({ rows: lastRowsT, firstPage: fullPages + 1, lastPage: fullPages + 1 });
  return {
    pages: fullPages + (last ? 1 : 0),
    pageSize: options.pageSize,
    body: (page) => (page <= fullPages ? patchPage(full, salt, page, spare.pop()) : page === fullPages + 1 && last ? patchPage(last, salt, page) : empty),
    // only full pages are reused (the last page has its own length); a few are enough for any concurrency
    recycle: (body) => {
      if (body.length === full.body.length && spare.length < 8 && !spare.includes(body)) spare.push(body);
    },
    templates,
  };
}

function pageBody(t: PageTemplate, page: number): Buffer {
  const out = Buffer.from(t.body);
  const digits = String(page).padStart(MARKER_DIGITS, '0');
  for (const at of t.offsets) out.write(digits, at, 'latin1');
  return out;
}
