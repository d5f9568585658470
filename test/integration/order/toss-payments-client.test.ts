import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { TossPaymentsClient } from '../../../src/infrastructure/toss/toss-payments-client.js';

/**
 * The Toss payments adapter against Prism serving mock-server/toss-openapi.yaml (success, and Toss's 4xx codes
 * picked with `Prefer: code=…, example=…`), and against a local server that fails on purpose to prove retries
 * reuse the Idempotency-Key.
 */
const PRISM = process.env.TOSS_API_BASE_URL ?? 'http://127.0.0.1:4010';
const SECRET = 'test_sk_it_payments_secret_0042';
const secretB64 = Buffer.from(`${SECRET}:`).toString('base64');
const confirm = { paymentKey: 'tviva20250209065832Ab3x7', orderId: 'ORD-it-000101', amount: 50_000 };
const partial = { paymentKey: confirm.paymentKey, cancelReason: 'changed mind', cancelAmount: 10_000, refundableAmount: 50_000 };

const prism = (prefer?: string, maxRetries = 0) =>
  new TossPaymentsClient({
    baseUrl: PRISM,
    secretKey: new Secret(SECRET),
    maxRetries,
    baseDelayMs: 5,
    maxDelayMs: 20,
    timeoutMs: 10_000,
    ...(prefer ? { extraHeaders: { Prefer: prefer } } : {}),
  });

