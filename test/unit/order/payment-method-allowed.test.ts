import { describe, expect, it } from 'vitest';
import { PaymentMethodNotAllowed } from '../../../src/domain/order/order-rule-violations.js';
import { isAllowedTossMethod } from '../../../src/domain/order/transaction-types.js';

describe('isAllowedTossMethod', () => {
  it.each([
    ['카드', true],
    ['CARD', true], // Toss's English literal (Accept-Language: en-US)
    ['가상계좌', false],
    ['간편결제', false], // an easy-pay wallet: not the card design, even when a card sits behind it
    ['계좌이체', false],
    ['휴대폰', false],
    ['VIRTUAL_ACCOUNT', false],
    ['', false],
    [null, false], // an approval that names no method cannot be recorded as a card payment
  ] as const)('%j → %s', (method, allowed) => {
    expect(isAllowedTossMethod(method)).toBe(allowed);
  });
});

describe('PaymentMethodNotAllowed', () => {
  it('is a business-rule refusal (exit 7) naming the payment, its method and the cancel', () => {
    const error = new PaymentMethodNotAllowed({
      orderId: 'ORD-0001',
      paymentKey: 'pk-1',
      method: '가상계좌',
      voidIdempotencyKey: 'settle:void-non-card:ORD-0001:pk-1',
    });
    expect(error).toMatchObject({
      code: 'PAYMENT_METHOD_NOT_ALLOWED',
      category: 'rule',
      retriable: false,
      details: { orderId: 'ORD-0001', paymentKey: 'pk-1', method: '가상계좌', voidIdempotencyKey: 'settle:void-non-card:ORD-0001:pk-1' },
    });
    expect(error.message).toContain('가상계좌');
    expect(error.message).toContain('cancelled in full');
  });
});
