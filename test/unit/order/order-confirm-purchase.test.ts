import { describe, expect, it } from 'vitest';
import { ItemStatus } from '../../../src/domain/order/item-status.js';
import { ItemNotConfirmable, NoItemsSelected } from '../../../src/domain/order/order-rule-violations.js';
import { OrderStatus } from '../../../src/domain/order/order-status.js';
import { paid, placed, refunded, thrown } from './fakes/fixtures.js';

describe('Order.confirmPurchase', () => {
  it('confirmPurchase_Throws_WhenOrderIsNotPaid', () => {
    const error = thrown(() => placed().confirmPurchase(['sku-a']));
    expect(error).toBeInstanceOf(ItemNotConfirmable);
    expect(error).toMatchObject({ code: 'ITEM_NOT_CONFIRMABLE', details: { status: 'ORDER_COMPLETED' } });
  });

  it('confirmPurchase_Throws_WhenItemIsInACancel', () => {
    const { order } = paid();
    order.requestCancel(['sku-a'], 'changed mind', '2025-02-11T00:00:00.000Z');
    expect(thrown(() => order.confirmPurchase(['sku-a']))).toBeInstanceOf(ItemNotConfirmable);
  });

  it('confirmPurchase_ConfirmsEveryPaidLine_WhenNoIdsGiven', () => {
    const { order } = paid();
    order.confirmPurchase(undefined);
    expect(order.status).toBe(OrderStatus.PURCHASE_CONFIRMED);
    expect(new Set(order.items.map((i) => i.status))).toEqual(new Set([ItemStatus.PURCHASE_CONFIRMED]));
  });

  it('confirmPurchase_LeavesCancelledLinesAlone_AndTheOrderBecomesPurchaseConfirmed', () => {
    const { order, payment } = paid();
    refunded(order, payment, ['sku-b']);
    order.confirmPurchase(undefined);
    expect(order.item('sku-b').status).toBe(ItemStatus.CANCELED);
    expect(order.status).toBe(OrderStatus.PURCHASE_CONFIRMED);
  });

  it('confirmPurchase_Throws_WhenNothingIsLeftToConfirm', () => {
    const { order } = paid();
    order.confirmPurchase(undefined);
    expect(thrown(() => order.confirmPurchase(undefined))).toBeInstanceOf(NoItemsSelected);
  });
});
