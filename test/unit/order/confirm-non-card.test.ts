import { describe, expect, it } from 'vitest';
import { PaymentOperationIncomplete, PaymentOperationPending } from '../../../src/application/order/payment-operation.js';
import { tossAnswered } from '../../../src/application/order/toss-payments.js';
import { PaymentMethodNotAllowed } from '../../../src/domain/order/order-rule-violations.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { tossErrorFrom } from '../../../src/infrastructure/toss/toss-http-error.js';
import { paymentErrorCode } from '../../../src/infrastructure/toss/toss-payment-errors.js';
import { exitCodeOf } from '../../../src/presentation/cli/exit-codes.js';
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

/** What the real payments client throws once Toss answered `status {code, message}` (after its own retries). */
const tossSays = (status: number, code: string, message: string) => tossErrorFrom(status, {}, JSON.stringify({ code, message }), paymentErrorCode);
const NOT_CANCELABLE = () => tossSays(403, 'NOT_CANCELABLE_PAYMENT', '취소 할 수 없는 결제 입니다.');
const RETRY = 'settle order pay ORD-0001 --payment-key pk-1 --amount 31000';

/** Runs a printed `settle order pay <orderId> --payment-key <k> --amount <n>` through the use case. */
function runPrinted(h: Harness, command: string | null | undefined) {
  const m = /^settle order pay (\S+) --payment-key (\S+) --amount (\d+)$/.exec(command ?? '');
  if (!m) throw new Error(`not an order pay command: ${String(command)}`);
  return h.pay.execute({ orderId: m[1] ?? '', paymentKey: m[2] ?? '', amount: Number(m[3]) });
}

