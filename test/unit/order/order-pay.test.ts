import { describe, expect, it } from 'vitest';
import { ItemStatus } from '../../../src/domain/order/item-status.js';
import { LedgerEntryType } from '../../../src/domain/order/ledger-entry.js';
import { OrderNotAwaitingPayment, PaymentAmountMismatch } from '../../../src/domain/order/order-rule-violations.js';
import { OrderStatus } from '../../../src/domain/order/order-status.js';
import { PaymentStatus } from '../../../src/domain/order/payment.js';
import { calculator, card, paid, placed, TOTAL, thrown } from './fakes/fixtures.js';

const approval = (amount: number, approvedAt = '2025-02-09T00:00:00.000Z') => ({
  paymentKey: 'pk-1',
  amount,
  method: card(),
  approvedAt,
  transactionKey: 'tx-1',
});

describe('Order.pay', () => {
  it('pay_Throws_WhenAmountDiffersFromTotal', () => {
    const order = placed();
    const error = thrown(() => order.pay(approval(TOTAL - 1), calculator()));
    expect(error).toBeInstanceOf(PaymentAmountMismatch);
    expect(error).toMatchObject({ code: 'PAYMENT_AMOUNT_MISMATCH', details: { amount: TOTAL - 1, total: TOTAL } });
    expect(order.status).toBe(OrderStatus.ORDER_COMPLETED);
  });

  it('pay_Throws_WhenAmountExceedsTotal', () => {
    expect(thrown(() => placed().pay(approval(TOTAL + 1), calculator()))).toBeInstanceOf(PaymentAmountMismatch);
  });

  it('pay_Throws_WhenOrderIsNotInOrderCompleted', () => {
    const { order } = paid();
    const error = thrown(() => order.pay(approval(TOTAL), calculator()));
    expect(error).toBeInstanceOf(OrderNotAwaitingPayment);
    expect(error).toMatchObject({ code: 'ORDER_NOT_AWAITING_PAYMENT', details: { status: 'PAYMENT_COMPLETED' } });
  });

  it('pay_MovesOrderAndEveryItemToPaymentCompleted', () => {
    const order = placed();
    order.pay(approval(TOTAL), calculator());
    expect(order.status).toBe(OrderStatus.PAYMENT_COMPLETED);
    expect(new Set(order.items.map((i) => i.status))).toEqual(new Set([ItemStatus.PAYMENT_COMPLETED]));
  });

  it('pay_OpensTheLedgerWithOneApprovalOfTheTotal', () => {
    const payment = placed().pay(approval(TOTAL), calculator());
    expect(payment.entries).toEqual([
      {
        seq: 1,
        type: LedgerEntryType.APPROVAL,
        amount: TOTAL,
        balanceAfter: TOTAL,
        transactionKey: 'tx-1',
        occurredAt: '2025-02-09T00:00:00.000Z',
        expectedSettlementDate: '2025-02-13',
        cancelRequestSeq: null,
        reason: null,
      },
    ]);
    expect(payment.status).toBe(PaymentStatus.DONE);
    expect(payment.balance).toBe(TOTAL);
  });

  // Sunday 2025-02-09 09:00 in Seoul: rolled to Monday 02-10, + 3 business days = Thursday 02-13 (Toss's own sample).
  it('pay_SetsExpectedSettlementDate_ToSeoulDateRolledToBusinessDayPlusThree', () => {
    expect(placed().pay(approval(TOTAL, '2025-02-09T06:58:32+09:00'), calculator()).entries[0]?.expectedSettlementDate).toBe('2025-02-13');
  });

  // 2025-02-07T15:30Z is Saturday 00:30 in Seoul: the Seoul date, not the UTC Friday, is the sold date.
  it('pay_UsesTheSeoulDate_WhenUtcIsStillThePreviousDay', () => {
    expect(placed().pay(approval(TOTAL, '2025-02-07T15:30:00.000Z'), calculator()).entries[0]?.expectedSettlementDate).toBe('2025-02-13');
    expect(placed().pay(approval(TOTAL, '2025-02-07T14:30:00.000Z'), calculator()).entries[0]?.expectedSettlementDate).toBe('2025-02-12');
  });

  it('pay_SkipsHolidays_WhenCountingBusinessDays', () => {
    const payment = placed().pay(approval(TOTAL, '2025-02-10T01:00:00.000Z'), calculator(['2025-02-11', '2025-02-12']));
    expect(payment.entries[0]?.expectedSettlementDate).toBe('2025-02-17');
  });
});

describe('Payment.checkPaymentKey', () => {
  it.each(['', 'has space', 'ключ', 'x'.repeat(201)])('checkPaymentKey_Throws_WhenKeyIs_%#', (key) => {
    expect(thrown(() => placed().pay({ ...approval(TOTAL), paymentKey: key }, calculator()))).toMatchObject({ code: 'PAYMENT_KEY_INVALID', category: 'rule' });
  });
});
