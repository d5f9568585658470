import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generateSettlementRows, type TossRow } from './settlement-row-generator.js';
import { tossPages, type TossPages, type TossPagesOptions } from './toss-pages.js';

export { generateSettlementRows, tossPages, type TossPages, type TossRow };

/**
 * The one local fake of Toss `GET /v1/settlements` (node:http on 127.0.0.1, port 0), for the unit, integration and
 * end-to-end tests, the fault suite and the benches. It checks Basic auth the way Toss does (the colon is
 * mandatory) and the query as Toss does, records every request, and plays a script of faults per (page, attempt);
 * a page can be held until the test releases it, and the window's rows can change under the pager (a late row, rows
 * added at the end). What it pages is one of:
 *   - `rows`: an array; a window is the rows whose `dateType` date falls in it (the tests);
 *   - `source`: a window's rows by position, made on demand (the fault suite's 300,000-row dataset);
 *   - `pages`: ready page bodies of one page size (`tossPages`, the benches' fast path: no rows built per request;
 *     `startFastTossFake`). Faults and holds play on these too; late and added rows do not (they change rows).
 */
export type TossFault =
  /** A Toss-shaped error: `{code, message}` with the status, optionally a Retry-After header. */
  | { readonly kind: 'status'; readonly status: number; readonly code: string; readonly message: string; readonly retryAfter?: string }
  /** Nothing is answered for delayMs (past the client's timeout), then the real page if the socket survived. */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** 200 with the full Content-Length but only half the bytes, then the socket is destroyed. */
  | { readonly kind: 'truncated' }
  /** A well-formed 200 response whose body is the first half of the JSON array. */
  | { readonly kind: 'half-json' }
  /** The connection is reset before anything is answered. */
  | { readonly kind: 'reset' }
  /** These rows instead of the window's slice (e.g. a short page). */
  | { readonly kind: 'rows'; readonly rows: readonly unknown[] }
  /** Nothing is answered until the test opens the gate, then the real page (if the client is still there). */
  | { readonly kind: 'hold'; readonly gate: Gate };

/**
 * Keeps a run mid-window for exactly as long as a test needs, however slow the machine: `fault.hold(gate)`
 * withholds a page until `open()`. `reached` resolves with the first request the gate holds (the client is
 * then inside the window: it has its claim and is waiting on that page). Never opened, a held request is
 * dropped when the fake closes.
 */
export class Gate {
  readonly reached: Promise<RecordedRequest>;
  readonly opened: Promise<void>;
  #reached: (r: RecordedRequest) => void = () => undefined;
  #open: () => void = () => undefined;
  #held = 0;

