import type { Settlement } from '../../src/domain/settlement/settlement.js';

/**
 * Deterministic, valid settlement rows shaped like Toss's card rows (every tenth a cancel), for the benchmark
 * and integration tests. `prefix` keeps transaction keys unique per run.
 */
export function syntheticSettlement(i: number, prefix: string, version = 0): Settlement {
  const cancel = i % 10 === 9;
  const sign = cancel ? -1 : 1;
  const gross = 1_000 * (1 + (i % 97)) + 100 * version; // version: a later snapshot of the same row
  const supply = Math.floor(gross * 0.025);
  const vat = Math.floor(supply / 10);
  const fee = supply + vat;
  const day = String(1 + (i % 28)).padStart(2, '0');
  const transactionKey = `${prefix}${i.toString(36).padStart(8, '0')}`;
  return {
    mId: 'tosspayments',
    paymentKey: `pk_${prefix}${Math.floor(i / 2).toString(36)}`,
    transactionKey,
    orderId: `ORD-${prefix}-${i}`,
    currency: 'KRW',
    method: '카드',
    amount: sign * gross,
    interestFee: 0,
    fees: [{ type: 'BASE', fee: sign * fee }],
    fee: sign * fee,
    supplyAmount: sign * supply,
    vat: sign * vat,
    payOutAmount: sign * (gross - fee),
    approvedAt: `2025-02-${day}T${String(i % 24).padStart(2, '0')}:15:30+09:00`,
    soldDate: `2025-02-${day}`,
    paidOutDate: '2025-03-05',
    unknownFields: null,
    card: {
      amount: gross,
      issuerCode: '61',
      acquirerCode: '61',
      number: '43301234****123*',
      installmentPlanMonths: 0,
      approveNo: String(30_000_000 + (i % 1_000_000)),
      useCardPoint: false,
      cardType: '신용',
      ownerType: '개인',
      acquireStatus: cancel ? 'CANCELED' : 'COMPLETED',
      isInterestFree: false,
      interestPayer: null,
      company: '현대',
      receiptUrl: null,
    },
    easyPay: null,
    giftCertificate: null,
    mobilePhone: null,
    transfer: null,
    virtualAccount: null,
    cancel: cancel
      ? {
          cancelAmount: gross,
          cancelReason: '고객 변심',
          taxFreeAmount: 0,
          taxExemptionAmount: 0,
          refundableAmount: 0,
          easyPayDiscountAmount: 0,
          canceledAt: `2025-02-${day}T18:00:00+09:00`,
          transactionKey,
          receiptKey: null,
          cancelStatus: 'DONE',
          cancelRequestId: null,
        }
      : null,
  };
}
