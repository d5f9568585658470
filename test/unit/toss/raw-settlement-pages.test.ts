import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { allRows } from '../../../src/application/settlement/ports.js';
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

const client = (rowsPerPart?: number) =>
  new TossSettlementsClient({
    baseUrl,
    secretKey: new Secret('test_sk_raw'),
    timeoutMs: 2_000,
    maxRetries: 3,
    baseDelayMs: 1,
    maxDelayMs: 2,
    ...(rowsPerPart === undefined ? {} : { rowsPerPart }),
    logger: createLogger('silent', { pretty: false }),
  });

async function readAll(reader: PrefetchingPageReader): Promise<Array<{ page: number; rows: unknown[] }>> {
  const pages = [];
  for await (const p of reader.pages(window, 1, SIZE)) pages.push({ page: p.page, rows: allRows(p) });
  return pages;
}

/** Rows of every kind of JSON value a part boundary must not be fooled by: brackets, commas and escapes in strings, nesting, Korean. */
const tricky = (n: number) => ({
  transactionKey: `t${n}`,
  note: n % 2 ? 'a "quoted" ], {brace}, [bracket] \\ and \\"' : '카드 결제, 정산',
  fees: [{ type: 'BASE', fee: n }, []],
  nested: { a: [1, { b: '}' }], c: null },
  flag: n % 3 === 0,
});

