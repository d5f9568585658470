import { todayInSeoul } from '../../domain/calendar/local-date.js';
import { settlementOf } from '../../domain/order/settlement-status.js';
import type { Clock } from '../shared/log.js';
import { requireOrder, type OrderStore } from './order-store.js';
import { toOrderView, type OrderView } from './order-view.js';
import type { SettlementLookup } from './settlement-lookup.js';
import { toVoidView } from './void-view.js';

/**
 * An order with each payment and cancel's expected settlement date and its status against loaded settlements,
 * and the non-card approvals Toss made for it with their cancel (VOID): a FAILED or PENDING one is money still
 * held at Toss, printed with the command that retries its cancel.
 */
export class ShowOrder {
  constructor(private readonly deps: { readonly store: OrderStore; readonly settlements: SettlementLookup; readonly clock: Clock }) {}

  async execute(orderId: string): Promise<OrderView> {
    const { order, payment, operations } = await this.deps.store.transaction(async (tx) => ({
      order: await requireOrder(tx, orderId),
      payment: await tx.findPayment(orderId),
      operations: await tx.operationsOf(orderId),
    }));
    const voids = operations.filter((o) => o.kind === 'VOID').map(toVoidView);
    if (!payment) return { ...toOrderView(order, null), voids };
    const rows = await this.deps.settlements.forPayment(payment.paymentKey);
    const today = todayInSeoul(this.deps.clock.now()).toString();
    return {
      ...toOrderView(order, payment, (entry) => settlementOf(entry, rows.find((r) => r.transactionKey === entry.transactionKey) ?? null, today)),
      voids,
    };
  }
}
