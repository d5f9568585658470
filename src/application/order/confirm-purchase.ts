import { requireOrder, type OrderStore } from './order-store.js';
import { toOrderView, type OrderCommandResult } from './order-view.js';

export interface ConfirmPurchaseInput {
  readonly orderId: string;
  /** Every paid line not in a cancel when absent. */
  readonly productIds?: readonly string[];
}

/** The customer keeps the goods: confirmed lines can no longer be cancelled. */
export class ConfirmPurchase {
  constructor(private readonly deps: { readonly store: OrderStore }) {}

  async execute(input: ConfirmPurchaseInput): Promise<OrderCommandResult> {
    return this.deps.store.transaction(async (tx) => {
      const order = await requireOrder(tx, input.orderId);
      order.confirmPurchase(input.productIds);
      await tx.saveOrder(order);
      return { order: toOrderView(order, await tx.findPayment(input.orderId)) };
    });
  }
}
