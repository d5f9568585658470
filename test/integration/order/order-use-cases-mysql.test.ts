import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelPayment } from '../../../src/application/order/cancel-payment.js';
import { ConfirmPayment } from '../../../src/application/order/confirm-payment.js';
import type { OrderStore } from '../../../src/application/order/order-store.js';
import { PaymentOperationIncomplete } from '../../../src/application/order/payment-operation.js';
import { PlaceOrder } from '../../../src/application/order/place-order.js';
import { RequestCancel } from '../../../src/application/order/request-cancel.js';
import { RestockItems } from '../../../src/application/order/restock-items.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { MySqlOrderStore } from '../../../src/infrastructure/mysql/mysql-order-store.js';
import { FakeTossPayments } from '../../unit/order/fakes/fake-toss-payments.js';
import { calculator, FixedClock, LINES, TOTAL } from '../../unit/order/fakes/fixtures.js';
import { OrderTestDb } from './order-test-db.js';

let db: OrderTestDb;
beforeAll(async () => {
  db = await OrderTestDb.create('usecases');
});
afterAll(async () => {
  await db?.drop();
});

/** The real store, except that transaction number `failAt` (1-based) rolls back as if the connection dropped at commit. */
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

function useCases(store: OrderStore, toss: FakeTossPayments) {
  const clock = new FixedClock();
  const deps = { store, toss, clock, calculator: calculator() };
  return {
    place: new PlaceOrder({ store, clock, ids: { orderId: () => 'unused' } }),
    pay: new ConfirmPayment(deps),
    cancel: new CancelPayment(deps),
    request: new RequestCancel({ store, clock }),
    restock: new RestockItems({ store, clock }),
  };
}

describe('order use cases on MySQL', () => {
  it('Toss confirmed, the DB write failed: the re-run sends the same key and completes, charging once', async () => {
    const toss = new FakeTossPayments();
    await useCases(storeFailing(null), toss).place.execute({ orderId: 'ORD-it-crash', items: LINES });
    const crashing = useCases(storeFailing(2), toss); // 1 = PENDING row, 2 = recording Toss's answer
    await expect(crashing.pay.execute({ orderId: 'ORD-it-crash', paymentKey: 'pk-crash', amount: TOTAL })).rejects.toBeInstanceOf(PaymentOperationIncomplete);
    const [ops] = await db.pool.query('SELECT status FROM payment_operations WHERE order_id = ?', ['ORD-it-crash']);
    expect(ops).toEqual([{ status: 'PENDING' }]);

    const result = await useCases(storeFailing(null), toss).pay.execute({ orderId: 'ORD-it-crash', paymentKey: 'pk-crash', amount: TOTAL });
    expect(result.order).toMatchObject({ status: 'PAYMENT_COMPLETED', payment: { balanceAmount: TOTAL } });
    expect(toss.calls.map((c) => [c.idempotencyKey, c.executed])).toEqual([
      ['settle:confirm:ORD-it-crash:pk-crash', true],
      ['settle:confirm:ORD-it-crash:pk-crash', false],
    ]);
    const [after] = await db.pool.query('SELECT status, attempts FROM payment_operations WHERE order_id = ?', ['ORD-it-crash']);
    expect(after).toEqual([{ status: 'DONE', attempts: 2 }]);
  });

  it('two concurrent runs of the same refund record it once', async () => {
    const toss = new FakeTossPayments();
    const u = useCases(storeFailing(null), toss);
    await u.place.execute({ orderId: 'ORD-it-race', items: LINES });
    await u.pay.execute({ orderId: 'ORD-it-race', paymentKey: 'pk-race', amount: TOTAL });
    await u.request.execute({ orderId: 'ORD-it-race', productIds: ['sku-b'], reason: 'changed mind' });
    await u.restock.execute({ orderId: 'ORD-it-race' });
    const results = await Promise.allSettled([
      u.cancel.execute({ orderId: 'ORD-it-race', cancelRequestSeq: 1 }),
      u.cancel.execute({ orderId: 'ORD-it-race', cancelRequestSeq: 1 }),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['fulfilled', 'fulfilled']);
    const [ledger] = await db.pool.query("SELECT seq, amount, balance_after FROM payment_ledger WHERE payment_key = 'pk-race' ORDER BY seq");
    expect(ledger).toEqual([
      { seq: 1, amount: TOTAL, balance_after: TOTAL },
      { seq: 2, amount: -5_000, balance_after: TOTAL - 5_000 },
    ]);
    expect(toss.executions).toBe(2); // the confirm and ONE cancel; any second cancel call was a replay or never sent
  });
});
