import { ItemStatus } from './item-status.js';

/**
 * The order's status is derived from its lines (never stored apart from them, so the two cannot disagree;
 * the database keeps a copy only for queries). First matching rule wins:
 *
 *   every line CANCELED                                   → CANCELED
 *   some line CANCEL_REQUESTED or RESTOCKED               → CANCEL_REQUESTED      (a cancel is in flight)
 *   every line still ORDER_COMPLETED                      → ORDER_COMPLETED       (awaiting payment)
 *   every live (not cancelled) line PURCHASE_CONFIRMED    → PURCHASE_CONFIRMED
 *   some line CANCELED                                    → PARTIALLY_CANCELED
 *   otherwise                                             → PAYMENT_COMPLETED
 *
 *   ORDER_COMPLETED ─pay─> PAYMENT_COMPLETED ─confirm all─> PURCHASE_CONFIRMED
 *                               │  ▲
 *                  request cancel  │ partial refund done
 *                               ▼  │
 *                          CANCEL_REQUESTED ─refund of the last lines─> CANCELED
 *                               │ partial refund done
 *                               ▼
 *                         PARTIALLY_CANCELED ─request cancel─> CANCEL_REQUESTED …
 */
export const OrderStatus = {
  ORDER_COMPLETED: 'ORDER_COMPLETED',
  PAYMENT_COMPLETED: 'PAYMENT_COMPLETED',
  CANCEL_REQUESTED: 'CANCEL_REQUESTED',
  PARTIALLY_CANCELED: 'PARTIALLY_CANCELED',
  CANCELED: 'CANCELED',
  PURCHASE_CONFIRMED: 'PURCHASE_CONFIRMED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export function deriveOrderStatus(lines: readonly ItemStatus[]): OrderStatus {
  const all = (s: ItemStatus) => lines.every((x) => x === s);
  const some = (s: ItemStatus) => lines.some((x) => x === s);
  const live = lines.filter((x) => x !== ItemStatus.CANCELED);
  if (all(ItemStatus.CANCELED)) return OrderStatus.CANCELED;
  if (some(ItemStatus.CANCEL_REQUESTED) || some(ItemStatus.RESTOCKED)) return OrderStatus.CANCEL_REQUESTED;
  if (all(ItemStatus.ORDER_COMPLETED)) return OrderStatus.ORDER_COMPLETED;
  if (live.every((x) => x === ItemStatus.PURCHASE_CONFIRMED)) return OrderStatus.PURCHASE_CONFIRMED;
  if (some(ItemStatus.CANCELED)) return OrderStatus.PARTIALLY_CANCELED;
  return OrderStatus.PAYMENT_COMPLETED;
}