  constructor() {
    this.reached = new Promise((resolve) => (this.#reached = resolve));
    this.opened = new Promise((resolve) => (this.#open = resolve));
  }

  /** Requests held so far (answered or not). */
  get held(): number {
    return this.#held;
  }

  /** Answers every request held, and those that reach the gate from now on. */
  open(): void {
    this.#open();
  }

  /** @internal the fake calls this when a request meets the gate. */
  hold(r: RecordedRequest): Promise<void> {
    this.#held += 1;
    this.#reached(r);
    return this.opened;
  }
}

export const gate = (): Gate => new Gate();

export const fault = {
  tooManyRequests: (retryAfterSeconds?: number): TossFault => ({
    kind: 'status',
    status: 429,
    code: 'TOO_MANY_REQUESTS',
    message: '요청이 너무 많습니다.',
    ...(retryAfterSeconds === undefined ? {} : { retryAfter: String(retryAfterSeconds) }),
  }),
  serverError: (): TossFault => ({
    kind: 'status',
    status: 500,
    code: 'FAILED_INTERNAL_SYSTEM_PROCESSING',
    message: '내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.',
  }),
  unauthorized: (): TossFault => ({ kind: 'status', status: 401, code: 'UNAUTHORIZED_KEY', message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.' }),
  slow: (delayMs: number): TossFault => ({ kind: 'slow', delayMs }),
  truncated: (): TossFault => ({ kind: 'truncated' }),
  halfJson: (): TossFault => ({ kind: 'half-json' }),
  reset: (): TossFault => ({ kind: 'reset' }),
  rows: (rows: readonly unknown[]): TossFault => ({ kind: 'rows', rows }),
  hold: (g: Gate): TossFault => ({ kind: 'hold', gate: g }),
};

/** page → the fault of each attempt (index 0 is the first request for that page); null or past the end = normal. */
export type FaultScript = Readonly<Record<number, ReadonlyArray<TossFault | null>>>;

/** The window a request asks for. */
export interface TossWindow {
  readonly startDate: string;
  readonly endDate: string;
  /** soldDate (Toss's default) or paidOutDate. */
  readonly dateType: string;
}

/** A window's rows as a source holds them: how many, and a run of them by 0-based position. */
export interface WindowRows {
  readonly count: number;
  /** Rows [from, to) of the window (fewer at its end). */
  range(from: number, to: number): readonly unknown[];
}

/** The rows of a requested window, made on demand; null for a window the source does not hold (answered `[]`). */
export type TossRowSource = (window: TossWindow) => WindowRows | null;

export interface TossFakeOptions {
  readonly secretKey: string;
  /** Toss's rows: a window is those whose `dateType` date falls in it, in this order. */
  readonly rows?: readonly unknown[];
  /** Or a window's rows made on demand. */
  readonly source?: TossRowSource;
  /** Or ready pages of one page size (another size is answered 400): the fast path. */
  readonly pages?: TossPages;
  readonly faults?: FaultScript;
  /** Every page (and fault) waits this long: makes a run slow enough to watch, kill or overlap with another. */
  readonly delayMs?: number;
  /** The server's keep-alive timeout (Node's default when absent). */
  readonly keepAliveTimeoutMs?: number;
}

export interface RecordedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly page: number;
  readonly size: number;
  /** 1 for the first request of this page (per window and size), 2 for the next, ... */
  readonly attempt: number;
  readonly authorization: string | undefined;
  /** When it arrived (Date.now()). */
  readonly at: number;
  /** What the fake did: 200, a status, or the fault's kind ('slow', 'reset', 'truncated', 'half-json', 'hold'); '' while unanswered. */
  outcome: string;
  /** When the answer (or the fault) was sent; null while unanswered. */
  answeredAt: number | null;
}

export interface TossFake {
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  requestsFor(page: number): RecordedRequest[];
  /** Requests so far per outcome ('200', '429', 'slow', 'reset', …). */
  outcomes(): Record<string, number>;
  /** performance.now() of the first request (null before it): where a benchmark's clock starts. */
  firstRequestAt(): number | null;
  /** A new script; attempts count from 1 again. */
  setFaults(faults: FaultScript): void;
  /**
   * Requests for `page` wait (before their attempt's fault or page is played) until `release()`; resolves with the
   * first one held. One page at a time: a new hold replaces the last.
   */
  hold(page: number): Promise<RecordedRequest>;
  /** Answers the held requests and lifts the hold. */
  release(): void;
  /** From now on, `row` sits at 0-based window position `at` (later rows shift by one). */
  insertLateRow(at: number, row: unknown): void;
  /** From now on, `rows` follow the window's last row (rows Toss added at the end of the window). */
  appendRows(rows: readonly unknown[]): void;
  close(): Promise<void>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** A window of an array of rows: those whose `dateType` date falls in it. */
export const rowsSource =
  (rows: readonly unknown[]): TossRowSource =>
  ({ startDate, endDate, dateType }) => {
    const inWindow = (rows as readonly TossRow[]).filter((r) => {
      const d = r[dateType];
      return typeof d === 'string' && d >= startDate && d <= endDate;
    });
    return { count: inWindow.length, range: (from, to) => inWindow.slice(from, to) };
  };

export async function startTossFake(options: TossFakeOptions): Promise<TossFake> {
  const source = options.source ?? (options.rows ? rowsSource(options.rows) : null);
  const pages = options.pages ?? null;
  if ((source === null) === (pages === null)) throw new Error('startTossFake: give rows, source or pages (one of them)');
  let faults: FaultScript = options.faults ?? {};
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const auth = `Basic ${Buffer.from(`${options.secretKey}:`).toString('base64')}`;
  const noColon = `Basic ${Buffer.from(options.secretKey).toString('base64')}`;
  let first: number | null = null;
  let held: { page: number; gate: Gate } | null = null;
  let late: { at: number; row: unknown } | null = null;
  let appended: readonly unknown[] = [];

  // the window as Toss would page it now: the source's rows, the late row (if any) at its position, then the added rows
  const withLate = (w: WindowRows, from: number, to: number): unknown[] => {
    if (from >= to) return [];
    if (!late || late.at >= to) return [...w.range(from, to)];
    if (late.at < from) return [...w.range(from - 1, to - 1)];
    const rows = [...w.range(from, to - 1)];
    rows.splice(late.at - from, 0, late.row);
    return rows;
  };
  const windowSlice = (window: TossWindow, from: number, to: number): readonly unknown[] => {
    const w = source?.(window);
    if (!w) return [];
    const end = w.count + (late ? 1 : 0);
    const rows = withLate(w, from, Math.min(to, end));
    if (to > end && appended.length > 0) rows.push(...appended.slice(Math.max(from, end) - end, to - end));
    return rows;
  };
  const pageBody = (window: TossWindow, page: number, size: number): Buffer =>
    pages ? pages.body(page) : json(windowSlice(window, (page - 1) * size, page * size));

  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    first ??= performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const page = Number(query.page ?? '1');
    const size = Number(query.size ?? '100');
    const key = `${query.startDate}|${query.endDate}|${query.dateType}|${size}|${page}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const record: RecordedRequest = {
      path: url.pathname,
      query,
      page,
      size,
      attempt,
      authorization: req.headers.authorization,
      at: Date.now(),
      outcome: '',
      answeredAt: null,
    };
    requests.push(record);
    const answered = (outcome: string) => {
      record.outcome ||= outcome;
      record.answeredAt ??= Date.now();
    };
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      answered(String(status));
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
      // a ready page goes back to its pages once written ('finish'); a write that fails just drops it
      res.end(body, () => pages?.recycle(body));
    };
    const error = (status: number, code: string, message: string) => send(status, json({ code, message }));

    if (url.pathname !== '/v1/settlements' || req.method !== 'GET') return error(404, 'NOT_FOUND', '존재하지 않는 경로입니다.');
    if (req.headers.authorization === noColon) return error(403, 'INCORRECT_BASIC_AUTH_FORMAT', "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요.");
    if (req.headers.authorization !== auth) return error(401, 'UNAUTHORIZED_KEY', '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.');
    if (!DATE.test(query.startDate ?? '') || !DATE.test(query.endDate ?? '')) return error(400, 'INVALID_DATE', '날짜 데이터가 잘못 되었습니다.');
    if (query.dateType !== undefined && query.dateType !== 'soldDate' && query.dateType !== 'paidOutDate')
      return error(400, 'INVALID_REQUEST', '잘못된 요청입니다.');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1) return error(400, 'INVALID_REQUEST', '잘못된 요청입니다.');
    if (size > 5000) return error(400, 'EXCEED_MAX_QUERY_LIMIT', '최대 조회 개수를 초과했습니다.');
    if (pages && size !== pages.pageSize) return error(400, 'INVALID_REQUEST', `this fake serves size=${pages.pageSize} only`);
    const window: TossWindow = { startDate: query.startDate as string, endDate: query.endDate as string, dateType: query.dateType ?? 'soldDate' };

    if (held?.page === page) await held.gate.hold(record);
    const f = faults[page]?.[attempt - 1] ?? null;
    const body = () => (f?.kind === 'rows' ? json(f.rows) : pageBody(window, page, size));
    // the page, or the attempt's fault, after the fake's delay (if any)
    later(options.delayMs ?? 0, () => {
      if (f === null || f.kind === 'rows') return send(200, body());
      record.outcome = f.kind === 'status' ? String(f.status) : f.kind;
      switch (f.kind) {
        case 'status':
          return send(f.status, json({ code: f.code, message: f.message }), f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter });
        case 'slow':
          return later(f.delayMs, () => send(200, body()));
        case 'truncated': {
          const b = body();
          answered(f.kind);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(b.length) });
          res.write(b.subarray(0, Math.floor(b.length / 2)), () => res.socket?.destroy());
          return;
        }
        case 'half-json': {
          const b = body();
          return send(200, b.subarray(0, Math.floor(b.length / 2)));
        }
        case 'reset':
          answered(f.kind);
          return void req.socket.resetAndDestroy();
        case 'hold':
          return void f.gate.hold(record).then(() => send(200, body()));
      }
    });
  };

  const server: Server = createServer(
    options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: options.keepAliveTimeoutMs },
    (req, res) => void handle(req, res).catch((e: unknown) => res.destroy(e as Error)),
  );
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsFor: (page) => requests.filter((r) => r.page === page),
    outcomes() {
      const counts: Record<string, number> = {};
      for (const r of requests) if (r.outcome) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      return counts;
    },
    firstRequestAt: () => first,
    setFaults(next) {
      faults = next;
      attempts.clear();
    },
    hold(page) {
      held = { page, gate: new Gate() };
      return held.gate.reached;
    },
    release() {
      held?.gate.open();
      held = null;
    },
    insertLateRow(at, row) {
      if (pages) throw new Error('insertLateRow: the fast path serves ready pages, no rows to change');
      late = { at, row };
    },
    appendRows(rows) {
      if (pages) throw new Error('appendRows: the fast path serves ready pages, no rows to change');
      appended = [...rows];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface FastTossFakeOptions extends TossPagesOptions {
  readonly secretKey: string;
}

/**
 * The benches' fast path: `tossPages(options)` served (one page of memory whatever the window, each page a patched
 * copy of one serialized template), with a keep-alive of a minute so a long run never meets an idle socket closed
 * under it. `pages`: how many pages the window has (the empty page after them ends it).
 */
export async function startFastTossFake(options: FastTossFakeOptions): Promise<TossFake & { readonly pages: number }> {
  const source = tossPages(options);
  const fake = await startTossFake({ secretKey: options.secretKey, pages: source, keepAliveTimeoutMs: 60_000 });
  return { ...fake, pages: source.pages };
}
