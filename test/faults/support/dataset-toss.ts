import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TossRow } from '../../support/settlement-row-generator.js';
import type { TossFault } from '../../support/toss-fake.js';
import { BLOCK, type Dataset } from './dataset.js';

/** One request for a page of the window: when it came, its attempt, what it got and when the answer was sent. */
export interface PageRequest {
  readonly page: number;
  readonly attempt: number;
  readonly at: number;
  /** '200', another status, or the fault's kind ('slow', 'reset', 'truncated', 'half-json'); '' while unanswered. */
  outcome: string;
  /** When the answer (or the fault) was sent; null while unanswered. */
  answeredAt: number | null;
}

/**
 * Toss `GET /v1/settlements` over the suite's dataset, with faults on command: a script of faults per
 * (page, attempt) like the unit fakes, a hold on a page (answered only once released), and a late row that
 * appears at a given position from some moment on (Toss's data changing under the pager).
 */
export interface DatasetToss {
  readonly url: string;
  /** Requests answered per outcome ('200', '429', 'slow', 'reset', …): the suite checks faults were played. */
  outcomes(): Record<string, number>;
  requests(): number;
  setFaults(faults: Readonly<Record<number, ReadonlyArray<TossFault | null>>>): void;
  /** Requests for `page` wait until `release()`; resolves when the first such request arrived. */
  hold(page: number): Promise<void>;
  release(): void;
  /** From now on, `row` sits at 0-based window position `at` (later rows shift by one). */
  insertLateRow(at: number, row: TossRow): void;
  /** From now on, `rows` follow the window's last row (rows Toss added at the end of the window). */
  appendRows(rows: readonly TossRow[]): void;
  /** Every request for a page of the window so far, in arrival order (after any hold). */
  pageRequests(): readonly PageRequest[];
  close(): Promise<void>;
}

export async function startDatasetToss(dataset: Dataset, secretKey: string): Promise<DatasetToss> {
  const auth = `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
  let faults: Readonly<Record<number, ReadonlyArray<TossFault | null>>> = {};
  const attempts = new Map<number, number>();
  const outcomes: Record<string, number> = {};
  let requests = 0;
  let held: { page: number; arrived: () => void; waiting: Array<() => void> } | null = null;
  let late: { at: number; row: TossRow } | null = null;
  let appended: readonly TossRow[] = [];
  const log: PageRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  // the window as Toss would page it now: the original rows, with the late row (if any) at its position
  const slice = (page: number, size: number): TossRow[] => {
    const rows = baseSlice(page, size);
    if (rows.length === size || appended.length === 0) return rows;
    // the appended rows follow the original window (with its late row)
    const from = (page - 1) * size + rows.length - (dataset.rows + (late ? 1 : 0));
    return [...rows, ...appended.slice(from, from + size - rows.length)];
  };
  const baseSlice = (page: number, size: number): TossRow[] => {
    const start = (page - 1) * size;
    if (!late || late.at >= start + size) return dataset.page(page, size);
    if (late.at < start) return originalRange(dataset, start - 1, start - 1 + size);
    const rows = originalRange(dataset, start, start + size - 1);
    rows.splice(late.at - start, 0, late.row);
    return rows;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://fake');
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('size') ?? '100');
    const count = (outcome: string) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      count(String(status));
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    if (url.pathname !== '/v1/settlements') return send(404, JSON.stringify({ code: 'NOT_FOUND', message: 'no such path' }));
    if (req.headers.authorization !== auth)
      return send(401, JSON.stringify({ code: 'UNAUTHORIZED_KEY', message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.' }));
    if (url.searchParams.get('startDate') !== dataset.from || url.searchParams.get('endDate') !== dataset.to) return send(200, '[]');
    if (held && held.page === page) {
      held.arrived();
      await new Promise<void>((r) => held?.waiting.push(r) ?? r());
    }
    const attempt = (attempts.get(page) ?? 0) + 1;
    attempts.set(page, attempt);
    const entry: PageRequest = { page, attempt, at: Date.now(), outcome: '', answeredAt: null };
    log.push(entry);
    const answered = (outcome: string) => {
      entry.outcome ||= outcome;
      entry.answeredAt ??= Date.now();
    };
    const f = faults[page]?.[attempt - 1] ?? null;
    const body = () => JSON.stringify(f?.kind === 'rows' ? f.rows : slice(page, size));
    if (f === null || f.kind === 'rows') {
      answered('200');
      return send(200, body());
    }
    switch (f.kind) {
      case 'status':
        answered(String(f.status));
        return send(f.status, JSON.stringify({ code: f.code, message: f.message }), f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter });
      case 'slow': {
        count('slow');
        entry.outcome = 'slow';
        const t = setTimeout(() => {
          timers.delete(t);
          answered('slow');
          send(200, body());
        }, f.delayMs);
        timers.add(t);
        return;
      }
      case 'truncated': {
        count('truncated');
        answered('truncated');
        const b = Buffer.from(body());
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(b.length) });
        res.write(b.subarray(0, Math.floor(b.length / 2)), () => res.socket?.destroy());
        return;
      }
      case 'half-json':
        count('half-json');
        answered('half-json');
        return send(200, Buffer.from(body()).subarray(0, 1000));
      case 'reset':
        count('reset');
        answered('reset');
        return void req.socket.resetAndDestroy();
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    outcomes: () => ({ ...outcomes }),
    requests: () => requests,
    setFaults(next) {
      faults = next;
      attempts.clear();
    },
    hold(page) {
      return new Promise<void>((arrived) => (held = { page, arrived, waiting: [] }));
    },
    release() {
      const h = held;
      held = null;
      for (const r of h?.waiting ?? []) r();
    },
    insertLateRow(at, row) {
      late = { at, row };
    },
    appendRows(rows) {
      appended = [...rows];
    },
    pageRequests: () => log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Original rows [from, to) of the window, by whole blocks. */
function originalRange(dataset: Dataset, from: number, to: number): TossRow[] {
  const first = Math.floor(from / BLOCK);
  const last = Math.min(Math.ceil(to / BLOCK), dataset.blocks);
  const rows: TossRow[] = [];
  for (let b = first; b < last; b++) rows.push(...dataset.block(b));
  return rows.slice(from - first * BLOCK, to - first * BLOCK);
}
