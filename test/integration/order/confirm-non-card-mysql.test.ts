import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmPayment } from '../../../src/application/order/confirm-payment.js';
import type { OrderStore } from '../../../src/application/order/order-store.js';
import { PaymentOperationIncomplete } from '../../../src/application/order/payment-operation.js';
import { PlaceOrder } from '../../../src/application/order/place-order.js';
import { ReconcilePayments } from '../../../src/application/order/reconcile-payments.js';
import { ShowOrder } from '../../../src/application/order/show-order.js';
import { PaymentMethodNotAllowed } from '../../../src/domain/order/order-rule-violations.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { MySqlOrderStore } from '../../../src/infrastructure/mysql/mysql-order-store.js';
import { MySqlPaymentReconciliation } from '../../../src/infrastructure/mysql/mysql-payment-reconciliation.js';
import { MySqlSettlementLookup } from '../../../src/infrastructure/mysql/mysql-settlement-lookup.js';
import { TossPaymentsClient } from '../../../src/infrastructure/toss/toss-payments-client.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';
import { calculator, FixedClock, LINES, TOTAL } from '../../unit/order/fakes/fixtures.js';
import { OrderTestDb } from './order-test-db.js';

/**
 * B3 on the real stack: MariaDB holds the orders, and a local HTTP stand-in for Toss approves the checkout as a
 * virtual account. Like Toss it answers a repeated Idempotency-Key from its store without doing the work again,
 * so "cancelled once" is something it can count.
 */
interface TossFake {
  readonly url: string;
  /** Every POST, in order: path and Idempotency-Key. */
  readonly seen: Array<{ path: string; key: string; body: Record<string, unknown> }>;
  /** How many cancels Toss actually performed (replays excluded). */
  cancels: number;
  /** Status codes the next new cancels answer with instead of performing them (e.g. 503). */
  readonly failCancels: number[];
  readonly server: Server;
}

async function tossFake(method: string): Promise<TossFake> {
  const answers = new Map<string, { status: number; body: unknown }>();
  const fake = { seen: [], cancels: 0, failCancels: [] } as unknown as TossFake & { url: string; server: Server };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      const key = String(req.headers['idempotency-key']);
      const body = JSON.parse(text) as Record<string, unknown>;
      fake.seen.push({ path, key, body });
      const answer = answers.get(key) ?? perform(path, body);
      if (answer.status < 500) answers.set(key, answer); // Toss keeps an answer, not an outage
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  const approved = (paymentKey: unknown) => ({
    paymentKey,
    status: method === '가상계좌' ? 'WAITING_FOR_DEPOSIT' : 'DONE',
    method,
    card: null,
    approvedAt: '2025-02-09T06:58:32+09:00',
    transactionKey: 'tx-approve-va',
    totalAmount: TOTAL,
    balanceAmount: TOTAL,
    cancels: null,
  });
  function perform(path: string, body: Record<string, unknown>): { status: number; body: unknown } {
    if (path === '/v1/payments/confirm') return { status: 200, body: approved(body.paymentKey) };
    const failure = fake.failCancels.shift();
    if (failure !== undefined) return { status: failure, body: { code: 'FAILED_INTERNAL_SYSTEM_PROCESSING', message: 'try again' } };
    fake.cancels += 1;
    const paymentKey = decodeURIComponent(path.split('/')[3] ?? '');
    return {
      status: 200,
      body: {
        ...approved(paymentKey),
        status: 'CANCELED',
        balanceAmount: 0,
        lastTransactionKey: `tx-void-${fake.cancels}`,
        cancels: [{ transactionKey: `tx-void-${fake.cancels}`, canceledAt: '2025-02-09T07:00:00+09:00' }],
      },
    };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server });
}

let db: OrderTestDb;
let toss: TossFake;
let client: TossPaymentsClient;
beforeAll(async () => {
  db = await OrderTestDb.create('noncard');
  toss = await tossFake('가상계좌');
  client = new TossPaymentsClient({ baseUrl: toss.url, secretKey: new Secret('test_sk_it_noncard_0000'), maxRetries: 0, timeoutMs: 10_000 });
});
afterAll(async () => {
  await client?.close();
  await new Promise((resolve) => toss?.server.close(resolve));
  await db?.drop();
});