describe('raw settlement pages', () => {
  it('hands pages out in order, counted before parsing, parsed a part at a time, and each once', async () => {
    script = new Map([
      [1, [full(1)]],
      [2, [full(2)]],
      [3, ['[{"transactionKey":"t3a"}]']],
    ]);
    const c = client();
    const raw = await c.fetchRawPage(window, 1, SIZE);
    expect(raw.bytes).toBe(Buffer.byteLength(full(1)));
    expect(raw.count).toBe(2);
    expect([...raw.parts()]).toEqual([JSON.parse(full(1))]);
    expect(() => raw.parts()).toThrow('already read');
    const pages = await readAll(new PrefetchingPageReader(c, 3));
    expect(pages.map((p) => [p.page, p.rows.length])).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
    ]);
    await c.close();
  });

  it("reuses a released page's buffer for a later page, never one still held, and a second release changes nothing", async () => {
    script = new Map([
      [1, [full(1)]],
      [2, [full(2)]],
      [3, [full(3)]],
      [4, [full(4)]],
    ]);
    const c = client();
    const p1 = await c.fetchRawPage(window, 1, SIZE);
    const p2 = await c.fetchRawPage(window, 2, SIZE);
    const memory = (p: { json: { text: Buffer } | null }) => p.json?.text.buffer;
    expect(memory(p2)).not.toBe(memory(p1));
    p1.release();
    p1.release();
    const p3 = await c.fetchRawPage(window, 3, SIZE);
    expect(memory(p3)).toBe(memory(p1)); // reused
    const p4 = await c.fetchRawPage(window, 4, SIZE);
    expect(memory(p4)).not.toBe(memory(p3)); // p1's second release did not give its buffer twice
    expect(memory(p4)).not.toBe(memory(p2));
    for (const [p, n] of [
      [p2, 2],
      [p3, 3],
      [p4, 4],
    ] as const)
      expect(JSON.parse(p.json?.text.toString() ?? 'null')).toEqual(JSON.parse(full(n)));
    await c.close();
  });

  it.each([1, 2, 3, 7, 50])('cuts a page into parts of %i rows exactly where its rows end, whatever their strings hold', async (perPart) => {
    const rows = Array.from({ length: 7 }, (_, n) => tricky(n));
    const body = `\n [ ${rows.map((r, i) => (i % 2 ? JSON.stringify(r, null, 2) : JSON.stringify(r))).join(' ,\n')} ]\n`;
    script = new Map([[1, [body]]]);
    const c = client(perPart);
    const raw = await c.fetchRawPage(window, 1, 10);
    expect(raw.count).toBe(7);
    const parts = [...raw.parts()];
    expect(parts.map((p) => p.length)).toEqual(Array.from({ length: Math.ceil(7 / perPart) }, (_, i) => Math.min(perPart, 7 - i * perPart)));
    expect(parts.flat()).toEqual(rows);
    await c.close();
  });

  it('counts an empty page (with or without spaces) as no rows and no parts', async () => {
    script = new Map([[1, ['[ \n ]']]]);
    const c = client();
    const raw = await c.fetchRawPage(window, 1, SIZE);
    expect([raw.count, [...raw.parts()]]).toEqual([0, []]);
    await c.close();
  });

  it.each([
    ['cut short before its array ends', full(1).slice(0, 20)],
    ['cut short right after a nested array, still ending in a bracket', '[{"transactionKey":"t1a","fees":[1]'],
    ['cut short inside a string holding a bracket', '[{"transactionKey":"t1a","note":"]'],
    ['cut short inside a string after an escaped quote', '[{"transactionKey":"t1a","note":"\\"]'],
    ['with text after its array', `${full(1)} x`],
  ])('fetches again a body %s: its outline does not close, so the fetch fails and retries it', async (_case, broken) => {
    script = new Map([
      [1, [broken, full(1)]],
      [2, ['[]']],
    ]);
    const c = client();
    const pages = await readAll(new PrefetchingPageReader(c, 2));
    expect(pages.map((p) => p.rows)).toEqual([JSON.parse(full(1)), []]);
    expect(served.filter((p) => p === 1)).toHaveLength(2);
    await c.close();
  });

  it('fails the part that is not valid JSON, naming its rows, after handing out the parts before it', async () => {
    const good = (n: number) => JSON.stringify({ transactionKey: `t${n}` });
    script = new Map([[1, [`[${good(1)},${good(2)},${good(3)},{"transactionKey":tru},${good(5)}]`]]]);
    const c = client(2);
    const raw = await c.fetchRawPage(window, 1, 10);
    expect(raw.count).toBe(5);
    const seen: unknown[][] = [];
    expect(() => {
      for (const part of raw.parts()) seen.push(part);
    }).toThrow(expect.objectContaining({ code: 'TOSS_UNEXPECTED_BODY', message: 'Toss settlement page 1 is not valid JSON in rows 3-4' }) as Error);
    expect(seen).toEqual([[{ transactionKey: 't1' }, { transactionKey: 't2' }]]);
    await c.close();
  });

  it('hands out the rows as their text too: row i between bounds i and i + 1, parsed alone on demand, a row that is not JSON named', async () => {
    const rows = [{ transactionKey: 't1', note: 'a, b [c] {d}' }, { transactionKey: 't2', note: '콤마,"' }, [1, 2], 'x'];
    script = new Map([[1, [` [ ${rows.map((r) => JSON.stringify(r)).join(' ,\n')} , {"transactionKey":tru} ] `]]]);
    const c = client(2);
    const raw = await c.fetchRawPage(window, 1, 10);
    const json = raw.json as NonNullable<typeof raw.json>;
    expect(raw.count).toBe(5);
    expect(json.bounds).toHaveLength(6);
    const texts = Array.from({ length: 5 }, (_, i) => json.text.toString('utf8', (json.bounds[i] as number) + 1, json.bounds[i + 1]).trim());
    expect(texts).toEqual([...rows.map((r) => JSON.stringify(r)), '{"transactionKey":tru}']);
    expect([0, 1, 2, 3].map((i) => json.parse(i))).toEqual(rows);
    expect(() => json.parse(4)).toThrow(
      expect.objectContaining({ code: 'TOSS_UNEXPECTED_BODY', message: 'Toss settlement page 1 is not valid JSON in row 5' }) as Error,
    );
    script = new Map([[1, ['[ ]']]]);
    expect((await c.fetchRawPage(window, 1, 10)).json).toBeNull();
    await c.close();
  });

  it('refuses a body that is not an array when it is fetched', async () => {
    script = new Map([[1, ['{"code":"X"}']]]);
    const c = client();
    await expect(c.fetchRawPage(window, 1, SIZE)).rejects.toMatchObject({ code: 'TOSS_UNEXPECTED_BODY' });
    await c.close();
  });
});
