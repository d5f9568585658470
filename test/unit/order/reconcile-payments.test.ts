import { describe, expect, it } from 'vitest';
import type { PaymentReconciliationSource, UnknownSettlement, UnsettledEntry } from '../../../src/application/order/payment-reconciliation-source.js';
import { ReconcilePayments } from '../../../src/application/order/reconcile-payments.js';
import { FixedClock } from './fakes/fixtures.js';

class FakeSource implements PaymentReconciliationSource {
  asked: unknown[] = [];
  constructor(
    private readonly unsettled: UnsettledEntry[] = [],
    private readonly unknown: UnknownSettlement[] = [],
  ) {}
  async unsettledEntries(from: string, to: string, today: string) {
    this.asked.push({ from, to, today });
    return this.unsettled;
  }
  async unknownSettlements() {
    return this.unknown;
  }
}

describe('ReconcilePayments', () => {
  // 2025-02-19T16:00Z is already 02-20 in Seoul: "today" is the Seoul date.
  it('execute_AsksForEntriesOverdueBeforeTheSeoulDate_AndCountsFindings', async () => {
    const source = new FakeSource([{ orderId: 'o', paymentKey: 'p', transactionKey: 't', type: 'APPROVAL', amount: 1, occurredAt: 'x', expectedSettlementDate: '2025-02-13' }]);
    const result = await new ReconcilePayments({ source, clock: new FixedClock(new Date('2025-02-19T16:00:00.000Z')) }).execute({ from: '2025-02-01', to: '2025-02-28' });
    expect(source.asked).toEqual([{ from: '2025-02-01', to: '2025-02-28', today: '2025-02-20' }]);
    expect(result).toMatchObject({ today: '2025-02-20', findings: 1 });
  });

  it('execute_Throws_WhenToIsBeforeFrom', async () => {
    await expect(new ReconcilePayments({ source: new FakeSource(), clock: new FixedClock() }).execute({ from: '2025-02-10', to: '2025-02-01' })).rejects.toMatchObject({ code: 'RECONCILE_WINDOW_INVALID', category: 'usage' });
  });

  it('execute_Throws_WhenADateIsNotADate', async () => {
    await expect(new ReconcilePayments({ source: new FakeSource(), clock: new FixedClock() }).execute({ from: '2025-02-30', to: '2025-03-01' })).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });
});
