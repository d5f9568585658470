import { describe, expect, it } from 'vitest';
import {
  CancelExceedsBalance,
  FullCancelAmountMismatch,
  InvalidCancelAmount,
  PartialCancelNotSupported,
  UnsupportedPaymentMethod,
} from '../../../src/domain/order/order-rule-violations.js';
import { Payment } from '../../../src/domain/order/payment.js';
import type { TransactionType } from '../../../src/domain/order/transaction-type.js';
import { restoreTransactionType, transactionTypeFromToss } from '../../../src/domain/order/transaction-types.js';
import { CardTransaction } from '../../../src/domain/order/card-transaction.js';
import { calculator, card, thrown } from './fakes/fixtures.js';

const approve = (amount = 10_000, method: TransactionType = card()) =>
  Payment.approve({ paymentKey: 'pk-1', orderId: 'ORD-0001', amount, method, approvedAt: '2025-02-10T01:00:00.000Z', transactionKey: 'tx-1' }, calculator());
const cancel = (amount: number, full = false) => ({
  amount,
  full,
  reason: 'r',
  canceledAt: '2025-02-11T01:00:00.000Z',
  transactionKey: `tx-${amount}`,
  cancelRequestSeq: 1,
});

describe('Payment.cancel', () => {
  it('cancel_Throws_WhenAmountExceedsBalance', () => {
    const payment = approve();
    payment.cancel(cancel(4_000), calculator());
    const error = thrown(() => payment.cancel(cancel(6_001), calculator()));
    expect(error).toBeInstanceOf(CancelExceedsBalance);
    expect(error).toMatchObject({ code: 'CANCEL_EXCEEDS_BALANCE', details: { amount: 6_001, balance: 6_000 } });
    expect(payment.entries).toHaveLength(2);
  });

  it.each([0, -1, 10.5])('cancel_Throws_WhenAmountIs_%s', (amount) => {
    expect(thrown(() => approve().cancel(cancel(amount), calculator()))).toBeInstanceOf(InvalidCancelAmount);
  });

  it('cancel_Throws_WhenFullCancelIsNotTheWholeBalance', () => {
    expect(thrown(() => approve().cancel(cancel(9_000, true), calculator()))).toBeInstanceOf(FullCancelAmountMismatch);
  });

  it('cancel_Throws_WhenPartialCancelOfAKindThatOnlyCancelsInFull', () => {
    const fullOnly: TransactionType = {
      kind: 'GIFT',
      tossMethod: '문화상품권',
      supportsPartialCancel: false,
      describe: () => 'gift',
      toSnapshot: () => ({ kind: 'GIFT', details: {} }),
    };
    expect(thrown(() => approve(10_000, fullOnly).cancel(cancel(1_000), calculator()))).toBeInstanceOf(PartialCancelNotSupported);
    expect(approve(10_000, fullOnly).cancel(cancel(10_000, true), calculator()).balanceAfter).toBe(0);
  });

  it('cancel_KeepsARunningBalance_AndStatusFollowsIt', () => {
    const payment = approve();
    expect(payment.status).toBe('DONE');
    payment.cancel(cancel(3_000), calculator());
    expect(payment.status).toBe('PARTIAL_CANCELED');
    payment.cancel(cancel(7_000, true), calculator());
    expect(payment.status).toBe('CANCELED');
    expect(payment.entries.map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([
      ['APPROVAL', 10_000, 10_000],
      ['CANCEL', -3_000, 7_000],
      ['CANCEL', -7_000, 0],
    ]);
    expect(payment.totalAmount).toBe(10_000);
  });
});

describe('transaction types', () => {
  it('transactionTypeFromToss_ReturnsACardTransaction_ForTheCardMethod', () => {
    const type = transactionTypeFromToss('카드', { issuerCode: '61', number: '43301234****123*', installmentPlanMonths: 3, approveNo: '30012345' });
    expect(type).toBeInstanceOf(CardTransaction);
    expect(type.describe()).toBe('card 43301234****123* (issuer 61), 3 months');
  });

  it('transactionTypeFromToss_Throws_ForAMethodWeDoNotSupport', () => {
    const error = thrown(() => transactionTypeFromToss('가상계좌', null));
    expect(error).toBeInstanceOf(UnsupportedPaymentMethod);
    expect(error).toMatchObject({ code: 'PAYMENT_METHOD_UNSUPPORTED' });
  });

  it('restoreTransactionType_RoundTripsASnapshot', () => {
    const type = card();
    expect(restoreTransactionType(structuredClone(type.toSnapshot())).toSnapshot()).toEqual(type.toSnapshot());
  });
});
