import { describe, expect, it } from 'vitest';
import { ItemStatus } from '../../../src/domain/order/item-status.js';
import { Order } from '../../../src/domain/order/order.js';
import {
  DuplicateProductLine,
  InvalidOrderId,
  InvalidProductId,
  InvalidQuantity,
  InvalidUnitPrice,
  OrderTotalTooLarge,
  OrderWithoutItems,
} from '../../../src/domain/order/order-rule-violations.js';
import { OrderStatus } from '../../../src/domain/order/order-status.js';
import { LINES, TOTAL, thrown } from './fakes/fixtures.js';

const at = '2025-02-09T00:00:00.000Z';

describe('Order.place', () => {
  it('place_Throws_WhenNoItems', () => {
    const error = thrown(() => Order.place('ORD-0001', [], at));
    expect(error).toBeInstanceOf(OrderWithoutItems);
    expect(error).toMatchObject({ code: 'ORDER_WITHOUT_ITEMS', category: 'rule' });
  });

  it('place_Throws_WhenSameProductOnTwoLines', () => {
    const error = thrown(() =>
      Order.place(
        'ORD-0001',
        [
          { productId: 'sku-a', unitPrice: 100, quantity: 1 },
          { productId: 'sku-a', unitPrice: 100, quantity: 2 },
        ],
        at,
      ),
    );
    expect(error).toBeInstanceOf(DuplicateProductLine);
    expect(error).toMatchObject({ code: 'ORDER_DUPLICATE_PRODUCT_LINE', details: { productId: 'sku-a' } });
  });

  it.each([0, -1, 1.5, Number.NaN])('place_Throws_WhenQuantityIs_%s', (quantity) => {
    const error = thrown(() => Order.place('ORD-0001', [{ productId: 'sku-a', unitPrice: 100, quantity }], at));
    expect(error).toBeInstanceOf(InvalidQuantity);
    expect(error).toMatchObject({ code: 'ORDER_QUANTITY_INVALID' });
  });

  it.each([0, -100, 99.5])('place_Throws_WhenUnitPriceIs_%s', (unitPrice) => {
    const error = thrown(() => Order.place('ORD-0001', [{ productId: 'sku-a', unitPrice, quantity: 1 }], at));
    expect(error).toBeInstanceOf(InvalidUnitPrice);
    expect(error).toMatchObject({ code: 'ORDER_UNIT_PRICE_INVALID' });
  });

  it.each(['short', 'has space 123', 'x'.repeat(65), '주문번호-123456'])('place_Throws_WhenOrderIdIs_%s', (orderId) => {
    expect(thrown(() => Order.place(orderId, LINES, at))).toBeInstanceOf(InvalidOrderId);
  });

  it('place_Throws_WhenProductIdIsEmpty', () => {
    expect(thrown(() => Order.place('ORD-0001', [{ productId: '', unitPrice: 100, quantity: 1 }], at))).toBeInstanceOf(InvalidProductId);
  });

  it('place_Throws_WhenTotalIsNotAnExactInteger', () => {
    const error = thrown(() => Order.place('ORD-0001', [{ productId: 'sku-a', unitPrice: 2 ** 52, quantity: 3 }], at));
    expect(error).toBeInstanceOf(OrderTotalTooLarge);
  });

  it('total_IsSumOfUnitPriceTimesQuantity', () => {
    expect(Order.place('ORD-0001', LINES, at).total).toBe(TOTAL);
  });

  it('place_StartsOrderAndItemsInOrderCompleted', () => {
    const order = Order.place('ORD-0001', LINES, at);
    expect(order.status).toBe(OrderStatus.ORDER_COMPLETED);
    expect(order.items.map((i) => i.status)).toEqual([ItemStatus.ORDER_COMPLETED, ItemStatus.ORDER_COMPLETED, ItemStatus.ORDER_COMPLETED]);
  });

  it('restore_RebuildsTheSameOrder_FromItsSnapshot', () => {
    const order = Order.place('ORD-0001', LINES, at);
    expect(Order.restore(structuredClone(order.toSnapshot())).toSnapshot()).toEqual(order.toSnapshot());
  });
});
