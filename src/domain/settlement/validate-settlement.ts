import type { RejectedSettlement, Settlement, SettlementCancel, SettlementFee } from './settlement.js';
import type { NESTED_OBJECT_FIELDS } from './settlement.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Toss sends yyyy-MM-dd'T'HH:mm:ss±hh:mm; fractions and Z are accepted defensively.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/;
const CURRENCIES = new Set(['KRW', 'USD', 'JPY']);

export type ValidationResult = { readonly ok: true; readonly value: Settlement } | { readonly ok: false; readonly rejection: RejectedSettlement };

class Invalid extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(row: Record<string, unknown>, field: string, max: number, pattern?: RegExp): string {
  const v = row[field];
  if (typeof v !== 'string' || v.length === 0) throw new Invalid(field, `${field} is required and must be a non-empty string`);
  if (v.length > max) throw new Invalid(field, `${field} is longer than ${max} characters`);
  if (pattern && !pattern.test(v)) throw new Invalid(field, `${field} "${v}" does not match ${pattern.source}`);
  return v;
}

function money(row: Record<string, unknown>, field: string, required = true): number | null {
  const v = row[field];
  if (v === undefined || v === null) {
    if (required) throw new Invalid(field, `${field} is required`);
    return null;
  }
  // Toss's guide once showed a fee as a string ("800"): accept digit strings, never fractions.
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Invalid(field, `${field} must be an integer amount, got ${JSON.stringify(v)}`);
  return n;
}

const daysInMonth = (y: number, m: number): number => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);

/** `v` already matches yyyy-MM-dd; plain arithmetic (no Date per row: a page has 5,000 rows, two dates each). */
function validDate(field: string, v: string): string {
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  if (y < 100 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new Invalid(field, `${field} "${v}" is not a calendar date`);
  return v;
}

/** `v` already matches the date-time pattern: its date must exist and its clock be in range (the loader checks too). */
function validDateTime(field: string, v: string): string {
  try {
    validDate(field, v.slice(0, 10));
  } catch {
    throw new Invalid(field, `${field} "${v}" is not a calendar date`);
  }
  const h = Number(v.slice(11, 13));
  const min = Number(v.slice(14, 16));
  const sec = Number(v.slice(17, 19));
  if (h > 23 || min > 59 || sec > 59) throw new Invalid(field, `${field} "${v}" is not a valid time`);
  return v;
}

function fees(row: Record<string, unknown>): SettlementFee[] | null {
  const v = row.fees;
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new Invalid('fees', 'fees must be an array');
  return v.map((f, i) => {
    if (!isObject(f)) throw new Invalid(`fees[${i}]`, `fees[${i}] must be an object`);
    return { type: str(f, 'type', 40), fee: money(f, 'fee') as number };
  });
}

function nested(row: Record<string, unknown>, field: string): Record<string, unknown> | null {
  const v = row[field];
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new Invalid(field, `${field} must be an object or null`);
  return v;
}

/**
 * The processor's rules: required fields and formats, payOutAmount = amount − fee where fee is present,
 * consistent signs on cancel rows, a known currency. Returns a normalized row or a reason naming the field.
 */
export function validateSettlement(raw: unknown): ValidationResult {
  const transactionKey = isObject(raw) && typeof raw.transactionKey === 'string' ? raw.transactionKey : null;
  try {
    if (!isObject(raw)) throw new Invalid('(row)', 'row is not a JSON object');
    const s = {
      mId: str(raw, 'mId', 14),
      paymentKey: str(raw, 'paymentKey', 200),
      transactionKey: str(raw, 'transactionKey', 64),
      orderId: str(raw, 'orderId', 64, ORDER_ID),
      currency: str(raw, 'currency', 3),
      method: str(raw, 'method', 20),
      amount: money(raw, 'amount') as number,
      interestFee: money(raw, 'interestFee') as number,
      fees: fees(raw),
      fee: money(raw, 'fee', false),
      supplyAmount: money(raw, 'supplyAmount') as number,
      vat: money(raw, 'vat') as number,
      payOutAmount: money(raw, 'payOutAmount') as number,
      approvedAt: validDateTime('approvedAt', str(raw, 'approvedAt', 35, DATE_TIME)),
      soldDate: validDate('soldDate', str(raw, 'soldDate', 10, DATE)),
      paidOutDate: validDate('paidOutDate', str(raw, 'paidOutDate', 10, DATE)),
      card: nested(raw, 'card'),
      easyPay: nested(raw, 'easyPay'),
      giftCertificate: nested(raw, 'giftCertificate'),
      mobilePhone: nested(raw, 'mobilePhone'),
      transfer: nested(raw, 'transfer'),
      virtualAccount: nested(raw, 'virtualAccount'),
      cancel: nested(raw, 'cancel') as SettlementCancel | null,
    } satisfies Record<(typeof NESTED_OBJECT_FIELDS)[number], unknown> & Settlement;
    if (!CURRENCIES.has(s.currency)) throw new Invalid('currency', `currency "${s.currency}" is not one of ${[...CURRENCIES].join(', ')}`);
    if (s.fee !== null && s.payOutAmount !== s.amount - s.fee)
      throw new Invalid('payOutAmount', `payOutAmount ${s.payOutAmount} ≠ amount ${s.amount} − fee ${s.fee}`);
    if (s.cancel !== null) checkCancel(s, s.cancel);
    else if (s.amount < 0) throw new Invalid('amount', `amount ${s.amount} is negative on a row without a cancel object`);
    return { ok: true, value: s };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, rejection: { raw, transactionKey, field: error.field, reason: error.reason } };
  }
}

function checkCancel(s: Settlement, cancel: Record<string, unknown>): void {
  const c = cancel as Partial<SettlementCancel>;
  if (c.transactionKey !== undefined && c.transactionKey !== s.transactionKey)
    throw new Invalid('cancel.transactionKey', `cancel.transactionKey "${String(c.transactionKey)}" ≠ transactionKey "${s.transactionKey}"`);
  // A cancel row gives money back: amount, fee and payout are ≤ 0 (zero-fee cancels exist).
  for (const field of ['amount', 'payOutAmount', 'supplyAmount', 'vat'] as const)
    if (s[field] > 0) throw new Invalid(field, `${field} ${s[field]} must be ≤ 0 on a cancel row`);
  if (s.fee !== null && s.fee > 0) throw new Invalid('fee', `fee ${s.fee} must be ≤ 0 on a cancel row`);
}
