import { describe, expect, it } from 'vitest';
import { ItemStatus } from '../../../src/domain/order/item-status.js';
import {
  CancelAfterPurchaseConfirmed,
  CancelBeforeRestock,
  InvalidCancelReason,
  ItemNotCancelable,
  NoItemsSelected,
  NoOpenCancelRequest,
  RestockWithoutCancelRequest,
  UnknownOrderItem,
} from '../../../src/domain/order/order-rule-violations.js';
import { OrderStatus } from '../../../src/domain/order/order-status.js';
import { calculator, paid, placed, thrown } from './fakes/fixtures.js';

const at = '2025-02-11T00:00:00.000Z';

describe('Order.requestCancel', () => {
  it('requestCancel_Throws_WhenItemPurchaseIsConfirmed', () => {
    const { order } = paid();
    order.confirmPurchase(['sku-a']);
    const error = thrown(() => order.requestCancel(['sku-a'], 'changed mind', at));
    expect(error).toBeInstanceOf(CancelAfterPurchaseConfirmed);
    expect(error).toMatchObject({ code: 'CANCEL_AFTER_PURCHASE_CONFIRMED', details: { productId: 'sku-a' } });
  });

  it('requestCancel_ChangesNothing_WhenOneOfTheItemsIsRefused', () => {
    const { order } = paid();
    order.confirmPurchase(['sku-b']);
    expect(thrown(() => order.requestCancel(['sku-a', 'sku-b'], 'changed mind', at))).toBeInstanceOf(CancelAfterPurchaseConfirmed);
    expect(order.item('sku-a').status).toBe(ItemStatus.PAYMENT_COMPLETED);
    expect(order.cancelRequests).toEqual([]);
  });

  it('requestCancel_Throws_WhenOrderIsNotPaid', () => {
    const error = thrown(() => placed().requestCancel(['sku-a'], 'changed mind', at));
    expect(error).toBeInstanceOf(ItemNotCancelable);
    expect(error).toMatchObject({ code: 'ITEM_NOT_CANCELABLE', details: { status: 'ORDER_COMPLETED' } });
  });

  it('requestCancel_Throws_WhenItemIsAlreadyInACancel', () => {
    const { order } = paid();
    order.requestCancel(['sku-a'], 'changed mind', at);
    expect(thrown(() => order.requestCancel(['sku-a'], 'again', at))).toBeInstanceOf(ItemNotCancelable);
  });

  it('requestCancel_Throws_WhenProductIsNotOnTheOrder', () => {
    expect(thrown(() => paid().order.requestCancel(['sku-z'], 'changed mind', at))).toBeInstanceOf(UnknownOrderItem);
  });

  it('requestCancel_Throws_WhenNoItemsAreNamed', () => {
    expect(thrown(() => paid().order.requestCancel([], 'changed mind', at))).toBeInstanceOf(NoItemsSelected);
  });

  it.each(['', 'x'.repeat(201)])('requestCancel_Throws_WhenReasonLengthIs_%#', (reason) => {
    expect(thrown(() => paid().order.requestCancel(['sku-a'], reason, at))).toBeInstanceOf(InvalidCancelReason);
  });

  it('requestCancel_MovesItemsToCancelRequested_AndNumbersTheRequest', () => {
    const { order } = paid();
    const first = order.requestCancel(['sku-a', 'sku-a'], 'changed mind', at);
    const second = order.requestCancel(['sku-b'], 'damaged', at);
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(first.productIds).toEqual(['sku-a']);
    expect(order.item('sku-a')).toMatchObject({ status: ItemStatus.CANCEL_REQUESTED, cancelRequestSeq: 1 });
    expect(order.status).toBe(OrderStatus.CANCEL_REQUESTED);
  });
});

describe('Order.restock', () => {
  it('restock_Throws_WhenItemHasNoCancelRequest', () => {
    const error = thrown(() => paid().order.restock(['sku-a'], at));
    expect(error).toBeInstanceOf(RestockWithoutCancelRequest);
    expect(error).toMatchObject({ code: 'RESTOCK_WITHOUT_CANCEL_REQUEST', details: { status: 'PAYMENT_COMPLETED' } });
  });

  it('restock_Throws_WhenNothingWaitsForRestock', () => {
    expect(thrown(() => paid().order.restock(undefined, at))).toBeInstanceOf(NoItemsSelected);
  });

  it('restock_RecordsEachLineWithItsQuantity_WhenNoIdsGiven', () => {
    const { order } = paid();
    order.requestCancel(['sku-a', 'sku-c'], 'changed mind', at);
    expect(order.restock(undefined, at)).toEqual([
      { productId: 'sku-a', quantity: 2, restockedAt: at },
      { productId: 'sku-c', quantity: 4, restockedAt: at },
    ]);
    expect(order.item('sku-a').status).toBe(ItemStatus.RESTOCKED);
    expect(order.restocks).toHaveLength(2);
  });
});

