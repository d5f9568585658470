import { describe, expect, it } from 'vitest';
import type { PaymentOperation } from '../../../src/application/order/payment-operation.js';
import type { PaymentReconciliationSource, UnknownSettlement, UnsettledEntry } from '../../../src/application/order/payment-reconciliation-source.js';
import { ReconcilePayments } from '../../../src/application/order/reconcile-payments.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { tossErrorFrom } from '../../../src/infrastructure/toss/toss-http-error.js';
import { paymentErrorCode } from '../../../src/infrastructure/toss/toss-payment-errors.js';
import { formatReconciliation } from '../../../src/presentation/cli/commands/order-output.js';
import { harness } from './fakes/use-case-harness.js';
import { FixedClock, LINES, TOTAL } from './fakes/fixtures.js';

class FakeSource implements PaymentReconciliationSource {
  asked: unknown[] = [];
  constructor(
    private readonly unsettled: UnsettledEntry[] = [],
    private readonly unknown: UnknownSettlement[] = [],
    private readonly voids: PaymentOperation[] = [],
  ) {}
  async unsettledEntries(from: string, to: string, today: string) {
    this.asked.push({ from, to, today });
    return this.unsettled;
  }
  async unknownSettlements() {
    return this.unknown;
  }
  async unfinishedVoids() {
    return this.voids;
  }
}

/** The store's VOID rows after `order pay` met a virtual account and Toss refused (or never answered) its cancel. */
async function voidsLeftOpen(): Promise<PaymentOperation[]> {
  const h = harness();
  await h.place.execute({ items: LINES }); // ORD-0001
  await h.place.execute({ items: LINES }); // ORD-0002
  h.toss.method = '가상계좌';
  h.toss.refuseCancels = tossErrorFrom(403, {}, JSON.stringify({ code: 'NOT_CANCELABLE_PAYMENT', message: '취소 할 수 없는 결제 입니다.' }), paymentErrorCode);
  await h.pay.execute({ orderId: 'ORD-0001', paymentKey: 'pk-1', amount: TOTAL }).catch(() => undefined);
  h.toss.refuseCancels = new SettleError('TOSS_TIMEOUT', 'no answer in time');
  h.clock.instant = new Date('2025-02-10T01:05:00.000Z');
  await h.pay.execute({ orderId: 'ORD-0002', paymentKey: 'pk-2', amount: TOTAL }).catch(() => undefined);
  return h.store.operations.filter((o) => o.kind === 'VOID');
}

describe('ReconcilePayments', () => {
  // 2025-02-19T16:00Z is already 02-20 in Seoul: "today" is the Seoul date.
  it('execute_AsksForEntriesOverdueBeforeTheSeoulDate_AndCountsFindings', async () => {
    const source = new FakeSource([
      { orderId: 'o', paymentKey: 'p', transactionKey: 't', type: 'APPROVAL', amount: 1, occurredAt: 'x', expectedSettlementDate: '2025-02-13' },
    ]);
    const result = await new ReconcilePayments({ source, clock: new FixedClock(new Date('2025-02-19T16:00:00.000Z')) }).execute({
      from: '2025-02-01',
      to: '2025-02-28',
    });
    expect(source.asked).toEqual([{ from: '2025-02-01', to: '2025-02-28', today: '2025-02-20' }]);
    expect(result).toMatchObject({ today: '2025-02-20', findings: 1 });
  });

  it('execute_Throws_WhenToIsBeforeFrom', async () => {
    await expect(
      new ReconcilePayments({ source: new FakeSource(), clock: new FixedClock() }).execute({ from: '2025-02-10', to: '2025-02-01' }),
    ).rejects.toMatchObject({ code: 'RECONCILE_WINDOW_INVALID', category: 'usage' });
  });

  it('execute_Throws_WhenADateIsNotADate', async () => {
    await expect(
      new ReconcilePayments({ source: new FakeSource(), clock: new FixedClock() }).execute({ from: '2025-02-30', to: '2025-03-01' }),
    ).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });

  it('execute_ListsEveryVoidNotDone_WhateverTheWindow_AsFindingsWithTheirRetryCommand', async () => {
    const source = new FakeSource([], [], await voidsLeftOpen());
    const result = await new ReconcilePayments({ source, clock: new FixedClock() }).execute({ from: '2025-03-01', to: '2025-03-31' });
    expect(result.findings).toBe(2);
    expect(result.unfinishedVoids).toMatchObject([
      {
        orderId: 'ORD-0001',
        paymentKey: 'pk-1',
        operation: 'VOID',
        status: 'FAILED',
        errorCode: 'TOSS_REFUSED',
        attempts: 1,
        retryCommand: 'settle order pay ORD-0001 --payment-key pk-1 --amount 31000',
      },
      {
        orderId: 'ORD-0002',
        paymentKey: 'pk-2',
        operation: 'VOID',
        status: 'PENDING',
        errorCode: 'TOSS_TIMEOUT',
        attempts: 1,
        retryCommand: 'settle order pay ORD-0002 --payment-key pk-2 --amount 31000',
      },
    ]);
    const text = formatReconciliation(result);
    expect(text[0]).toContain('2 finding(s)');
    expect(text[1]).toBe(
      '  VOID REFUSED  31,000 (가상계좌)  order ORD-0001  payment pk-1  operation VOID  Toss refused: TOSS_REFUSED: Toss answered 403 NOT_CANCELABLE_PAYMENT: 취소 할 수 없는 결제 입니다.  at 2025-02-10T01:00:00.000Z after 1 attempt  retry: settle order pay ORD-0001 --payment-key pk-1 --amount 31000',
    );
    expect(text[2]).toBe(
      '  VOID NOT FINISHED  31,000 (가상계좌)  order ORD-0002  payment pk-2  operation VOID  no answer from Toss: TOSS_TIMEOUT  at 2025-02-10T01:05:00.000Z after 1 attempt  retry: settle order pay ORD-0002 --payment-key pk-2 --amount 31000',
    );
  });
});
