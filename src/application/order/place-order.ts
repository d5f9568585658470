import { Order, type OrderLine } from '../../domain/order/order.js';
import type { Clock } from '../shared/log.js';
import type { IdGenerator } from './id-generator.js';
import type { OrderStore } from './order-store.js';
import { toOrderView, type OrderCommandResult } from './order-view.js';

export interface PlaceOrderInput {
  /** Our own id when the checkout already made one; generated otherwise. */
  readonly orderId?: string;
  readonly items: readonly OrderLine[];
}

export class PlaceOrder {
  constructor(private readonly deps: { readonly store: OrderStore; readonly clock: Clock; readonly ids: IdGenerator }) {}

  async execute(input: PlaceOrderInput): Promise<OrderCommandResult> {
    const order = Order.place(input.orderId ?? this.deps.ids.orderId(), input.items, this.deps.clock.now().toISOString());
    await this.deps.store.transaction((tx) => tx.insertOrder(order));
    return { order: toOrderView(order, null) };
  }
}
