import type { RejectedSettlement, Settlement, SettlementCancel, SettlementFee } from './settlement.js';
import type { NESTED_OBJECT_FIELDS } from './settlement.js';
import { FEE, NESTED_SHAPES, TOP_LEVEL_FIELDS, UNKNOWN_FIELDS, type FieldShape, type ObjectShape } from './settlement-shape.js';

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

/** Fields Toss sent that the shape does not know, by path; carried in `unknownFields`, never dropped. */
type Unknown = Record<string, unknown>;

function fees(row: Record<string, unknown>, unknown: Unknown): SettlementFee[] | null {
  const v = row.fees;
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new Invalid('fees', 'fees must be an array');
  return v.map((f, i) => {
    if (!isObject(f)) throw new Invalid(`fees[${i}]`, `fees[${i}] must be an object`);
    collectUnknown(f, FEE, `fees[${i}].`, unknown);
    return { type: str(f, 'type', 40), fee: money(f, 'fee') as number };
  });
}

/** Moves the keys of `obj` that `shape` does not know into `unknown` under `prefix`; true when there were any. */
function collectUnknown(obj: Record<string, unknown>, shape: ObjectShape | ReadonlySet<string>, prefix: string, unknown: Unknown): boolean {
  const known = (key: string) => (shape instanceof Set ? shape.has(key) : Object.hasOwn(shape, key));
  let found = false;
  for (const key of Object.keys(obj))
    if (!known(key)) {
      unknown[prefix + key] = obj[key];
      found = true;
    }
  return found;
}

/** What may stand at the top of a row: Toss's fields we model, and our own `unknownFields` on a later hop. */
const KNOWN_AT_TOP: ReadonlySet<string> = new Set([...TOP_LEVEL_FIELDS, UNKNOWN_FIELDS]);

const INT32_MAX = 2 ** 31 - 1;

function checkKind(path: string, v: unknown, field: Extract<FieldShape, { kind: unknown }>): void {
  const ok =
    field.kind === 'string' ? typeof v === 'string'
    : field.kind === 'boolean' ? typeof v === 'boolean'
    : field.kind === 'long' ? Number.isSafeInteger(v)
    : Number.isInteger(v) && Math.abs(v as number) <= INT32_MAX;
  if (ok) return;
  const expected = field.kind === 'long' || field.kind === 'int' ? `an integer (${field.kind})` : `a ${field.kind}`;
  throw new Invalid(path, `${path} must be ${expected}${field.nullable ? ' or null' : ''}, got ${JSON.stringify(v) ?? 'nothing'}`);
}

/**
 * A nested object checked against its shape: each known field's type (so a wrong one is named here, not as an
 * Avro misfit later), unknown fields moved to `unknown`. The object is returned as sent unless it held unknown
 * fields; then a copy holding only the known ones.
 */
function nestedObject(v: unknown, path: string, shape: ObjectShape, unknown: Unknown): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new Invalid(path, `${path} must be an object or null`);
  let out = v;
  if (collectUnknown(v, shape, `${path}.`, unknown)) out = Object.fromEntries(Object.keys(shape).filter((k) => k in v).map((k) => [k, v[k]]));
  for (const [name, field] of Object.entries(shape)) {
    const value = out[name];
    const at = `${path}.${name}`;
    if ('object' in field) {
      const inner = nestedObject(value, at, field.object, unknown);
      if (inner !== value && value !== undefined) out = { ...out, [name]: inner };
    } else if (value === undefined || value === null) {
      if (!field.nullable) throw new Invalid(at, `${at} is required (a ${field.kind})`);
    } else checkKind(at, value, field);
  }
  return out;
}

/** The JSON text carried from an earlier hop (the consumer reads it from the Avro record), merged with what this row adds. */
function unknownFieldsText(raw: Record<string, unknown>, found: Unknown): string | null {
  const carried = raw[UNKNOWN_FIELDS];
  const foundAny = Object.keys(found).length > 0;
  if (carried === undefined || carried === null) return foundAny ? JSON.stringify(found) : null;
  if (typeof carried !== 'string') throw new Invalid(UNKNOWN_FIELDS, `${UNKNOWN_FIELDS} must be JSON text or null`);
  if (!foundAny) return carried;
  let earlier: unknown;
  try {
    earlier = JSON.parse(carried);
  } catch {
    throw new Invalid(UNKNOWN_FIELDS, `${UNKNOWN_FIELDS} is not valid JSON`);
  }
  if (!isObject(earlier)) throw new Invalid(UNKNOWN_FIELDS, `${UNKNOWN_FIELDS} must be a JSON object`);
  return JSON.stringify({ ...earlier, ...found });
}

/**
 * The processor's rules: required fields and formats, payOutAmount = amount − fee where fee is present,
 * consistent signs on cancel rows, a known currency. Returns a normalized row or a reason naming the field.
 */
export function validateSettlement(raw: unknown): ValidationResult {
  const transactionKey = isObject(raw) && typeof raw.transactionKey === 'string' ? raw.transactionKey : null;
  try {
    if (!isObject(raw)) throw new Invalid('(row)', 'row is not a JSON object');
    const unknown: Unknown = {};
    collectUnknown(raw, KNOWN_AT_TOP, '', unknown);
    const nested = (field: keyof typeof NESTED_SHAPES) => nestedObject(raw[field], field, NESTED_SHAPES[field], unknown);
    const s = {
      mId: str(raw, 'mId', 14),
      paymentKey: str(raw, 'paymentKey', 200),
      transactionKey: str(raw, 'transactionKey', 64),
      orderId: str(raw, 'orderId', 64, ORDER_ID),
      currency: str(raw, 'currency', 3),
      method: str(raw, 'method', 20),
      amount: money(raw, 'amount') as number,
      interestFee: money(raw, 'interestFee') as number,
      fees: fees(raw, unknown),
      fee: money(raw, 'fee', false),
      supplyAmount: money(raw, 'supplyAmount') as number,
      vat: money(raw, 'vat') as number,
      payOutAmount: money(raw, 'payOutAmount') as number,
      approvedAt: validDateTime('approvedAt', str(raw, 'approvedAt', 35, DATE_TIME)),
      soldDate: validDate('soldDate', str(raw, 'soldDate', 10, DATE)),
      paidOutDate: validDate('paidOutDate', str(raw, 'paidOutDate', 10, DATE)),
      card: nested('card'),
      easyPay: nested('easyPay'),
      giftCertificate: nested('giftCertificate'),
      mobilePhone: nested('mobilePhone'),
      transfer: nested('transfer'),
      virtualAccount: nested('virtualAccount'),
      cancel: nested('cancel') as SettlementCancel | null,
      unknownFields: null as string | null,
    } satisfies Record<(typeof NESTED_OBJECT_FIELDS)[number], unknown> & Settlement;
    s.unknownFields = unknownFieldsText(raw, unknown);
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
