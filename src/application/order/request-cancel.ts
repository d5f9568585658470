import type { Clock } from '../shared/log.js';
import { requireOrder, type OrderStore } from './order-store.js';
import { toOrderView, type OrderCommandResult } from './order-view.js';

export interface RequestCancelInput {
  readonly orderId: string;
  readonly productIds: readonly string[];
  readonly reason: string;
}

/** Opens a cancel request for paid lines; the refund waits until they are restocked. */
export class RequestCancel {
  constructor(private readonly deps: { readonly store: OrderStore; readonly clock: Clock }) {}

  async execute(input: RequestCancelInput): Promise<OrderCommandResult> {
    return this.deps.store.transaction(async (tx) => {
      const order = await requireOrder(tx, input.orderId);
      order.requestCancel(input.productIds, input.reason, this.deps.clock.now().toISOString());
      await tx.saveOrder(order);
      return { order: toOrderView(order, await tx.findPayment(input.orderId)) };
    });
  }
}
