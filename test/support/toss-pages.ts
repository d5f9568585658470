import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keyTemplate, MAX_PAGE_ROWS, MAX_PAGES, patchPage, placeholder } from './key-template.js';
import { generateSettlementRows } from './settlement-row-generator.js';

/**
 * A Toss `GET /v1/settlements` fake fast enough that the producer, not the fake, is measured. One page of
 * `pageSize` rows is serialized once; each request copies it and patches a page marker into every key, so all
 * N rows stay unique while memory stays at one page (a 1,000,000-row window would not fit otherwise).
 */
export interface FastTossFakeOptions {
  readonly rows: number;
  readonly pageSize: number;
  readonly secretKey: string;
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

export interface FastTossFake {
  readonly url: string;
  readonly pages: number;
  requests(): number;
  /** performance.now() of the first request (null before it): where a benchmark's clock starts. */
  firstRequestAt(): number | null;
  close(): Promise<void>;
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
  /** Page `page` (1-based) as the JSON Toss sends; `[]` past the last page. */
  body(page: number): Buffer;
  /** The rows (before validation) of the full and the last page, with key placeholders, for other renderings. */
  readonly templates: ReadonlyArray<{ readonly rows: readonly Record<string, unknown>[]; readonly firstPage: number; readonly lastPage: number }>;
}

export function tossPages(options: Omit<FastTossFakeOptions, 'secretKey'>): TossPages {
  const fullPages = Math.floor(options.rows / options.pageSize);
  const lastRows = options.rows % options.pageSize;
  const empty = Buffer.from('[]');
  if (!options.realisticKeys) {
    if (options.rows >= 10 ** MARKER_DIGITS * options.pageSize) throw new Error(`at most ${10 ** MARKER_DIGITS - 1} pages`);
    const full = template(options.pageSize, options.soldDate);
    const last = lastRows > 0 ? template(lastRows, options.soldDate) : null;
    return {
      pages: fullPages + (last ? 1 : 0),
      body: (page) => (page <= fullPages ? pageBody(full, page) : page === fullPages + 1 && last ? pageBody(last, page) : empty),
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
  const last = lastRows > 0 ? keyTemplate(JSON.stringify(lastRowsT)) : null;
  const templates = [];
  if (fullPages > 0) templates.push({ rows: fullRows, firstPage: 1, lastPage: fullPages });
  if (last) templates.push({ rows: lastRowsT, firstPage: fullPages + 1, lastPage: fullPages + 1 });
  return {
    pages: fullPages + (last ? 1 : 0),
    body: (page) => (page <= fullPages ? patchPage(full, salt, page) : page === fullPages + 1 && last ? patchPage(last, salt, page) : empty),
    templates,
  };
}

function pageBody(t: PageTemplate, page: number): Buffer {
  const out = Buffer.from(t.body);
  const digits = String(page).padStart(MARKER_DIGITS, '0');
  for (const at of t.offsets) out.write(digits, at, 'latin1');
  return out;
}

export async function startFastTossFake(options: FastTossFakeOptions): Promise<FastTossFake> {
  const source = tossPages(options);
  const auth = `Basic ${Buffer.from(`${options.secretKey}:`).toString('base64')}`;
  const empty = Buffer.from('[]');
  let requests = 0;
  let first: number | null = null;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    first ??= performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: Buffer | string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (url.pathname !== '/v1/settlements') return send(404, JSON.stringify({ code: 'NOT_FOUND', message: 'no such path' }));
    if (req.headers.authorization !== auth)
      return send(401, JSON.stringify({ code: 'UNAUTHORIZED_KEY', message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.' }));
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('size') ?? '100');
    if (size !== options.pageSize) return send(400, JSON.stringify({ code: 'INVALID_REQUEST', message: `the fast fake serves size=${options.pageSize} only` }));
    return send(200, page >= 1 ? source.body(page) : empty);
  };

  const server: Server = createServer({ keepAliveTimeout: 60_000 }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pages: source.pages,
    requests: () => requests,
    firstRequestAt: () => first,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
