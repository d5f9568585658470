import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentOperation } from '../../../src/application/order/payment-operation.js';
import { Order } from '../../../src/domain/order/order.js';
import { OrderAlreadyExists } from '../../../src/domain/order/order-rule-violations.js';
import { MySqlOrderStore } from '../../../src/infrastructure/mysql/mysql-order-store.js';
import { MySqlPaymentReconciliation } from '../../../src/infrastructure/mysql/mysql-payment-reconciliation.js';
import { MySqlSettlementLookup } from '../../../src/infrastructure/mysql/mysql-settlement-lookup.js';
import { calculator, card, LINES } from '../../unit/order/fakes/fixtures.js';
import { OrderTestDb } from './order-test-db.js';

let db: OrderTestDb;
let store: MySqlOrderStore;
beforeAll(async () => {
  db = await OrderTestDb.create('orders');
  store = new MySqlOrderStore(db.pool);
});
afterAll(async () => {
  await db?.drop();
});

const at = (day: number) => `2025-02-${String(day).padStart(2, '0')}T01:02:03.456Z`;
const place = (orderId: string) => Order.place(orderId, LINES, at(9));
const load = (orderId: string) => store.transaction(async (tx) => ({ order: await tx.findOrder(orderId), payment: await tx.findPayment(orderId) }));

/** Places, pays (pk-<orderId>), partially refunds sku-b and leaves sku-c cancel-requested: every table has rows. */
async function busyOrder(orderId: string): Promise<void> {
  const order = place(orderId);
  await store.transaction((tx) => tx.insertOrder(order));
  const payment = order.pay(
    { paymentKey: `pk-${orderId}`, amount: order.total, method: card(), approvedAt: at(9), transactionKey: `tx-a-${orderId}` },
    calculator(),
  );
  order.requestCancel(['sku-b'], 'changed mind', at(10));
  order.restock(['sku-b'], at(11));
  order.cancelPayment(payment, { seq: 1, canceledAt: at(12), transactionKey: `tx-c-${orderId}` }, calculator());
  order.requestCancel(['sku-c'], 'damaged', at(13));
  await store.transaction(async (tx) => {
    await tx.saveOrder(order);
    await tx.savePayment(payment);
  });
}

