import type { SettlementRowRef } from '../../domain/order/settlement-status.js';

/** The loaded Toss settlements rows of one payment (approval and cancels), for `order show`. */
export interface SettlementLookup {
  forPayment(paymentKey: string): Promise<SettlementRowRef[]>;
}
