import { describe, expect, it } from 'vitest';
import { PaymentOperationIncomplete, PaymentOperationPending } from '../../../src/application/order/payment-operation.js';
import { PaymentAmountMismatch } from '../../../src/domain/order/order-rule-violations.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { harness } from './fakes/use-case-harness.js';
import { LINES, TOTAL } from './fakes/fixtures.js';

const KEY = 'settle:confirm:ORD-0001:pk-1';

describe('ConfirmPayment', () => {
  it('execute_ConfirmsAtTossWithADerivedKey_AndRecordsPaymentAndApproval', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    const result = await h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL });
    expect(h.toss.calls).toEqual([{ op: 'confirm', request: { paymentKey: 'pk-1', orderId: 'ORD-0001', amount: TOTAL }, idempotencyKey: KEY, executed: true }]);
    expect(result).toMatchObject({
      idempotencyKey: KEY,
      replayed: false,
      order: { status: 'PAYMENT_COMPLETED', payment: { paymentKey: 'pk-1', status: 'DONE', balanceAmount: TOTAL } },
    });
    expect(result.order.payment?.ledger).toMatchObject([
      { type: 'APPROVAL', amount: TOTAL, transactionKey: 'tx-approve-pk-1', expectedSettlementDate: '2025-02-13' },
    ]);
    expect(h.store.operation(KEY)).toMatchObject({ status: 'DONE', kind: 'CONFIRM', attempts: 1 });
  });

  it('execute_NeverCallsToss_WhenTheAmountDiffersFromTheTotal', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    await expect(h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL - 1 })).rejects.toBeInstanceOf(PaymentAmountMismatch);
    expect(h.toss.calls).toEqual([]);
    expect(h.store.operations).toEqual([]);
  });

  it('execute_CompletesWithTheSameKey_WhenTossSucceededButTheDatabaseWriteFailed', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    h.store.failCommit(2); // transaction 1 stores the PENDING operation, 2 records Toss's answer: that one fails
    const first = h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL });
    await expect(first).rejects.toBeInstanceOf(PaymentOperationIncomplete);
    await expect(first).rejects.toMatchObject({ code: 'PAYMENT_OPERATION_INCOMPLETE', category: 'transient' });
    expect(h.store.operation(KEY)?.status).toBe('PENDING');
    expect(h.store.payment('ORD-0001')).toBeNull();

    const rerun = await h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL });
    expect(h.toss.calls.map((c) => [c.idempotencyKey, c.executed])).toEqual([
      [KEY, true],
      [KEY, false], // Toss replayed its first answer: charged once
    ]);
    expect(rerun).toMatchObject({ replayed: false, order: { status: 'PAYMENT_COMPLETED', payment: { balanceAmount: TOTAL } } });
    expect(h.store.operation(KEY)).toMatchObject({ status: 'DONE', attempts: 2 });
  });

  it('execute_ReplaysWithoutCallingToss_WhenTheSameCommandRunsAgainAfterSuccess', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    await h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL });
    const again = await h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL });
    expect(again).toMatchObject({ replayed: true, idempotencyKey: KEY, order: { status: 'PAYMENT_COMPLETED' } });
    expect(h.toss.calls).toHaveLength(1);
    expect(h.store.payment('ORD-0001')?.entries).toHaveLength(1);
  });

  it('execute_LeavesTheOperationPending_WhenTossFailsTransiently', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    h.toss.failNext(new SettleError('TOSS_UNAVAILABLE', 'Toss answered 503 HTTP_503', { details: { status: 503, tossCode: 'HTTP_503' } }));
    await expect(h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL })).rejects.toMatchObject({
      code: 'TOSS_UNAVAILABLE',
      details: { tossCode: 'HTTP_503' },
    });
    expect(h.store.operation(KEY)?.status).toBe('PENDING');
  });

  it('execute_RefusesAnotherPaymentKey_WhileAnEarlierConfirmIsPending', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    h.toss.failNext(new SettleError('TOSS_UNAVAILABLE', 'Toss answered 503 HTTP_503', { details: { status: 503, tossCode: 'HTTP_503' } }));
    await expect(h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL })).rejects.toThrow();
    await expect(h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-2', amount: TOTAL })).rejects.toBeInstanceOf(PaymentOperationPending);
    expect(h.toss.calls).toHaveLength(1);
  });

  it('execute_MarksTheOperationFailed_AndAllowsANewPaymentKey_WhenTossRefuses', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    h.toss.failNext(new SettleError('TOSS_REFUSED', 'Toss answered 403 REJECT_CARD_COMPANY', { details: { status: 403, tossCode: 'REJECT_CARD_COMPANY' } }));
    await expect(h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL })).rejects.toMatchObject({
      code: 'TOSS_REFUSED',
      details: { tossCode: 'REJECT_CARD_COMPANY' },
    });
    expect(h.store.operation(KEY)).toMatchObject({ status: 'FAILED', errorCode: 'TOSS_REFUSED', errorMessage: 'Toss answered 403 REJECT_CARD_COMPANY' });
    const second = await h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-2', amount: TOTAL });
    expect(second.order.payment?.paymentKey).toBe('pk-2');
  });
});

describe('ConfirmPayment input', () => {
  it('execute_StoresNoOperation_WhenThePaymentKeyCannotTravelInAHeader', async () => {
    const h = harness();
    await h.place.execute({ items: LINES });
    await expect(h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk\n1', amount: TOTAL })).rejects.toMatchObject({ code: 'PAYMENT_KEY_INVALID' });
    expect(h.store.operations).toEqual([]);
    expect(h.toss.calls).toEqual([]);
  });
});