/** The rejection of `p` (failing the test if it resolves), for assertions on the error object. */
async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('TossPaymentsClient against Prism', () => {
  it('confirm returns the approval: UTC approvedAt, transactionKey, card method', async () => {
    const client = prism();
    const approved = await client.confirm(confirm, 'settle:confirm:ORD-it-000101:pk');
    expect(approved).toMatchObject({
      status: 'DONE',
      method: '카드',
      approvedAt: '2025-02-08T21:58:32.000Z',
      transactionKey: '6F1B2C9D0E4A7B3C5D8E9F0A1B2C3D4E',
      totalAmount: 50_000,
    });
    expect(approved.methodDetails).toMatchObject({ issuerCode: '61', number: '43301234****123*' });
    await client.close();
  });

  it('cancel returns the transactionKey and time of the cancel Toss appended', async () => {
    const client = prism();
    expect(await client.cancel(partial, 'settle:cancel:ORD-it-000101:1')).toEqual({
      status: 'PARTIAL_CANCELED',
      transactionKey: '7D2E4F6A8C0B1D3E5F7A9C0E2B4D6F8A',
      canceledAt: '2025-02-11T06:40:02.000Z',
      balanceAmount: 40_000,
    });
    const full = prism('code=200, example=fullCancel');
    expect(await full.cancel({ ...partial, cancelAmount: null }, 'settle:cancel:ORD-it-000101:2')).toMatchObject({
      status: 'CANCELED',
      transactionKey: '8E3F5A7B9D1C2E4F6A8B0D1F3A5C7E9B',
    });
    await client.close();
    await full.close();
  });

  it.each([
    ['code=403, example=NOT_CANCELABLE_AMOUNT', 'cancel', 'TOSS_REFUSED', 'NOT_CANCELABLE_AMOUNT', 'rule', 403],
    ['code=403, example=NOT_CANCELABLE_PAYMENT', 'cancel', 'TOSS_REFUSED', 'NOT_CANCELABLE_PAYMENT', 'rule', 403],
    ['code=400, example=NOT_MATCHES_REFUNDABLE_AMOUNT', 'cancel', 'TOSS_REFUSED', 'NOT_MATCHES_REFUNDABLE_AMOUNT', 'rule', 400],
    ['code=400, example=ALREADY_CANCELED_PAYMENT', 'cancel', 'TOSS_REFUSED', 'ALREADY_CANCELED_PAYMENT', 'rule', 400],
    ['code=403, example=REJECT_CARD_COMPANY', 'confirm', 'TOSS_REFUSED', 'REJECT_CARD_COMPANY', 'rule', 403],
    ['code=400, example=ALREADY_PROCESSED_PAYMENT', 'confirm', 'TOSS_REFUSED', 'ALREADY_PROCESSED_PAYMENT', 'rule', 400],
    ['code=404, example=NOT_FOUND_PAYMENT_SESSION', 'confirm', 'TOSS_REFUSED', 'NOT_FOUND_PAYMENT_SESSION', 'rule', 404],
    ['code=401, example=UNAUTHORIZED_KEY', 'confirm', 'TOSS_REQUEST_REJECTED', 'UNAUTHORIZED_KEY', 'usage', 401],
    ['code=400, example=INVALID_IDEMPOTENCY_KEY', 'confirm', 'TOSS_REQUEST_REJECTED', 'INVALID_IDEMPOTENCY_KEY', 'usage', 400],
  ] as const)('maps %s (%s) to %s (%s), category %s, without retrying', async (prefer, op, code, tossCode, category, status) => {
    const client = prism(prefer, 3);
    const error = await rejection(op === 'cancel' ? client.cancel(partial, 'k-1') : client.confirm(confirm, 'k-1'));
    expect(error).toMatchObject({ code, category, retriable: false, details: { status, tossCode } });
    await client.close();
  });

  it('gives up on a persistent 500 as a transient error once the retries run out', async () => {
    const client = prism('code=500, example=FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING', 2);
    expect(await rejection(client.confirm(confirm, 'k-500'))).toMatchObject({
      code: 'TOSS_UNAVAILABLE',
      category: 'transient',
      retriable: true,
      details: { tossCode: 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING' },
    });
    await client.close();
  });

  it('never puts the secret key into an error, its JSON or its inspection', async () => {
    const client = prism('code=401, example=UNAUTHORIZED_KEY');
    const error = await rejection(client.confirm(confirm, 'k-401'));
    for (const text of [String(error), JSON.stringify(error), inspect(error, { depth: 10 }), JSON.stringify((error as { details?: unknown }).details)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(secretB64);
    }
    await client.close();
  });
});

interface Seen {
  readonly idempotencyKey: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** A Toss stand-in: answers each request with the next scripted step, recording what it saw. */
async function scriptedServer(steps: Array<(res: ServerResponse, req: IncomingMessage) => void>): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ idempotencyKey: req.headers['idempotency-key'] as string | undefined, authorization: req.headers.authorization, body });
      const step = steps[Math.min(seen.length - 1, steps.length - 1)];
      step?.(res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const approvedBody = {
  status: 'DONE',
  method: '카드',
  card: { issuerCode: '61' },
  approvedAt: '2025-02-09T06:58:32+09:00',
  transactionKey: 'tx-approve',
  totalAmount: 50_000,
  balanceAmount: 50_000,
  cancels: null,
};
const canceledBody = {
  ...approvedBody,
  status: 'CANCELED',
  balanceAmount: 0,
  lastTransactionKey: 'tx-c2',
  cancels: [
    { transactionKey: 'tx-c1', canceledAt: '2025-02-10T10:00:00+09:00' },
    { transactionKey: 'tx-c2', canceledAt: '2025-02-11T10:00:00+09:00' },
  ],
};

describe('TossPaymentsClient retries', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });
  const client = (url: string, timeoutMs = 5_000) =>
    new TossPaymentsClient({ baseUrl: url, secretKey: new Secret(SECRET), maxRetries: 4, baseDelayMs: 5, maxDelayMs: 20, timeoutMs });

  let seenAuth: string | undefined;
  beforeAll(async () => {
    const s = await scriptedServer([json(200, approvedBody)]);
    servers.push(s.server);
    await client(s.url).confirm(confirm, 'k-auth');
    seenAuth = s.seen[0]?.authorization;
  });

  it('sends Basic auth of "<secretKey>:" (the colon is mandatory)', () => {
    expect(seenAuth).toBe(`Basic ${secretB64}`);
  });

  it('retries 429 and 503 with the SAME Idempotency-Key, then succeeds', async () => {
    const s = await scriptedServer([
      json(429, { code: 'TOO_MANY_REQUESTS', message: 'slow down' }, { 'retry-after': '0' }),
      json(503, { code: 'UNAVAILABLE', message: 'x' }),
      json(200, approvedBody),
    ]);
    servers.push(s.server);
    const approved = await client(s.url).confirm(confirm, 'settle:confirm:ORD-it-000101:pk');
    expect(approved.transactionKey).toBe('tx-approve');
    expect(s.seen.map((x) => x.idempotencyKey)).toEqual(Array(3).fill('settle:confirm:ORD-it-000101:pk'));
    expect(new Set(s.seen.map((x) => x.body)).size).toBe(1);
  });

  it('retries 409 IDEMPOTENT_REQUEST_PROCESSING and a dropped connection with the same key', async () => {
    const s = await scriptedServer([
      json(409, { code: 'IDEMPOTENT_REQUEST_PROCESSING', message: '처리중' }),
      (res) => res.socket?.destroy(),
      json(200, canceledBody),
    ]);
    servers.push(s.server);
    const canceled = await client(s.url).cancel({ ...partial, cancelAmount: null }, 'settle:cancel:ORD-it-000101:2');
    expect(canceled).toEqual({ status: 'CANCELED', transactionKey: 'tx-c2', canceledAt: '2025-02-11T01:00:00.000Z', balanceAmount: 0 });
    expect(s.seen.map((x) => x.idempotencyKey)).toEqual(Array(3).fill('settle:cancel:ORD-it-000101:2'));
    // a full cancel omits cancelAmount; refundableAmount still guards the balance
    expect(JSON.parse(s.seen[0]?.body ?? '{}')).toEqual({ cancelReason: 'changed mind', refundableAmount: 50_000 });
  });

  it('times out a silent server and reports it as transient after the retries', async () => {
    const s = await scriptedServer([() => undefined]);
    servers.push(s.server);
    const slow = new TossPaymentsClient({ baseUrl: s.url, secretKey: new Secret(SECRET), maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 300 });
    expect(await rejection(slow.confirm(confirm, 'k-slow'))).toMatchObject({ code: 'TOSS_TIMEOUT', category: 'transient' });
    expect(s.seen.map((x) => x.idempotencyKey)).toEqual(['k-slow', 'k-slow']);
    s.server.closeAllConnections();
  });

  it('does not retry a 403 refusal', async () => {
    const s = await scriptedServer([json(403, { code: 'NOT_CANCELABLE_AMOUNT', message: '취소 할 수 없는 금액 입니다.' }), json(200, canceledBody)]);
    servers.push(s.server);
    expect(await rejection(client(s.url).cancel(partial, 'k-403'))).toMatchObject({
      code: 'TOSS_REFUSED',
      category: 'rule',
      details: { tossCode: 'NOT_CANCELABLE_AMOUNT' },
    });
    expect(s.seen).toHaveLength(1);
  });
});
