import { describe, expect, it } from 'vitest';
import { ItemStatus as I, type ItemStatus } from '../../../src/domain/order/item-status.js';
import { deriveOrderStatus, OrderStatus as O, type OrderStatus } from '../../../src/domain/order/order-status.js';

describe('deriveOrderStatus', () => {
  const cases: Array<[ItemStatus[], OrderStatus]> = [
    [[I.ORDER_COMPLETED, I.ORDER_COMPLETED], O.ORDER_COMPLETED],
    [[I.PAYMENT_COMPLETED, I.PAYMENT_COMPLETED], O.PAYMENT_COMPLETED],
    [[I.PAYMENT_COMPLETED, I.PURCHASE_CONFIRMED], O.PAYMENT_COMPLETED],
    [[I.PURCHASE_CONFIRMED, I.PURCHASE_CONFIRMED], O.PURCHASE_CONFIRMED],
    [[I.CANCEL_REQUESTED, I.PAYMENT_COMPLETED], O.CANCEL_REQUESTED],
    [[I.RESTOCKED, I.CANCELED], O.CANCEL_REQUESTED],
    [[I.CANCELED, I.PAYMENT_COMPLETED], O.PARTIALLY_CANCELED],
    [[I.CANCELED, I.PURCHASE_CONFIRMED], O.PURCHASE_CONFIRMED],
    [[I.CANCELED, I.CANCELED], O.CANCELED],
  ];
  it.each(cases)('deriveOrderStatus_Returns_ForLines %j → %s', (lines, expected) => {
    expect(deriveOrderStatus(lines)).toBe(expected);
  });
});
