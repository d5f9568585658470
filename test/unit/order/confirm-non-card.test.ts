import { describe, expect, it } from 'vitest';
import { PaymentOperationIncomplete, PaymentOperationPending } from '../../../src/application/order/payment-operation.js';
import { PaymentMethodNotAllowed } from '../../../src/domain/order/order-rule-violations.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { harness, type Harness } from './fakes/use-case-harness.js';
import { LINES, TOTAL } from './fakes/fixtures.js';

const CONFIRM_KEY = 'settle:confirm:ORD-0001:pk-1';
const VOID_KEY = 'settle:void-non-card:ORD-0001:pk-1';
const pay = (h: Harness, paymentKey = 'pk-1') => h.pay.execute({ orderId: 'ORD-0001', paymentKey, amount: TOTAL });

async function placedWithVirtualAccount(): Promise<Harness> {
  const h = harness();
  await h.place.execute({ items: LINES });
  h.toss.method = '가상계좌'; // the customer's checkout ended in a virtual account, not a card
  return h;
}

const keysSent = (h: Harness) => h.toss.calls.map((c) => [c.op, c.idempotencyKey, c.executed]);

describe('ConfirmPayment of a method other than card', () => {
  it('execute_CancelsTheApprovalInFullAtToss_AndRefusesWithPaymentMethodNotAllowed', async () => {
    const h = await placedWithVirtualAccount();
    const refused = pay(h);
    await expect(refused).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    await expect(refused).rejects.toMatchObject({ code: 'PAYMENT_METHOD_NOT_ALLOWED', category: 'rule', details: { method: '가상계좌', paymentKey: 'pk-1', voidIdempotencyKey: VOID_KEY } });
    expect(keysSent(h)).toEqual([
      ['confirm', CONFIRM_KEY, true],
      ['cancel', VOID_KEY, true],
    ]);
    // a full cancel (no cancelAmount) guarded by the amount Toss just approved
    expect(h.toss.calls[1]?.request).toMatchObject({ paymentKey: 'pk-1', cancelAmount: null, refundableAmount: TOTAL });
    expect(h.store.operation(CONFIRM_KEY)).toMatchObject({ kind: 'CONFIRM', status: 'DONE' });
    // the approval Toss made is on record even though it never became a payment
    expect(h.store.operation(VOID_KEY)).toMatchObject({
      kind: 'VOID',
      status: 'DONE',
      attempts: 1,
      errorCode: null,
      request: { paymentKey: 'pk-1', method: '가상계좌', approvalTransactionKey: 'tx-approve-pk-1', approvedAt: '2025-02-08T21:58:32.000Z', refundableAmount: TOTAL },
    });
    expect(h.store.payment('ORD-0001')).toBeNull();
    expect(h.store.order('ORD-0001')?.status).toBe('ORDER_COMPLETED');
  });

  it('execute_RefusesAgainWithoutCallingToss_WhenTheSameCommandRunsAgainAfterTheCancel', async () => {
    const h = await placedWithVirtualAccount();
    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(h.toss.calls).toHaveLength(2);
  });

  it('execute_Exits4AndLeavesTheCancelPending_WhenTossFailsTransiently_ThenARerunCompletesItWithTheSameKey', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(new SettleError('TOSS_TIMEOUT', 'timed out', { category: 'transient' }), 'cancel');
    const first = pay(h);
    await expect(first).rejects.toMatchObject({ code: 'PAYMENT_VOID_INCOMPLETE', category: 'transient', details: { idempotencyKey: VOID_KEY, causeCode: 'TOSS_TIMEOUT' } });
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'PENDING', attempts: 1, errorCode: 'TOSS_TIMEOUT' });

    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(keysSent(h)).toEqual([
      ['confirm', CONFIRM_KEY, true],
      ['cancel', VOID_KEY, false], // failed before Toss did anything
      ['cancel', VOID_KEY, true], // the rerun: no second confirm, the same cancel key
    ]);
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'DONE', attempts: 2, errorCode: null });
  });

  it('execute_CompletesWithTheSameKey_WhenTossCancelledButRecordingItFailed', async () => {
    const h = await placedWithVirtualAccount();
    h.store.failCommit(4); // 1 confirm PENDING, 2 approval recorded + cancel PENDING, 3 cancel attempt, 4 cancel DONE
    await expect(pay(h)).rejects.toBeInstanceOf(PaymentOperationIncomplete);
    expect(h.store.operation(VOID_KEY)?.status).toBe('PENDING');

    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(keysSent(h)).toEqual([
      ['confirm', CONFIRM_KEY, true],
      ['cancel', VOID_KEY, true],
      ['cancel', VOID_KEY, false], // Toss replayed its first answer: refunded once
    ]);
    expect(h.store.operation(VOID_KEY)?.status).toBe('DONE');
  });

  it('execute_RecordsTheApprovalAndCancels_WhenTheFirstRunCrashedBeforeRecordingTheApproval', async () => {
    const h = await placedWithVirtualAccount();
    h.store.failCommit(2); // Toss approved, our record of it was lost
    await expect(pay(h)).rejects.toBeInstanceOf(PaymentOperationIncomplete);
    expect(h.store.operation(VOID_KEY)).toBeUndefined();

    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(keysSent(h)).toEqual([
      ['confirm', CONFIRM_KEY, true],
      ['confirm', CONFIRM_KEY, false],
      ['cancel', VOID_KEY, true],
    ]);
  });

  it('execute_BlocksAnotherPayment_UntilTheCancelIsDone_ThenAcceptsACard', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(new SettleError('TOSS_TIMEOUT', 'timed out', { category: 'transient' }), 'cancel');
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_VOID_INCOMPLETE' });
    h.toss.method = '카드';
    // the customer's money is still held by the first payment: a second one must wait
    await expect(pay(h, 'pk-2')).rejects.toBeInstanceOf(PaymentOperationPending);
    await expect(pay(h, 'pk-2')).rejects.toMatchObject({ details: { idempotencyKey: VOID_KEY, kind: 'VOID' } });

    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    const paid = await pay(h, 'pk-2');
    expect(paid.order).toMatchObject({ status: 'PAYMENT_COMPLETED', payment: { paymentKey: 'pk-2', method: { kind: 'CARD' } } });
  });

  it('execute_KeepsTheCancelPendingAndSaysSo_WhenTossRefusesIt', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(new SettleError('TOSS_NOT_CANCELABLE_PAYMENT', 'Toss answered 403 NOT_CANCELABLE_PAYMENT', { category: 'rule' }), 'cancel');
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_VOID_INCOMPLETE', category: 'rule', details: { causeCode: 'TOSS_NOT_CANCELABLE_PAYMENT' } });
    // never FAILED: the money is still captured, so the order stays blocked until someone resolves it
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'PENDING', errorCode: 'TOSS_NOT_CANCELABLE_PAYMENT' });
  });

  it('execute_TreatsAPaymentAlreadyCancelledAtTossAsCancelled', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(new SettleError('TOSS_ALREADY_CANCELED_PAYMENT', 'Toss answered 400 ALREADY_CANCELED_PAYMENT', { category: 'rule' }), 'cancel');
    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'DONE', errorCode: 'TOSS_ALREADY_CANCELED_PAYMENT' });
  });

  it('execute_CancelsAnApprovalThatNamesNoMethod', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.method = null;
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_METHOD_NOT_ALLOWED', details: { method: null } });
    expect(h.store.operation(VOID_KEY)?.status).toBe('DONE');
  });
});