/** The real store; transaction number `failAt` (1-based) rolls back as if the connection dropped at commit. */
function storeFailing(failAt: number | null): OrderStore {
  const real = new MySqlOrderStore(db.pool);
  let n = 0;
  return {
    transaction: (work) =>
      ++n === failAt
        ? real.transaction(async (tx) => {
            await work(tx);
            throw new SettleError('MYSQL_PROTOCOL_CONNECTION_LOST', 'connection lost (injected)');
          })
        : real.transaction(work),
  };
}

const pay = (orderId: string, store: OrderStore = storeFailing(null)) =>
  new ConfirmPayment({ store, toss: client, clock: new FixedClock(), calculator: calculator() }).execute({
    orderId,
    paymentKey: `pk-${orderId}`,
    amount: TOTAL,
  });

async function placed(orderId: string): Promise<void> {
  const store = storeFailing(null);
  await new PlaceOrder({ store, clock: new FixedClock(), ids: { orderId: () => orderId } }).execute({ orderId, items: LINES });
  toss.seen.length = 0;
  toss.cancels = 0;
}

async function rows(sql: string, orderId: string): Promise<RowDataPacket[]> {
  const [result] = await db.pool.query<RowDataPacket[]>(sql, [orderId]);
  return result;
}
const operations = (orderId: string) =>
  rows('SELECT kind, status, attempts, error_code, idempotency_key FROM payment_operations WHERE order_id = ? ORDER BY kind', orderId);
const keysSeen = () => toss.seen.map((s) => [s.path.endsWith('/cancel') ? 'cancel' : 'confirm', s.key]);

async function rejection(p: Promise<unknown>): Promise<SettleError> {
  try {
    await p;
  } catch (error) {
    return error as SettleError;
  }
  throw new Error('expected a rejection');
}