describe('Order.planPaymentCancel', () => {
  it('planPaymentCancel_Throws_WhenCancelledItemsAreNotRestocked', () => {
    const { order, payment } = paid();
    order.requestCancel(['sku-a', 'sku-b'], 'changed mind', at);
    order.restock(['sku-a'], at);
    const error = thrown(() => order.planPaymentCancel(payment));
    expect(error).toBeInstanceOf(CancelBeforeRestock);
    expect(error).toMatchObject({ code: 'CANCEL_BEFORE_RESTOCK', details: { productIds: ['sku-b'] } });
  });

  it('planPaymentCancel_Throws_WhenNoCancelRequestIsOpen', () => {
    const { order, payment } = paid();
    expect(thrown(() => order.planPaymentCancel(payment))).toBeInstanceOf(NoOpenCancelRequest);
  });

  it('planPaymentCancel_AmountIsTheCancelledItemsAmount_WhenPartial', () => {
    const { order, payment } = paid();
    order.requestCancel(['sku-a', 'sku-c'], 'changed mind', at);
    order.restock(undefined, at);
    expect(order.planPaymentCancel(payment)).toMatchObject({ amount: 20_000 + 6_000, full: false });
  });

  it('planPaymentCancel_IsFull_WhenTheLastRemainingItemsAreCancelled', () => {
    const { order, payment } = paid();
    order.requestCancel(['sku-a', 'sku-b', 'sku-c'], 'changed mind', at);
    order.restock(undefined, at);
    expect(order.planPaymentCancel(payment)).toMatchObject({ amount: 31_000, full: true });
  });
});

describe('Order.cancelPayment', () => {
  it('cancelPayment_Throws_WhenItemsAreNotRestocked', () => {
    const { order, payment } = paid();
    const request = order.requestCancel(['sku-a'], 'changed mind', at);
    expect(thrown(() => order.cancelPayment(payment, { seq: request.seq, canceledAt: at, transactionKey: 'tx-c1' }, calculator()))).toBeInstanceOf(
      CancelBeforeRestock,
    );
    expect(payment.entries).toHaveLength(1);
  });

  it('cancelPayment_AppendsANegativeEntry_AndCancelsTheItems_WhenPartial', () => {
    const { order, payment } = paid();
    order.requestCancel(['sku-b'], 'changed mind', at);
    order.restock(['sku-b'], at);
    const entry = order.cancelPayment(payment, { seq: 1, canceledAt: '2025-02-13T00:00:00.000Z', transactionKey: 'tx-c1' }, calculator());
    expect(entry).toMatchObject({
      seq: 2,
      type: 'CANCEL',
      amount: -5_000,
      balanceAfter: 26_000,
      transactionKey: 'tx-c1',
      cancelRequestSeq: 1,
      reason: 'changed mind',
      expectedSettlementDate: '2025-02-18',
    });
    expect(payment.status).toBe('PARTIAL_CANCELED');
    expect(order.item('sku-b').status).toBe(ItemStatus.CANCELED);
    expect(order.status).toBe(OrderStatus.PARTIALLY_CANCELED);
    expect(order.cancelRequests[0]?.refundedAt).toBe('2025-02-13T00:00:00.000Z');
  });

  it('cancelPayment_CancelsTheWholeOrder_WhenTheRestIsCancelledAfterAPartialCancel', () => {
    const { order, payment } = paid();
    order.requestCancel(['sku-b'], 'changed mind', at);
    order.restock(undefined, at);
    order.cancelPayment(payment, { seq: 1, canceledAt: at, transactionKey: 'tx-c1' }, calculator());
    order.requestCancel(['sku-a', 'sku-c'], 'changed mind', at);
    order.restock(undefined, at);
    expect(order.planPaymentCancel(payment)).toMatchObject({ amount: 26_000, full: true });
    const entry = order.cancelPayment(payment, { seq: 2, canceledAt: at, transactionKey: 'tx-c2' }, calculator());
    expect(entry).toMatchObject({ seq: 3, amount: -26_000, balanceAfter: 0 });
    expect(payment.status).toBe('CANCELED');
    expect(order.status).toBe(OrderStatus.CANCELED);
  });

  it('cancelPayment_Throws_WhenTheRequestIsAlreadyRefunded', () => {
    const { order, payment } = paid();
    order.requestCancel(['sku-b'], 'changed mind', at);
    order.restock(undefined, at);
    order.cancelPayment(payment, { seq: 1, canceledAt: at, transactionKey: 'tx-c1' }, calculator());
    expect(thrown(() => order.cancelPayment(payment, { seq: 1, canceledAt: at, transactionKey: 'tx-c1' }, calculator()))).toBeInstanceOf(NoOpenCancelRequest);
  });
});
