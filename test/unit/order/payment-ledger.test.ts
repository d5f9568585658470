import { describe, expect, it } from 'vitest';
import { Payment } from '../../../src/domain/order/payment.js';
import { PaymentLedger } from '../../../src/domain/order/payment-ledger.js';
import { paid, refunded } from './fakes/fixtures.js';

describe('PaymentLedger', () => {
  it('entries_CannotBeEdited_BecauseTheyAreFrozen', () => {
    const { payment } = paid();
    const entry = payment.entries[0] as { amount: number };
    expect(() => {
      entry.amount = 1;
    }).toThrow(TypeError);
    expect(payment.balance).toBe(31_000);
  });

  it('entries_ReturnsACopy_SoCallersCannotRemoveAnEntry', () => {
    const { payment } = paid();
    (payment.entries as unknown[]).pop();
    expect(payment.entries).toHaveLength(1);
  });

  it('cancel_AppendsAndNeverRewritesEarlierEntries', () => {
    const { order, payment } = paid();
    const before = structuredClone(payment.entries);
    refunded(order, payment, ['sku-b']);
    expect(payment.entries.slice(0, 1)).toEqual(before);
    expect(payment.entries).toHaveLength(2);
  });

  it('restore_Throws_WhenTheRunningBalanceDoesNotAddUp', () => {
    const { order, payment } = paid();
    refunded(order, payment, ['sku-b']);
    const snapshot = structuredClone(payment.toSnapshot());
    const broken = { ...snapshot, ledger: snapshot.ledger.map((e) => (e.seq === 2 ? { ...e, balanceAfter: 30_000 } : e)) };
    expect(() => Payment.restore(broken)).toThrow(/inconsistent at entry 2/);
  });

  it('restore_Throws_WhenTheLedgerIsEmpty', () => {
    expect(() => PaymentLedger.restore([])).toThrow(/no approval/);
  });
});
