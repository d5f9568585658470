import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { PrefetchingPageReader } from '../../../src/infrastructure/toss/prefetching-page-reader.js';
import { TossSettlementsClient } from '../../../src/infrastructure/toss/toss-settlements-client.js';

/**
 * Pages waiting their turn are held as the bytes Toss sent and parsed when handed out (memory: docs/performance.md, "The
 * producer's memory"). A body cut short must still be fetched again, never published half or taken for a last page.
 */
const window = settlementWindow('2025-02-03', '2025-02-03');
const SIZE = 2;
const full = (page: number) => JSON.stringify([{ transactionKey: `t${page}a` }, { transactionKey: `t${page}b` }]);

/** What the server answers, per page, one body per request in turn (the last one repeats). */
let script: Map<number, string[]>;
const served: number[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page'));
    served.push(page);
    const bodies = script.get(page) ?? ['[]'];
    const body = bodies.length > 1 ? (bodies.shift() as string) : (bodies[0] as string);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  served.length = 0;
});

const client = () =>
  new TossSettlementsClient({
    baseUrl,
    secretKey: new Secret('test_sk_raw'),
    timeoutMs: 2_000,
    maxRetries: 3,
    baseDelayMs: 1,
    maxDelayMs: 2,
    logger: createLogger('silent', { pretty: false }),
  });

async function readAll(reader: PrefetchingPageReader): Promise<Array<{ page: number; rows: unknown[] }>> {
  const pages = [];
  for await (const p of reader.pages(window, 1, SIZE)) pages.push(p);
  return pages;
}

describe('raw settlement pages', () => {
  it('hands pages out parsed, in order, and parses each once', async () => {
    script = new Map([
      [1, [full(1)]],
      [2, [full(2)]],
      [3, ['[{"transactionKey":"t3a"}]']],
    ]);
    const c = client();
    const raw = await c.fetchRawPage(window, 1, SIZE);
    expect(raw.bytes).toBe(Buffer.byteLength(full(1)));
    expect(raw.rows()).toEqual(JSON.parse(full(1)));
    const pages = await readAll(new PrefetchingPageReader(c, 3));
    expect(pages.map((p) => [p.page, p.rows.length])).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
    ]);
    await c.close();
  });

  it('fetches again a body cut short before its array ends (the fetch retries it)', async () => {
    script = new Map([
      [1, [full(1).slice(0, 20), full(1)]],
      [2, ['[]']],
    ]);
    const c = client();
    const pages = await readAll(new PrefetchingPageReader(c, 1));
    expect(pages[0]?.rows).toEqual(JSON.parse(full(1)));
    expect(served.filter((p) => p === 1)).toHaveLength(2);
    await c.close();
  });

  it('fetches again a body cut short that still closes an array (found when parsed)', async () => {
    script = new Map([
      [1, ['[{"transactionKey":"t1a","fees":[1]', full(1)]],
      [2, ['[]']],
    ]);
    const c = client();
    const raw = await c.fetchRawPage(window, 1, SIZE);
    expect(() => raw.rows()).toThrow(expect.objectContaining({ code: 'TOSS_TRUNCATED_BODY' }) as Error);
    script.set(1, ['[{"transactionKey":"t1a","fees":[1]', full(1)]);
    const pages = await readAll(new PrefetchingPageReader(c, 2));
    expect(pages.map((p) => p.rows)).toEqual([JSON.parse(full(1)), []]);
    await c.close();
  });

  it('refuses a body that is not an array when it is fetched', async () => {
    script = new Map([[1, ['{"code":"X"}']]]);
    const c = client();
    await expect(c.fetchRawPage(window, 1, SIZE)).rejects.toMatchObject({ code: 'TOSS_UNEXPECTED_BODY' });
    await c.close();
  });
});