describe('a payment Toss approves with a method other than card (MariaDB + Toss over HTTP)', () => {
  it('is recorded, cancelled in full at Toss under a derived key, and refused with exit 7', async () => {
    await placed('ORD-it-va-1');
    const error = await rejection(pay('ORD-it-va-1'));
    expect(error).toBeInstanceOf(PaymentMethodNotAllowed);
    expect(error).toMatchObject({ code: 'PAYMENT_METHOD_NOT_ALLOWED', details: { method: '가상계좌' } });
    expect(exitCodeFor(error.category)).toBe(7);

    const voidKey = 'settle:void-non-card:ORD-it-va-1:pk-ORD-it-va-1';
    expect(keysSeen()).toEqual([
      ['confirm', 'settle:confirm:ORD-it-va-1:pk-ORD-it-va-1'],
      ['cancel', voidKey],
    ]);
    expect(toss.seen[1]?.path).toBe('/v1/payments/pk-ORD-it-va-1/cancel');
    expect(toss.seen[1]?.body).toEqual({ cancelReason: 'payment method 가상계좌 is not accepted (card only)', refundableAmount: TOTAL }); // no cancelAmount: full
    expect(await operations('ORD-it-va-1')).toEqual([
      { kind: 'CONFIRM', status: 'DONE', attempts: 1, error_code: null, idempotency_key: 'settle:confirm:ORD-it-va-1:pk-ORD-it-va-1' },
      { kind: 'VOID', status: 'DONE', attempts: 1, error_code: null, idempotency_key: voidKey },
    ]);
    const [request] = await rows("SELECT request FROM payment_operations WHERE order_id = ? AND kind = 'VOID'", 'ORD-it-va-1');
    expect(JSON.parse(String(request?.request))).toMatchObject({
      method: '가상계좌',
      approvalTransactionKey: 'tx-approve-va',
      approvedAt: '2025-02-08T21:58:32.000Z',
    });
    expect(await rows('SELECT * FROM payments WHERE order_id = ?', 'ORD-it-va-1')).toEqual([]);
    expect(await rows('SELECT status FROM orders WHERE order_id = ?', 'ORD-it-va-1')).toEqual([{ status: 'ORDER_COMPLETED' }]);
  });

  it("Toss answering the cancel 503 through all the client's retries: FAILED with its code and message, exit 4, shown and reconciled; the printed command completes it with the same key", async () => {
    await placed('ORD-it-va-2');
    const retrying = new TossPaymentsClient({
      baseUrl: toss.url,
      secretKey: new Secret('test_sk_it_noncard_0000'),
      maxRetries: 2,
      baseDelayMs: 1,
      maxDelayMs: 5,
      timeoutMs: 10_000,
    });
    const store = storeFailing(null);
    toss.failCancels.push(503, 503, 503);
    const first = await rejection(
      new ConfirmPayment({ store, toss: retrying, clock: new FixedClock(), calculator: calculator() }).execute({
        orderId: 'ORD-it-va-2',
        paymentKey: 'pk-ORD-it-va-2',
        amount: TOTAL,
      }),
    );
    await retrying.close();
    const retry = 'settle order pay ORD-it-va-2 --payment-key pk-ORD-it-va-2 --amount 31000';
    expect(first).toMatchObject({
      code: 'PAYMENT_VOID_INCOMPLETE',
      details: { causeCode: 'TOSS_UNAVAILABLE', status: 'FAILED', retryCommand: retry },
    });
    expect(exitCodeFor(first.category)).toBe(4);
    const voidKey = 'settle:void-non-card:ORD-it-va-2:pk-ORD-it-va-2';
    expect(keysSeen()).toEqual([
      ['confirm', 'settle:confirm:ORD-it-va-2:pk-ORD-it-va-2'],
      ['cancel', voidKey],
      ['cancel', voidKey],
      ['cancel', voidKey], // the client's two retries, same key
    ]);
    const [failed] = await rows(
      "SELECT status, error_code, error_message, attempts FROM payment_operations WHERE order_id = ? AND kind = 'VOID'",
      'ORD-it-va-2',
    );
    expect(failed).toEqual({
      status: 'FAILED',
      error_code: 'TOSS_UNAVAILABLE',
      error_message: 'Toss answered 503 FAILED_INTERNAL_SYSTEM_PROCESSING: try again',
      attempts: 1,
    });

    const shown = await new ShowOrder({ store, settlements: new MySqlSettlementLookup(db.pool), clock: new FixedClock() }).execute('ORD-it-va-2');
    expect(shown.voids).toMatchObject([{ status: 'FAILED', errorCode: 'TOSS_UNAVAILABLE', attempts: 1, retryCommand: retry }]);
    const reconciled = await new ReconcilePayments({ source: new MySqlPaymentReconciliation(db.pool), clock: new FixedClock() }).execute({
      from: '2025-02-01',
      to: '2025-02-28',
    });
    expect(reconciled.unfinishedVoids.filter((v) => v.orderId === 'ORD-it-va-2')).toMatchObject([
      { status: 'FAILED', paymentKey: 'pk-ORD-it-va-2', retryCommand: retry },
    ]);

    expect(await rejection(pay('ORD-it-va-2'))).toBeInstanceOf(PaymentMethodNotAllowed); // what `retry` runs
    expect(keysSeen().slice(4)).toEqual([['cancel', voidKey]]); // not confirmed again; the same cancel key
    expect(toss.cancels).toBe(1);
    expect((await operations('ORD-it-va-2')).map((o) => [o.kind, o.status, o.attempts, o.error_code])).toEqual([
      ['CONFIRM', 'DONE', 1, null],
      ['VOID', 'DONE', 2, null],
    ]);
    const after = await new ReconcilePayments({ source: new MySqlPaymentReconciliation(db.pool), clock: new FixedClock() }).execute({
      from: '2025-02-01',
      to: '2025-02-28',
    });
    expect(after.unfinishedVoids.filter((v) => v.orderId === 'ORD-it-va-2')).toEqual([]);
  });

  it('Toss cancelled but our write was lost: the rerun replays the same key and Toss refunds once', async () => {
    await placed('ORD-it-va-3');
    // 1 confirm PENDING, 2 approval recorded + VOID PENDING, 3 cancel attempt, 4 VOID DONE: that one is lost
    expect(await rejection(pay('ORD-it-va-3', storeFailing(4)))).toBeInstanceOf(PaymentOperationIncomplete);
    expect((await operations('ORD-it-va-3')).map((o) => o.status)).toEqual(['DONE', 'PENDING']);

    expect(await rejection(pay('ORD-it-va-3'))).toBeInstanceOf(PaymentMethodNotAllowed);
    expect(keysSeen().map(([op]) => op)).toEqual(['confirm', 'cancel', 'cancel']);
    expect(toss.cancels).toBe(1); // the second cancel was Toss replaying its first answer
    expect((await operations('ORD-it-va-3')).map((o) => o.status)).toEqual(['DONE', 'DONE']);
  });
});
