import { CancelPayment } from '../../../../src/application/order/cancel-payment.js';
import { ConfirmPayment } from '../../../../src/application/order/confirm-payment.js';
import { ConfirmPurchase } from '../../../../src/application/order/confirm-purchase.js';
import { PlaceOrder } from '../../../../src/application/order/place-order.js';
import { RequestCancel } from '../../../../src/application/order/request-cancel.js';
import { RestockItems } from '../../../../src/application/order/restock-items.js';
import { ShowOrder } from '../../../../src/application/order/show-order.js';
import type { SettlementLookup } from '../../../../src/application/order/settlement-lookup.js';
import type { SettlementRowRef } from '../../../../src/domain/order/settlement-status.js';
import { FakeTossPayments } from './fake-toss-payments.js';
import { calculator, FixedClock, LINES } from './fixtures.js';
import { InMemoryOrderStore } from './in-memory-order-store.js';

export class FakeSettlementLookup implements SettlementLookup {
  rows: SettlementRowRef[] = [];
  async forPayment(paymentKey: string): Promise<SettlementRowRef[]> {
    return this.rows.filter((r) => r.paymentKey === paymentKey);
  }
}

/** Every order use case wired to the same fakes, as src/composition/orders.ts wires them to MySQL and Toss. */
export function harness() {
  const store = new InMemoryOrderStore();
  const toss = new FakeTossPayments();
  const clock = new FixedClock();
  const settlements = new FakeSettlementLookup();
  let n = 0;
  const deps = { store, toss, clock, calculator: calculator() };
  return {
    store,
    toss,
    clock,
    settlements,
    place: new PlaceOrder({ store, clock, ids: { orderId: () => `ORD-${String(++n).padStart(4, '0')}` } }),
    pay: new ConfirmPayment(deps),
    requestCancel: new RequestCancel({ store, clock }),
    restock: new RestockItems({ store, clock }),
    cancel: new CancelPayment(deps),
    confirmPurchase: new ConfirmPurchase({ store }),
    show: new ShowOrder({ store, settlements, clock }),
  };
}

export type Harness = ReturnType<typeof harness>;

/** Places ORD-0001 (LINES, total 31,000) and pays it with paymentKey pk-1. */
export async function paidOrder(h: Harness): Promise<string> {
  const { order } = await h.place.execute({ items: LINES });
  await h.pay.execute({ orderId: order.orderId, paymentKey: 'pk-1', amount: order.totalAmount });
  return order.orderId;
}
