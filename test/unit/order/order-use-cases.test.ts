import { describe, expect, it } from 'vitest';
import { CancelAfterPurchaseConfirmed, OrderAlreadyExists, OrderNotFound, OrderWithoutItems } from '../../../src/domain/order/order-rule-violations.js';
import { LINES } from './fakes/fixtures.js';
import { harness, paidOrder } from './fakes/use-case-harness.js';

describe('order use cases', () => {
  it('placeOrder_StoresTheOrder_WithAGeneratedId', async () => {
    const h = harness();
    const { order } = await h.place.execute({ items: LINES });
    expect(order).toMatchObject({ orderId: 'ORD-0001', status: 'ORDER_COMPLETED', totalAmount: 31_000, payment: null });
    expect(h.store.order('ORD-0001')?.total).toBe(31_000);
  });

  it('placeOrder_Throws_WhenTheOrderIdIsTaken', async () => {
    const h = harness();
    await h.place.execute({ orderId: 'ORD-fixed', items: LINES });
    await expect(h.place.execute({ orderId: 'ORD-fixed', items: LINES })).rejects.toBeInstanceOf(OrderAlreadyExists);
  });

  it('placeOrder_StoresNothing_WhenTheOrderBreaksARule', async () => {
    const h = harness();
    await expect(h.place.execute({ orderId: 'ORD-empty', items: [] })).rejects.toBeInstanceOf(OrderWithoutItems);
    expect(h.store.order('ORD-empty')).toBeNull();
  });

  it('requestCancel_Throws_WhenTheOrderDoesNotExist', async () => {
    await expect(harness().requestCancel.execute({ orderId: 'ORD-none', productIds: ['a'], reason: 'r' })).rejects.toBeInstanceOf(OrderNotFound);
  });

  it('confirmPurchase_ThenRequestCancel_IsRefused', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.confirmPurchase.execute({ orderId, productIds: ['sku-a'] });
    await expect(h.requestCancel.execute({ orderId, productIds: ['sku-a'], reason: 'r' })).rejects.toBeInstanceOf(CancelAfterPurchaseConfirmed);
    expect(h.store.order(orderId)?.item('sku-a').status).toBe('PURCHASE_CONFIRMED');
  });

  it('restock_RecordsRestocks_AndShowListsThem', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-c'], reason: 'r' });
    await h.restock.execute({ orderId, productIds: ['sku-c'] });
    expect((await h.show.execute(orderId)).restocks).toEqual([{ productId: 'sku-c', quantity: 4, restockedAt: '2025-02-10T01:00:00.000Z' }]);
  });

  it('showOrder_GivesEachLedgerEntryItsExpectedDateAndSettlementStatus', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'r' });
    await h.restock.execute({ orderId });
    await h.cancel.execute({ orderId });
    h.settlements.rows = [
      { paymentKey: 'pk-1', transactionKey: 'tx-approve-pk-1', amount: 31_000, payOutAmount: 30_000, soldDate: '2025-02-09', paidOutDate: '2025-02-13' },
    ];
    h.clock.instant = new Date('2025-02-20T03:00:00.000Z');
    const view = await h.show.execute(orderId);
    expect(view.payment?.ledger.map((e) => [e.type, e.expectedSettlementDate, e.settlement?.status, e.settlement?.overdue])).toEqual([
      ['APPROVAL', '2025-02-13', 'COMPLETED', false],
      ['CANCEL', '2025-02-19', 'REQUESTED', true],
    ]);
  });

  it('showOrder_HasNoPayment_BeforeThePaymentIsConfirmed', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    expect((await h.show.execute('ORD-0001')).payment).toBeNull();
  });
});