describe('MySqlOrderStore', () => {
  it('stores and reads back an order exactly, lines in their order', async () => {
    const order = place('ORD-it-place');
    await store.transaction((tx) => tx.insertOrder(order));
    expect((await load('ORD-it-place')).order?.toSnapshot()).toEqual(order.toSnapshot());
  });

  it('refuses a second order with the same id as OrderAlreadyExists', async () => {
    await store.transaction((tx) => tx.insertOrder(place('ORD-it-dup')));
    await expect(store.transaction((tx) => tx.insertOrder(place('ORD-it-dup')))).rejects.toBeInstanceOf(OrderAlreadyExists);
  });

  it('round-trips lines, cancel requests, restocks, payment and ledger', async () => {
    await busyOrder('ORD-it-busy');
    const { order, payment } = await load('ORD-it-busy');
    expect(order?.status).toBe('CANCEL_REQUESTED');
    expect(order?.toSnapshot()).toMatchObject({
      items: [
        { productId: 'sku-a', status: 'PAYMENT_COMPLETED' },
        { productId: 'sku-b', status: 'CANCELED', cancelRequestSeq: 1 },
        { productId: 'sku-c', status: 'CANCEL_REQUESTED', cancelRequestSeq: 2 },
      ],
      cancelRequests: [
        { seq: 1, productIds: ['sku-b'], reason: 'changed mind', requestedAt: at(10), refundedAt: at(12) },
        { seq: 2, productIds: ['sku-c'], reason: 'damaged', requestedAt: at(13), refundedAt: null },
      ],
      restocks: [{ productId: 'sku-b', quantity: 1, restockedAt: at(11) }],
    });
    expect(payment?.toSnapshot()).toMatchObject({ paymentKey: 'pk-ORD-it-busy', method: { kind: 'CARD', details: { issuerCode: '61' } } });
    expect(payment?.entries).toEqual([
      {
        seq: 1,
        type: 'APPROVAL',
        amount: 31_000,
        balanceAfter: 31_000,
        transactionKey: 'tx-a-ORD-it-busy',
        occurredAt: at(9),
        expectedSettlementDate: '2025-02-13',
        cancelRequestSeq: null,
        reason: null,
      },
      {
        seq: 2,
        type: 'CANCEL',
        amount: -5_000,
        balanceAfter: 26_000,
        transactionKey: 'tx-c-ORD-it-busy',
        occurredAt: at(12),
        expectedSettlementDate: '2025-02-17',
        cancelRequestSeq: 1,
        reason: 'changed mind',
      },
    ]);
    const [rows] = await db.pool.query('SELECT status, balance_amount FROM payments WHERE order_id = ?', ['ORD-it-busy']);
    expect(rows).toEqual([{ status: 'PARTIAL_CANCELED', balance_amount: 26_000 }]);
  });

  it('saving a payment again appends only new ledger entries', async () => {
    await busyOrder('ORD-it-again');
    await store.transaction(async (tx) => {
      const payment = await tx.findPayment('ORD-it-again');
      if (payment) await tx.savePayment(payment);
    });
    expect((await load('ORD-it-again')).payment?.entries).toHaveLength(2);
  });

  it('the database itself refuses to edit or delete a ledger entry', async () => {
    await busyOrder('ORD-it-ledger');
    await expect(db.pool.query("UPDATE payment_ledger SET amount = 1 WHERE payment_key = 'pk-ORD-it-ledger'")).rejects.toMatchObject({
      sqlMessage: expect.stringContaining('append-only'),
    });
    await expect(db.pool.query("DELETE FROM payment_ledger WHERE payment_key = 'pk-ORD-it-ledger'")).rejects.toMatchObject({
      sqlMessage: expect.stringContaining('append-only'),
    });
  });

  it('rolls everything back when the work throws', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.insertOrder(place('ORD-it-rollback'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await load('ORD-it-rollback')).order).toBeNull();
  });

  it('stores payment operations by idempotency key and lists those of an order', async () => {
    const key = `settle:confirm:ORD-it-ops:${'p'.repeat(200)}`; // the longest key we derive fits the column
    const op: PaymentOperation = {
      idempotencyKey: key,
      kind: 'CONFIRM',
      orderId: 'ORD-it-ops',
      request: { paymentKey: 'p', amount: 1, cancelAmount: null },
      status: 'PENDING',
      errorCode: null,
      errorMessage: null,
      attempts: 1,
      createdAt: at(9),
      updatedAt: at(9),
    };
    await store.transaction((tx) => tx.saveOperation(op));
    expect(await store.transaction((tx) => tx.operationsOf('ORD-it-ops'))).toEqual([op]);
    await store.transaction((tx) => tx.saveOperation({ ...op, status: 'DONE', attempts: 2, updatedAt: at(10) }));
    expect(await store.transaction((tx) => tx.findOperation(key))).toEqual({ ...op, status: 'DONE', attempts: 2, updatedAt: at(10) });
    expect(await store.transaction((tx) => tx.operationsOf('ORD-it-ops'))).toEqual([{ ...op, status: 'DONE', attempts: 2, updatedAt: at(10) }]);
    expect(await store.transaction((tx) => tx.operationsOf('ORD-it-none'))).toEqual([]);
  });

  it("keeps a FAILED VOID with Toss's code and message, clears them on the next attempt, and reconcile lists every VOID not DONE", async () => {
    const message = `Toss answered 403 NOT_CANCELABLE_PAYMENT: 취소 할 수 없는 결제 입니다. ${'…'.repeat(500)}`.slice(0, 500); // the column's full width, multibyte
    const voidOf = (orderId: string, day: number): PaymentOperation => ({
      idempotencyKey: `settle:void-non-card:${orderId}:pk-${orderId}`,
      kind: 'VOID',
      orderId,
      request: {
        paymentKey: `pk-${orderId}`,
        cancelReason: 'payment method 가상계좌 is not accepted (card only)',
        cancelAmount: null,
        refundableAmount: 31_000,
        method: '가상계좌',
        approvalTransactionKey: 'tx-va',
        approvedAt: at(day),
      },
      status: 'PENDING',
      errorCode: null,
      errorMessage: null,
      attempts: 1,
      createdAt: at(day),
      updatedAt: at(day),
    });
    const refused: PaymentOperation = {
      ...voidOf('ORD-it-void-refused', 3),
      status: 'FAILED',
      errorCode: 'TOSS_REFUSED',
      errorMessage: message,
      updatedAt: at(4),
    };
    const unanswered: PaymentOperation = { ...voidOf('ORD-it-void-unanswered', 5), errorCode: 'TOSS_TIMEOUT', errorMessage: 'no answer in time' };
    const done: PaymentOperation = { ...voidOf('ORD-it-void-done', 1), status: 'DONE' };
    const refusedCancel: PaymentOperation = {
      ...voidOf('ORD-it-cancel-refused', 2),
      idempotencyKey: 'settle:cancel:ORD-it-cancel-refused:1',
      kind: 'CANCEL',
      status: 'FAILED',
      errorCode: 'TOSS_REFUSED',
    };
    for (const op of [refused, unanswered, done, refusedCancel]) await store.transaction((tx) => tx.saveOperation(op));

    expect(await store.transaction((tx) => tx.findOperation(refused.idempotencyKey))).toEqual(refused);
    const [raw] = await db.pool.query(
      'SELECT status, error_code, CHAR_LENGTH(error_message) AS chars, attempts FROM payment_operations WHERE idempotency_key = ?',
      [refused.idempotencyKey],
    );
    expect(raw).toEqual([{ status: 'FAILED', error_code: 'TOSS_REFUSED', chars: 500, attempts: 1 }]);

    const source = new MySqlPaymentReconciliation(db.pool);
    const open = (await source.unfinishedVoids()).filter((o) => o.orderId.startsWith('ORD-it-'));
    expect(open).toEqual([refused, unanswered]); // oldest first; neither the DONE VOID nor a refused CANCEL
    const [plan] = await db.pool.query<RowDataPacket[]>("EXPLAIN SELECT * FROM payment_operations WHERE status IN ('PENDING', 'FAILED') AND kind = 'VOID'");
    expect(plan[0]?.possible_keys).toContain('ix_payment_operations_status_kind');

    const retrying: PaymentOperation = { ...refused, status: 'PENDING', errorCode: null, errorMessage: null, attempts: 2, updatedAt: at(6) };
    await store.transaction((tx) => tx.saveOperation(retrying));
    await store.transaction((tx) => tx.saveOperation({ ...retrying, status: 'DONE', updatedAt: at(7) }));
    expect((await source.unfinishedVoids()).filter((o) => o.orderId.startsWith('ORD-it-')).map((o) => o.orderId)).toEqual(['ORD-it-void-unanswered']);
    expect(await store.transaction((tx) => tx.findOperation(refused.idempotencyKey))).toMatchObject({
      status: 'DONE',
      errorCode: null,
      errorMessage: null,
      attempts: 2,
    });
  });
});

