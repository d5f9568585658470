import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { TossSettlementsClient } from '../../../src/infrastructure/toss/toss-settlements-client.js';
import { silentLogger, stack, testSecretKey } from '../../support/producer-stack.js';

const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as unknown[];
const secretKey = testSecretKey();
const window = settlementWindow('2025-02-09', '2025-02-10');

interface Exchange {
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
  readonly violations: string | undefined;
}

/** Sits between our client and Prism: records each request and Prism's verdict, and can add headers. */
let proxy: Server;
let proxyUrl: string;
let exchanges: Exchange[] = [];
let extraHeaders: Record<string, string> = {};

beforeAll(async () => {
  proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', stack.prismUrl);
    const { host: _host, connection: _connection, ...headers } = req.headers;
    request(url, { method: 'GET', headers: { ...headers, ...extraHeaders } }).then(
      async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        const violations = answer.headers['sl-violations'];
        exchanges.push({ url, headers: req.headers, status: answer.statusCode, violations: Array.isArray(violations) ? violations.join() : violations });
        res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json'), 'content-length': body.length });
        res.end(body);
      },
      (error: unknown) => res.destroy(error as Error),
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterEach(() => {
  exchanges = [];
  extraHeaders = {};
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
});

const client = (maxRetries = 0) =>
  new TossSettlementsClient({
    baseUrl: proxyUrl,
    secretKey: new Secret(secretKey),
    timeoutMs: 10_000,
    maxRetries,
    baseDelayMs: 10,
    maxDelayMs: 50,
    logger: silentLogger(),
  });

describe('TossSettlementsClient against Prism serving our OpenAPI spec', () => {
  it('sends a request the spec accepts (no violations) and reads the bare array of settlement rows', async () => {
    const toss = client();
    try {
      const rows = await toss.fetchPage(window, 1, 5000);
      expect(rows).toEqual(examples);
    } finally {
      await toss.close();
    }
    const [exchange] = exchanges;
    expect(exchanges).toHaveLength(1);
    expect(exchange).toMatchObject({ status: 200, violations: undefined });
    const q = Object.fromEntries(exchange?.url.searchParams ?? []);
    expect(q).toEqual({ startDate: '2025-02-09', endDate: '2025-02-10', dateType: 'soldDate', page: '1', size: '5000' });
    expect(q.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number(q.size)).toBeLessThanOrEqual(5000);
  });

  it('authenticates with Basic base64("<secret key>:"), the colon included', async () => {
    const toss = client();
    await toss.fetchPage(window, 1, 100).finally(() => toss.close());
    const authorization = exchanges[0]?.headers.authorization ?? '';
    expect(authorization).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8')).toBe(`${secretKey}:`);
  });

  it('is held to the spec: a page size over 5000 is refused by Prism as INVALID_REQUEST, without a retry', async () => {
    const toss = client(3);
    await expect(toss.fetchPage(window, 1, 5001).finally(() => toss.close())).rejects.toMatchObject({
      code: 'TOSS_REQUEST_REJECTED',
      category: 'usage',
      details: { status: 400, tossCode: 'INVALID_REQUEST' },
    });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.violations).toContain('size');
  });

  it('retries a 429 and gives up after maxRetries with a transient error (Prefer: code=429)', async () => {
    extraHeaders = { prefer: 'code=429' };
    const toss = client(1);
    await expect(toss.fetchPage(window, 1, 5000).finally(() => toss.close())).rejects.toMatchObject({
      code: 'TOSS_UNAVAILABLE',
      category: 'transient',
      retriable: true,
      details: { status: 429, tossCode: 'TOO_MANY_REQUESTS' },
    });
    expect(exchanges.map((e) => e.status)).toEqual([429, 429]);
  });
});

describe('Prism as Toss', () => {
  it('refuses a request without credentials with a Toss-shaped 401', async () => {
    const res = await request(`${stack.prismUrl}/v1/settlements?startDate=2025-02-09&endDate=2025-02-10&page=1&size=100`);
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toEqual({ code: 'UNAUTHORIZED_KEY', message: expect.any(String) as unknown });
  });
});
