import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/domain/order/ledger-entry.js';
import { settlementOf, type SettlementRowRef } from '../../../src/domain/order/settlement-status.js';

const approval: LedgerEntry = {
  seq: 1,
  type: 'APPROVAL',
  amount: 1000,
  balanceAfter: 1000,
  transactionKey: 'tx-1',
  occurredAt: '2025-02-10T01:00:00.000Z',
  expectedSettlementDate: '2025-02-13',
  cancelRequestSeq: null,
  reason: null,
};
const cancel: LedgerEntry = { ...approval, seq: 2, type: 'CANCEL', amount: -1000, balanceAfter: 0, transactionKey: 'tx-2', cancelRequestSeq: 1, reason: 'r' };
const row = (paidOutDate: string, transactionKey = 'tx-1'): SettlementRowRef => ({
  paymentKey: 'pk',
  transactionKey,
  amount: 1000,
  payOutAmount: 970,
  soldDate: '2025-02-10',
  paidOutDate,
});

describe('settlementOf', () => {
  it('settlementOf_IsRequested_WhenNoRowIsLoadedYet', () => {
    expect(settlementOf(approval, null, '2025-02-12')).toEqual({ status: 'REQUESTED', overdue: false, row: null });
  });

  it('settlementOf_IsRequestedAndOverdue_WhenNoRowAfterTheExpectedDate', () => {
    expect(settlementOf(approval, null, '2025-02-14')).toMatchObject({ status: 'REQUESTED', overdue: true });
  });

  it('settlementOf_IsRequested_WhenTheRowPaysOutInTheFuture', () => {
    expect(settlementOf(approval, row('2025-02-13'), '2025-02-12')).toMatchObject({ status: 'REQUESTED', overdue: false });
  });

  it('settlementOf_IsCompleted_WhenTheApprovalRowWasPaidOut', () => {
    expect(settlementOf(approval, row('2025-02-13'), '2025-02-13')).toMatchObject({ status: 'COMPLETED', row: { paidOutDate: '2025-02-13' } });
  });

  it('settlementOf_IsCanceled_WhenTheCancelRowWasPaidOut', () => {
    expect(settlementOf(cancel, row('2025-02-13', 'tx-2'), '2025-02-20')).toMatchObject({ status: 'CANCELED' });
  });
});