describe('settlements link', () => {
  it('finds the settlements rows of a payment', async () => {
    await busyOrder('ORD-it-link');
    await db.insertSettlement({
      paymentKey: 'pk-ORD-it-link',
      transactionKey: 'tx-a-ORD-it-link',
      orderId: 'ORD-it-link',
      amount: 31_000,
      soldDate: '2025-02-09',
      paidOutDate: '2025-02-12',
    });
    expect(await new MySqlSettlementLookup(db.pool).forPayment('pk-ORD-it-link')).toEqual([
      {
        paymentKey: 'pk-ORD-it-link',
        transactionKey: 'tx-a-ORD-it-link',
        amount: 31_000,
        payOutAmount: 31_000,
        soldDate: '2025-02-09',
        paidOutDate: '2025-02-12',
      },
    ]);
  });

  it('reconcile lists overdue unsettled entries and settlements rows we do not know', async () => {
    await busyOrder('ORD-it-rec');
    await db.insertSettlement({
      paymentKey: 'pk-ORD-it-rec',
      transactionKey: 'tx-a-ORD-it-rec',
      orderId: 'ORD-it-rec',
      amount: 31_000,
      soldDate: '2025-02-09',
      paidOutDate: '2025-02-12',
    });
    await db.insertSettlement({
      paymentKey: 'pk-ORD-it-rec',
      transactionKey: 'tx-console-cancel',
      orderId: 'ORD-it-rec',
      amount: -1_000,
      soldDate: '2025-02-13',
      paidOutDate: '2025-02-18',
    });
    await db.insertSettlement({
      paymentKey: 'pk-stranger',
      transactionKey: 'tx-stranger',
      orderId: 'ORD-stranger',
      amount: 7_000,
      soldDate: '2025-02-13',
      paidOutDate: '2025-02-18',
    });
    const source = new MySqlPaymentReconciliation(db.pool);
    const unsettled = (await source.unsettledEntries('2025-02-01', '2025-02-28', '2025-02-20')).filter((u) => u.orderId === 'ORD-it-rec');
    expect(unsettled).toEqual([
      {
        orderId: 'ORD-it-rec',
        paymentKey: 'pk-ORD-it-rec',
        transactionKey: 'tx-c-ORD-it-rec',
        type: 'CANCEL',
        amount: -5_000,
        occurredAt: at(12),
        expectedSettlementDate: '2025-02-17',
      },
    ]);
    // not overdue yet on its expected date itself
    expect((await source.unsettledEntries('2025-02-01', '2025-02-28', '2025-02-17')).filter((u) => u.orderId === 'ORD-it-rec')).toEqual([]);
    const unknown = await source.unknownSettlements('2025-02-18', '2025-02-18');
    expect(unknown.map((u) => [u.transactionKey, u.reason])).toEqual([
      ['tx-console-cancel', 'NO_LEDGER_ENTRY'],
      ['tx-stranger', 'NO_PAYMENT'],
    ]);
  });
});
