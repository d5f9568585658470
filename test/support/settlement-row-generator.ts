/**
 * Deterministic, realistic Toss settlement rows (as Toss sends them, before validation) for the benchmark and
 * the test fakes: card approvals with fees, cards without `fees`, easy-pay with `card: null`, and cancels of
 * an earlier approval (same paymentKey, negative money, a `cancel` object). The same options give the same rows.
 */
export interface RowGeneratorOptions {
  readonly count: number;
  /** First sold date, yyyy-MM-dd; rows spread evenly over `days` consecutive sold dates. */
  readonly from: string;
  readonly days?: number;
  readonly seed?: number;
  /** Goes into every paymentKey, transactionKey and orderId (the fast fake patches it per page). */
  readonly keyPrefix?: string;
  /**
   * Realistic keys: when set, row i's paymentKey and transactionKey are `rowKeyPrefix(i)` followed by 24
   * seeded-random hex digits (no order, like Toss's keys), and its orderId ends with `rowKeyPrefix(i)`;
   * `keyPrefix` is then unused. The caller makes the prefixes unique per row (the keys are then unique).
   * Unset (the default): today's keys, which begin with `keyPrefix` and grow with i.
   */
  readonly rowKeyPrefix?: (i: number) => string;
}

export type TossRow = Record<string, unknown>;

/** mulberry32: a small seeded PRNG, enough for varied but reproducible amounts. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Calendar arithmetic on yyyy-MM-dd in UTC, so the machine's time zone never matters. */
export const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');
const ISSUERS = [
  ['61', '현대'],
  ['41', '신한'],
  ['11', '국민'],
  ['31', '비씨'],
  ['51', '삼성'],
] as const;

interface Approval {
  readonly paymentKey: string;
  readonly amount: number;
  readonly approvedAt: string;
  readonly card: TossRow | null;
  readonly easyPay: TossRow | null;
  readonly method: string;
}

export function generateSettlementRows(options: RowGeneratorOptions): TossRow[] {
  const rows: TossRow[] = [];
  const days = Math.max(1, options.days ?? 1);
  const perDay = Math.ceil(options.count / days);
  const random = seededRandom(options.seed ?? 20250209);
  const prefix = options.keyPrefix ?? '';
  const keys: KeyStyle = options.rowKeyPrefix ? realisticKeys(options.rowKeyPrefix, random) : sequentialKeys(prefix, random);
  let lastApproval: Approval | null = null;
  for (let i = 0; i < options.count; i++) {
    const soldDate = addDays(options.from, Math.floor(i / perDay));
    const kind = i % 10;
    if (kind === 9 && lastApproval) rows.push(cancelRow(i, soldDate, lastApproval, random, keys));
    else {
      const { row, approval } = approvalRow(i, soldDate, kind, random, keys);
      rows.push(row);
      lastApproval = approval;
    }
  }
  return rows;
}

interface KeyStyle {
  paymentKey(i: number, soldDate: string, time: string): string;
  transactionKey(i: number): string;
  orderId(i: number, soldDate: string): string;
}

// today's keys: the prefix first, then i in hex (ascending within a page)
function sequentialKeys(prefix: string, random: () => number): KeyStyle {
  return {
    paymentKey: (i, soldDate, time) => `tviva${soldDate.replaceAll('-', '')}${time.replaceAll(':', '')}${prefix}${hex(i, 7)}`,
    transactionKey: (i) => `${prefix}${hex(i, 10)}${hex(Math.floor(random() * 0xffffffff), 8)}`,
    orderId: (i, soldDate) => `ORD-${soldDate.replaceAll('-', '')}-${prefix}${pad(i, 7)}`,
  };
}

function realisticKeys(rowKeyPrefix: (i: number) => string, random: () => number): KeyStyle {
  const randomHex = () => hex(Math.floor(random() * 0x100000000), 8) + hex(Math.floor(random() * 0x100000000), 8) + hex(Math.floor(random() * 0x100000000), 8);
  return {
    paymentKey: (i) => `${rowKeyPrefix(i)}${randomHex()}`,
    transactionKey: (i) => `${rowKeyPrefix(i)}${randomHex()}`,
    orderId: (i, soldDate) => `ORD-${soldDate.replaceAll('-', '')}-${rowKeyPrefix(i)}`,
  };
}

