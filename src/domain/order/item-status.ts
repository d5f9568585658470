/**
 * The life of one order line. Each arrow is one domain method; anything else is refused with a named rule.
 *
 *   ORDER_COMPLETED ──pay──> PAYMENT_COMPLETED ──confirmPurchase──> PURCHASE_CONFIRMED   (final: never cancelled)
 *                                   │
 *                             requestCancel
 *                                   ▼
 *                           CANCEL_REQUESTED ──restock──> RESTOCKED ──cancelPayment──> CANCELED   (final)
 *
 * Shipping states (ready/shipped/delivered) would sit between PAYMENT_COMPLETED and PURCHASE_CONFIRMED; no
 * command drives them yet, so they are not modelled. An unpaid order is not cancelled line by line: nothing
 * was charged, so there is nothing to refund or restock (it simply stays ORDER_COMPLETED).
 */
export const ItemStatus = {
  ORDER_COMPLETED: 'ORDER_COMPLETED',
  PAYMENT_COMPLETED: 'PAYMENT_COMPLETED',
  PURCHASE_CONFIRMED: 'PURCHASE_CONFIRMED',
  CANCEL_REQUESTED: 'CANCEL_REQUESTED',
  RESTOCKED: 'RESTOCKED',
  CANCELED: 'CANCELED',
} as const;
export type ItemStatus = (typeof ItemStatus)[keyof typeof ItemStatus];

export const ITEM_STATUSES: readonly ItemStatus[] = Object.values(ItemStatus);

/** The transitions drawn above, as data: OrderItem checks every move against it. */
export const ITEM_TRANSITIONS: Readonly<Record<ItemStatus, readonly ItemStatus[]>> = {
  ORDER_COMPLETED: [ItemStatus.PAYMENT_COMPLETED],
  PAYMENT_COMPLETED: [ItemStatus.PURCHASE_CONFIRMED, ItemStatus.CANCEL_REQUESTED],
  PURCHASE_CONFIRMED: [],
  CANCEL_REQUESTED: [ItemStatus.RESTOCKED],
  RESTOCKED: [ItemStatus.CANCELED],
  CANCELED: [],
};

export const isItemStatus = (value: string): value is ItemStatus => (ITEM_STATUSES as readonly string[]).includes(value);