describe('ConfirmPayment of a method other than card', () => {
  it('execute_CancelsTheApprovalInFullAtToss_AndRefusesWithPaymentMethodNotAllowed', async () => {
    const h = await placedWithVirtualAccount();
    const refused = pay(h);
    await expect(refused).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    await expect(refused).rejects.toMatchObject({
      code: 'PAYMENT_METHOD_NOT_ALLOWED',
      category: 'rule',
      details: { method: '가상계좌', paymentKey: 'pk-1', voidIdempotencyKey: VOID_KEY },
    });
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
      request: {
        paymentKey: 'pk-1',
        method: '가상계좌',
        approvalTransactionKey: 'tx-approve-pk-1',
        approvedAt: '2025-02-08T21:58:32.000Z',
        refundableAmount: TOTAL,
      },
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
    h.toss.failNext(new SettleError('TOSS_TIMEOUT', 'timed out'), 'cancel');
    const first = pay(h);
    await expect(first).rejects.toMatchObject({
      code: 'PAYMENT_VOID_INCOMPLETE',
      category: 'transient',
      details: { idempotencyKey: VOID_KEY, causeCode: 'TOSS_TIMEOUT' },
    });
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'PENDING', attempts: 1, errorCode: 'TOSS_TIMEOUT', errorMessage: 'timed out' });

    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(keysSent(h)).toEqual([
      ['confirm', CONFIRM_KEY, true],
      ['cancel', VOID_KEY, false], // failed before Toss did anything
      ['cancel', VOID_KEY, true], // the rerun: no second confirm, the same cancel key
    ]);
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'DONE', attempts: 2, errorCode: null, errorMessage: null });
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
    h.toss.failNext(new SettleError('TOSS_TIMEOUT', 'timed out'), 'cancel');
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_VOID_INCOMPLETE' });
    h.toss.method = '카드';
    // the customer's money is still held by the first payment: a second one must wait
    await expect(pay(h, 'pk-2')).rejects.toBeInstanceOf(PaymentOperationPending);
    await expect(pay(h, 'pk-2')).rejects.toMatchObject({ details: { idempotencyKey: VOID_KEY, kind: 'VOID' } });

    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    const paid = await pay(h, 'pk-2');
    expect(paid.order).toMatchObject({ status: 'PAYMENT_COMPLETED', payment: { paymentKey: 'pk-2', method: { kind: 'CARD' } } });
  });

  it('execute_RecordsTheVoidFailedWithTossCodeAndMessage_WhenTossRefusesEveryAttempt_AndTheRetryCommandFinishesIt', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.refuseCancels = NOT_CANCELABLE();
    const first = pay(h);
    await expect(first).rejects.toMatchObject({
      code: 'PAYMENT_VOID_REFUSED',
      category: 'rule',
      details: { causeCode: 'TOSS_REFUSED', status: 'FAILED', attempts: 1, retryCommand: RETRY },
    });
    expect(exitCodeOf(await first.catch((e: unknown) => e))).toBe(7);
    // terminal for this run, not "in flight": Toss's code and message, when, and how many runs asked it
    expect(h.store.operation(VOID_KEY)).toMatchObject({
      status: 'FAILED',
      errorCode: 'TOSS_REFUSED',
      errorMessage: 'Toss answered 403 NOT_CANCELABLE_PAYMENT: 취소 할 수 없는 결제 입니다.',
      attempts: 1,
      updatedAt: h.clock.now().toISOString(),
    });

    h.clock.instant = new Date('2025-02-10T02:00:00.000Z');
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_VOID_REFUSED', details: { status: 'FAILED', attempts: 2 } });
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'FAILED', attempts: 2, updatedAt: '2025-02-10T02:00:00.000Z' });

    // order show says so, with the command that retries it
    const shown = await h.show.execute('ORD-0001');
    expect(shown.voids).toEqual([
      {
        orderId: 'ORD-0001',
        paymentKey: 'pk-1',
        operation: 'VOID',
        idempotencyKey: VOID_KEY,
        status: 'FAILED',
        method: '가상계좌',
        amount: TOTAL,
        approvedAt: '2025-02-08T21:58:32.000Z',
        approvalTransactionKey: 'tx-approve-pk-1',
        errorCode: 'TOSS_REFUSED',
        errorMessage: 'Toss answered 403 NOT_CANCELABLE_PAYMENT: 취소 할 수 없는 결제 입니다.',
        attempts: 2,
        createdAt: '2025-02-10T01:00:00.000Z',
        updatedAt: '2025-02-10T02:00:00.000Z',
        retryCommand: RETRY,
      },
    ]);

    // the money is still held: a FAILED void blocks a second charge exactly as a PENDING one does
    h.toss.method = '카드';
    const blocked = pay(h, 'pk-2');
    await expect(blocked).rejects.toBeInstanceOf(PaymentOperationPending);
    await expect(blocked).rejects.toMatchObject({
      details: { idempotencyKey: VOID_KEY, kind: 'VOID', status: 'FAILED' },
      message: expect.stringContaining(RETRY),
    });

    // Toss lets it through later: the printed command retries the cancel under the same key, once
    h.toss.method = '가상계좌';
    h.toss.refuseCancels = null;
    await expect(runPrinted(h, shown.voids?.[0]?.retryCommand)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'DONE', attempts: 3, errorCode: null, errorMessage: null });
    expect(keysSent(h)).toEqual([
      ['confirm', CONFIRM_KEY, true],
      ['cancel', VOID_KEY, false],
      ['cancel', VOID_KEY, false], // pk-2 was refused before anything was sent to Toss
      ['cancel', VOID_KEY, true], // the printed command: no second confirm, the same cancel key
    ]);
    expect((await h.show.execute('ORD-0001')).voids).toMatchObject([{ status: 'DONE', retryCommand: null }]);

    h.toss.method = '카드';
    expect((await pay(h, 'pk-2')).order).toMatchObject({ status: 'PAYMENT_COMPLETED', payment: { paymentKey: 'pk-2' } });
  });

  it('execute_RecordsTheVoidFailedAndExits4_WhenTossKeepsAnswering5xxAfterTheClientsRetries', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.refuseCancels = tossSays(500, 'FAILED_INTERNAL_SYSTEM_PROCESSING', '내부 시스템 처리 작업이 실패했습니다.');
    const first = pay(h);
    await expect(first).rejects.toMatchObject({ code: 'PAYMENT_VOID_INCOMPLETE', category: 'transient', details: { status: 'FAILED' } });
    expect(exitCodeOf(await first.catch((e: unknown) => e))).toBe(4);
    expect(h.store.operation(VOID_KEY)).toMatchObject({
      status: 'FAILED',
      errorCode: 'TOSS_UNAVAILABLE',
      errorMessage: expect.stringContaining('500 FAILED_INTERNAL_SYSTEM_PROCESSING'),
    });
  });

  it('execute_KeepsTheVoidPendingWithTheErrorNoted_WhenTossGaveNoAnswer', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(new SettleError('TOSS_TIMEOUT', 'Toss POST /v1/payments/pk-1/cancel (attempt 6): no answer in time'), 'cancel');
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_VOID_INCOMPLETE', details: { status: 'PENDING' } });
    // Toss may have cancelled: not "refused", but not silent either
    expect(h.store.operation(VOID_KEY)).toMatchObject({
      status: 'PENDING',
      errorCode: 'TOSS_TIMEOUT',
      errorMessage: expect.stringContaining('no answer in time'),
    });
    expect((await h.show.execute('ORD-0001')).voids).toMatchObject([{ status: 'PENDING', errorCode: 'TOSS_TIMEOUT', retryCommand: RETRY }]);
  });

  it('tossAnswered_TellsAnErrorTossAnsweredFromOneThatGotNoAnswer', () => {
    expect(tossAnswered(NOT_CANCELABLE())).toBe(true);
    expect(tossAnswered(tossSays(503, 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'x'))).toBe(true);
    expect(tossAnswered(new SettleError('TOSS_TIMEOUT', 'no answer'))).toBe(false);
    expect(tossAnswered(new SettleError('TOSS_RESPONSE_INVALID', 'not a Payment'))).toBe(false);
    expect(tossAnswered(new Error('boom'))).toBe(false);
  });

  it('execute_TreatsAPaymentAlreadyCancelledAtTossAsCancelled', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(tossSays(400, 'ALREADY_CANCELED_PAYMENT', '이미 취소된 결제 입니다.'), 'cancel');
    await expect(pay(h)).rejects.toBeInstanceOf(PaymentMethodNotAllowed);
    expect(h.store.operation(VOID_KEY)).toMatchObject({
      status: 'DONE',
      errorCode: 'TOSS_REFUSED',
      errorMessage: 'Toss answered 400 ALREADY_CANCELED_PAYMENT: 이미 취소된 결제 입니다.',
    });
  });

  it('execute_KeepsTheVoidFailed_WhenTossRefusesWithAnotherCodeOfTheSameFamily', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.failNext(tossSays(400, 'NOT_MATCHES_REFUNDABLE_AMOUNT', '잔액 결과가 일치하지 않습니다.'), 'cancel');
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_VOID_REFUSED', details: { causeCode: 'TOSS_REFUSED', status: 'FAILED' } });
    expect(h.store.operation(VOID_KEY)).toMatchObject({ status: 'FAILED', errorCode: 'TOSS_REFUSED' });
  });

  it('execute_CancelsAnApprovalThatNamesNoMethod', async () => {
    const h = await placedWithVirtualAccount();
    h.toss.method = null;
    await expect(pay(h)).rejects.toMatchObject({ code: 'PAYMENT_METHOD_NOT_ALLOWED', details: { method: null } });
    expect(h.store.operation(VOID_KEY)?.status).toBe('DONE');
  });
});