function money(amount: number, rate: number): { fee: number; supplyAmount: number; vat: number } {
  const fee = Math.round(amount * rate);
  const supplyAmount = Math.round(fee / 1.1);
  return { fee, supplyAmount, vat: fee - supplyAmount };
}

function approvalRow(i: number, soldDate: string, kind: number, random: () => number, keys: KeyStyle): { row: TossRow; approval: Approval } {
  const seconds = Math.floor(random() * 86_400);
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  const approvedAt = `${soldDate}T${time}+09:00`;
  const paymentKey = keys.paymentKey(i, soldDate, time);
  const amount = 1000 + Math.floor(random() * 4990) * 100;
  const easyPay = kind === 7;
  const installment = kind === 3 ? 3 : 0;
  const issuer = ISSUERS[i % ISSUERS.length] ?? ISSUERS[0];
  const m = money(amount, easyPay ? 0.033 : 0.0275 + (installment ? 0.005 : 0));
  const card = easyPay
    ? null
    : {
        amount,
        issuerCode: issuer[0],
        acquirerCode: issuer[0],
        number: `4330${pad(i % 10_000, 4)}****${pad(i % 1000, 3)}*`,
        installmentPlanMonths: installment,
        approveNo: pad(i % 100_000_000, 8),
        useCardPoint: false,
        cardType: i % 4 === 0 ? '체크' : '신용',
        ownerType: '개인',
        acquireStatus: 'COMPLETED',
        isInterestFree: installment > 0,
        interestPayer: installment > 0 ? 'CARD_COMPANY' : null,
        company: issuer[1],
      };
  const easyPayObject = easyPay ? { provider: '토스페이', amount, discountAmount: 0 } : null;
  const row: TossRow = {
    mId: 'tosspayments',
    paymentKey,
    transactionKey: keys.transactionKey(i),
    orderId: keys.orderId(i, soldDate),
    currency: 'KRW',
    method: easyPay ? '간편결제' : '카드',
    amount,
    interestFee: 0,
    ...(kind === 6 ? {} : { fees: [{ type: 'BASE', fee: m.fee }] }), // Toss sometimes omits `fees`
    fee: m.fee,
    supplyAmount: m.supplyAmount,
    vat: m.vat,
    payOutAmount: amount - m.fee,
    approvedAt,
    soldDate,
    paidOutDate: addDays(soldDate, 4),
    card,
    easyPay: easyPayObject,
    giftCertificate: null,
    mobilePhone: null,
    transfer: null,
    virtualAccount: null,
    cancel: null,
  };
  return { row, approval: { paymentKey, amount, approvedAt, card, easyPay: easyPayObject, method: row.method as string } };
}

/** A cancel settles as its own row: the approval's paymentKey, its own transactionKey, negative money. */
function cancelRow(i: number, soldDate: string, a: Approval, random: () => number, keys: KeyStyle): TossRow {
  const transactionKey = keys.transactionKey(i);
  const m = money(a.amount, a.easyPay ? 0.033 : 0.0275);
  return {
    mId: 'tosspayments',
    paymentKey: a.paymentKey,
    transactionKey,
    orderId: keys.orderId(i, soldDate),
    currency: 'KRW',
    method: a.method,
    amount: -a.amount,
    interestFee: 0,
    fees: [{ type: 'BASE', fee: -m.fee }],
    fee: -m.fee,
    supplyAmount: -m.supplyAmount,
    vat: -m.vat,
    payOutAmount: -(a.amount - m.fee),
    approvedAt: a.approvedAt,
    soldDate,
    paidOutDate: addDays(soldDate, 4),
    card: a.card ? { ...a.card, acquireStatus: 'CANCELED' } : null,
    easyPay: a.easyPay,
    giftCertificate: null,
    mobilePhone: null,
    transfer: null,
    virtualAccount: null,
    cancel: {
      cancelAmount: a.amount,
      cancelReason: '고객 변심',
      taxFreeAmount: 0,
      taxExemptionAmount: 0,
      refundableAmount: 0,
      easyPayDiscountAmount: 0,
      canceledAt: `${soldDate}T10:21:44+09:00`,
      transactionKey,
      receiptKey: null,
      cancelStatus: 'DONE',
      cancelRequestId: null,
    },
  };
}
