import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generateSettlementRows, type TossRow } from './settlement-row-generator.js';

export { generateSettlementRows, type TossRow };
export { startFastTossFake } from './toss-pages.js';

/**
 * A programmable local fake of Toss `GET /v1/settlements` (node:http on 127.0.0.1, port 0). It serves the
 * rows of the requested window (filtered on soldDate or paidOutDate) as a bare JSON array sliced by
 * page/size, checks Basic auth the way Toss does (the colon is mandatory), records every request, and plays
 * a script of faults per (page, attempt).
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

export interface TossFakeOptions {
  readonly rows: readonly unknown[];
  readonly secretKey: string;
  readonly faults?: FaultScript;
  /** Every answer waits this long: makes a run slow enough to kill or to overlap with another. */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly page: number;
  readonly size: number;
  /** 1 for the first request of this page (per window and size), 2 for the next, ... */
  readonly attempt: number;
  readonly authorization: string | undefined;
  readonly at: number;
  /** What the fake did: 200, a status, or the fault's kind. */
  outcome: string;
}

export interface TossFake {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  requestsFor(page: number): RecordedRequest[];
  setFaults(faults: FaultScript): void;
  setDelay(ms: number): void;
  /** The rows of a window in the order the fake pages them. */
  windowRows(from: string, to: string, dateType?: string): TossRow[];
  close(): Promise<void>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export async function startTossFake(options: TossFakeOptions): Promise<TossFake> {
  const rows = options.rows as TossRow[];
  let faults: FaultScript = options.faults ?? {};
  let delayMs = options.delayMs ?? 0;
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const auth = `Basic ${Buffer.from(`${options.secretKey}:`).toString('base64')}`;
  const noColon = `Basic ${Buffer.from(options.secretKey).toString('base64')}`;
  const windowRows = (from: string, to: string, dateType = 'soldDate') =>
    rows.filter((r) => {
      const d = r[dateType];
      return typeof d === 'string' && d >= from && d <= to;
    });

  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const page = Number(query.page ?? '1');
    const size = Number(query.size ?? '100');
    const key = `${query.startDate}|${query.endDate}|${query.dateType}|${size}|${page}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const record: RecordedRequest = { path: url.pathname, query, page, size, attempt, authorization: req.headers.authorization, at: Date.now(), outcome: '' };
    requests.push(record);
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      record.outcome ||= String(status);
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
      res.end(body);
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

    const f = faults[page]?.[attempt - 1] ?? null;
    const slice = () =>
      f?.kind === 'rows' ? f.rows : windowRows(query.startDate as string, query.endDate as string, query.dateType).slice((page - 1) * size, page * size);
    later(delayMs, () => {
      if (f === null || f.kind === 'rows') return send(200, json(slice()));
      record.outcome = f.kind === 'status' ? String(f.status) : f.kind;
      switch (f.kind) {
        case 'status':
          return send(f.status, json({ code: f.code, message: f.message }), f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter });
        case 'slow':
          return later(f.delayMs, () => send(200, json(slice())));
        case 'truncated': {
          const body = json(slice());
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
          return;
        }
        case 'half-json': {
          const body = json(slice());
          return send(200, body.subarray(0, Math.floor(body.length / 2)));
        }
        case 'reset':
          return void req.socket.resetAndDestroy();
        case 'hold':
          return void f.gate.hold(record).then(() => send(200, json(slice())));
      }
    });
  };

  const server: Server = createServer(handle);
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
    setFaults(next) {
      faults = next;
      attempts.clear();
    },
    setDelay(ms) {
      delayMs = ms;
    },
    windowRows,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
