import type { Clock } from '../shared/log.js';
import { requireOrder, type OrderStore } from './order-store.js';
import { toOrderView, type OrderCommandResult } from './order-view.js';

export interface RestockItemsInput {
  readonly orderId: string;
  /** Every line waiting for restock when absent. */
  readonly productIds?: readonly string[];
}

/** Records that the goods of cancel-requested lines are back in stock, which unlocks their refund. */
export class RestockItems {
  constructor(private readonly deps: { readonly store: OrderStore; readonly clock: Clock }) {}

  async execute(input: RestockItemsInput): Promise<OrderCommandResult> {
    return this.deps.store.transaction(async (tx) => {
      const order = await requireOrder(tx, input.orderId);
      order.restock(input.productIds, this.deps.clock.now().toISOString());
      await tx.saveOrder(order);
      return { order: toOrderView(order, await tx.findPayment(input.orderId)) };
    });
  }
}
