import { describe, expect, it } from 'vitest';
import type { PaymentOperation } from '../../../src/application/order/payment-operation.js';
import { voidRetryCommand } from '../../../src/application/order/void-view.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { tossErrorFrom } from '../../../src/infrastructure/toss/toss-http-error.js';
import { paymentErrorCode } from '../../../src/infrastructure/toss/toss-payment-errors.js';
import { formatOrder } from '../../../src/presentation/cli/commands/order-output.js';
import { harness, type Harness } from './fakes/use-case-harness.js';
import { LINES, TOTAL } from './fakes/fixtures.js';

const pay = (h: Harness) => h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL });

async function virtualAccountPaid(refusal: Error | null): Promise<Harness> {
  const h = harness();
  await h.place.execute({ items: LINES });
  h.toss.method = '가상계좌';
  h.toss.refuseCancels = refusal;
  await pay(h).catch(() => undefined);
  return h;
}

/** `settle order show` text: what an operator reads about a non-card approval and its cancel. */
describe('order show, a non-card approval', () => {
  it('formatOrder_SaysPlainlyThatTossRefusedTheVoid_WithCodeMessageWhenAttemptsAndTheRetryCommand', async () => {
    const h = await virtualAccountPaid(
      tossErrorFrom(403, {}, JSON.stringify({ code: 'NOT_CANCELABLE_PAYMENT', message: '취소 할 수 없는 결제 입니다.' }), paymentErrorCode),
    );
    const lines = formatOrder(await h.show.execute('ORD-0001'));
    expect(lines.slice(lines.indexOf('payment: none'))).toEqual([
      'payment: none',
      'VOID REFUSED BY TOSS: non-card payment pk-1 (가상계좌, 31,000 KRW, approved 2025-02-08T21:58:32.000Z) is NOT cancelled',
      '  Toss refused the cancel: TOSS_REFUSED: Toss answered 403 NOT_CANCELABLE_PAYMENT: 취소 할 수 없는 결제 입니다.',
      '  at 2025-02-10T01:00:00.000Z, after 1 attempt (Idempotency-Key settle:void-non-card:ORD-0001:pk-1)',
      "  the customer's money is still held at Toss, and this order refuses any other payment until the cancel is done",
      '  retry: settle order pay ORD-0001 --payment-key pk-1 --amount 31000',
    ]);
  });

  it('formatOrder_SaysTheOutcomeIsUnknown_WhenTheCancelGotNoAnswer', async () => {
    const h = await virtualAccountPaid(new SettleError('TOSS_TIMEOUT', 'no answer in time'));
    const lines = formatOrder(await h.show.execute('ORD-0001'));
    expect(lines).toContain('VOID NOT FINISHED: non-card payment pk-1 (가상계좌, 31,000 KRW, approved 2025-02-08T21:58:32.000Z) may not be cancelled');
    expect(lines).toContain('  the cancel got no answer from Toss: TOSS_TIMEOUT: no answer in time');
    expect(lines.at(-1)).toBe('  retry: settle order pay ORD-0001 --payment-key pk-1 --amount 31000');
  });

  it('formatOrder_ListsADoneVoidAsHistory', async () => {
    const h = await virtualAccountPaid(null);
    expect(formatOrder(await h.show.execute('ORD-0001')).at(-1)).toBe(
      'non-card payment pk-1 (가상계좌, 31,000 KRW, approved 2025-02-08T21:58:32.000Z): cancelled in full at Toss at 2025-02-10T01:00:00.000Z (not accepted: card only)',
    );
  });

  it('voidRetryCommand_QuotesAWordTheShellWouldSplit', () => {
    const op = { orderId: 'ORD-0001', request: { paymentKey: "pk 1'x", refundableAmount: 100 } } as unknown as PaymentOperation;
    expect(voidRetryCommand(op)).toBe("settle order pay ORD-0001 --payment-key 'pk 1'\\''x' --amount 100");
  });
});
