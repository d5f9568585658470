import { describe, expect, it } from 'vitest';
import { PaymentOperationIncomplete } from '../../../src/application/order/payment-operation.js';
import { CancelBeforeRestock } from '../../../src/domain/order/order-rule-violations.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { harness, paidOrder } from './fakes/use-case-harness.js';

describe('CancelPayment', () => {
  it('execute_RefusesWithoutCallingToss_WhenTheItemsAreNotRestocked', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'changed mind' });
    await expect(h.cancel.execute({ orderId })).rejects.toBeInstanceOf(CancelBeforeRestock);
    expect(h.toss.calls.filter((c) => c.op === 'cancel')).toEqual([]);
  });

  it('execute_SendsAPartialCancelOfTheItemsAmount_WithOurBalanceAsRefundableAmount', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'changed mind' });
    await h.restock.execute({ orderId });
    const result = await h.cancel.execute({ orderId });
    expect(h.toss.calls.at(-1)).toEqual({
      op: 'cancel',
      request: { paymentKey: 'pk-1', cancelReason: 'changed mind', cancelAmount: 5_000, refundableAmount: 31_000 },
      idempotencyKey: `settle:cancel:${orderId}:1`,
      executed: true,
    });
    expect(result.order).toMatchObject({ status: 'PARTIALLY_CANCELED', payment: { status: 'PARTIAL_CANCELED', balanceAmount: 26_000 } });
    expect(result.order.payment?.ledger.at(-1)).toMatchObject({
      type: 'CANCEL',
      amount: -5_000,
      balanceAfter: 26_000,
      transactionKey: 'tx-cancel-1',
      expectedSettlementDate: '2025-02-19',
    });
  });

  it('execute_SendsAFullCancel_WhenTheLastRemainingItemsAreCancelled', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'changed mind' });
    await h.restock.execute({ orderId });
    await h.cancel.execute({ orderId });
    await h.requestCancel.execute({ orderId, productIds: ['sku-a', 'sku-c'], reason: 'all of it' });
    await h.restock.execute({ orderId });
    const result = await h.cancel.execute({ orderId });
    expect(h.toss.calls.at(-1)).toMatchObject({
      request: { cancelAmount: null, refundableAmount: 26_000, cancelReason: 'all of it' },
      idempotencyKey: `settle:cancel:${orderId}:2`,
    });
    expect(result.order).toMatchObject({ status: 'CANCELED', payment: { status: 'CANCELED', balanceAmount: 0 } });
  });

  it('execute_CompletesWithTheSameKey_WhenTossCancelledButTheDatabaseWriteFailed', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'changed mind' });
    await h.restock.execute({ orderId });
    h.store.failCommit(2);
    await expect(h.cancel.execute({ orderId })).rejects.toBeInstanceOf(PaymentOperationIncomplete);
    expect(h.store.payment(orderId)?.balance).toBe(31_000);

    const rerun = await h.cancel.execute({ orderId });
    const cancels = h.toss.calls.filter((c) => c.op === 'cancel');
    expect(cancels.map((c) => [c.idempotencyKey, c.executed])).toEqual([
      [`settle:cancel:${orderId}:1`, true],
      [`settle:cancel:${orderId}:1`, false],
    ]);
    expect(cancels[1]?.request).toEqual(cancels[0]?.request); // same body too, or Toss would not replay
    expect(rerun.order.payment).toMatchObject({ balanceAmount: 26_000, ledger: [{ type: 'APPROVAL' }, { type: 'CANCEL', transactionKey: 'tx-cancel-1' }] });
  });

  it('execute_ReplaysWithoutCallingToss_WhenAnAlreadyRefundedRequestIsNamedAgain', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'changed mind' });
    await h.restock.execute({ orderId });
    await h.cancel.execute({ orderId, cancelRequestSeq: 1 });
    const again = await h.cancel.execute({ orderId, cancelRequestSeq: 1 });
    expect(again).toMatchObject({ replayed: true, order: { payment: { balanceAmount: 26_000 } } });
    expect(h.toss.calls.filter((c) => c.op === 'cancel')).toHaveLength(1);
  });

  it('execute_KeepsThePendingOperation_SoAnotherCancelWaits_WhenTossTimesOut', async () => {
    const h = harness();
    const orderId = await paidOrder(h);
    await h.requestCancel.execute({ orderId, productIds: ['sku-b'], reason: 'changed mind' });
    await h.requestCancel.execute({ orderId, productIds: ['sku-c'], reason: 'changed mind' });
    await h.restock.execute({ orderId });
    h.toss.failNext(new SettleError('TOSS_TIMEOUT', 'timed out'));
    await expect(h.cancel.execute({ orderId, cancelRequestSeq: 1 })).rejects.toMatchObject({ code: 'TOSS_TIMEOUT' });
    await expect(h.cancel.execute({ orderId, cancelRequestSeq: 2 })).rejects.toMatchObject({ code: 'PAYMENT_OPERATION_PENDING' });
  });
});
