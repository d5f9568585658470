import { todayInSeoul } from '../../domain/calendar/local-date.js';
import { settlementOf } from '../../domain/order/settlement-status.js';
import type { Clock } from '../shared/log.js';
import { requireOrder, type OrderStore } from './order-store.js';
import { toOrderView, type OrderView } from './order-view.js';
import type { SettlementLookup } from './settlement-lookup.js';

/** An order with each payment and cancel's expected settlement date and its status against loaded settlements. */
export class ShowOrder {
  constructor(private readonly deps: { readonly store: OrderStore; readonly settlements: SettlementLookup; readonly clock: Clock }) {}

  async execute(orderId: string): Promise<OrderView> {
    const { order, payment } = await this.deps.store.transaction(async (tx) => ({ order: await requireOrder(tx, orderId), payment: await tx.findPayment(orderId) }));
    if (!payment) return toOrderView(order, null);
    const rows = await this.deps.settlements.forPayment(payment.paymentKey);
    const today = todayInSeoul(this.deps.clock.now()).toString();
    return toOrderView(order, payment, (entry) => settlementOf(entry, rows.find((r) => r.transactionKey === entry.transactionKey) ?? null, today));
  }
}
