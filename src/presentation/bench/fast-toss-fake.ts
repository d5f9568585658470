import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
}

export interface FastTossFake {
  readonly url: string;
  readonly pages: number;
  requests(): number;
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

function pageBody(t: PageTemplate, page: number): Buffer {
  const out = Buffer.from(t.body);
  const digits = String(page).padStart(MARKER_DIGITS, '0');
  for (const at of t.offsets) out.write(digits, at, 'latin1');
  return out;
}

export async function startFastTossFake(options: FastTossFakeOptions): Promise<FastTossFake> {
  if (options.rows >= 10 ** MARKER_DIGITS * options.pageSize) throw new Error(`at most ${10 ** MARKER_DIGITS - 1} pages`);
  const full = template(options.pageSize, options.soldDate);
  const lastRows = options.rows % options.pageSize;
  const last = lastRows > 0 ? template(lastRows, options.soldDate) : null;
  const fullPages = Math.floor(options.rows / options.pageSize);
  const auth = `Basic ${Buffer.from(`${options.secretKey}:`).toString('base64')}`;
  const empty = Buffer.from('[]');
  let requests = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: Buffer | string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (url.pathname !== '/v1/settlements') return send(404, JSON.stringify({ code: 'NOT_FOUND', message: 'no such path' }));
    if (req.headers.authorization !== auth) return send(401, JSON.stringify({ code: 'UNAUTHORIZED_KEY', message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.' }));
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('size') ?? '100');
    if (size !== options.pageSize) return send(400, JSON.stringify({ code: 'INVALID_REQUEST', message: `the fast fake serves size=${options.pageSize} only` }));
    if (page <= fullPages) return send(200, pageBody(full, page));
    if (page === fullPages + 1 && last) return send(200, pageBody(last, page));
    return send(200, empty);
  };

  const server: Server = createServer({ keepAliveTimeout: 60_000 }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pages: fullPages + (last ? 1 : 0),
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
