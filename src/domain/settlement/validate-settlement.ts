import type { RejectedSettlement, Settlement, SettlementCancel, SettlementFee, SettlementRuleFields } from './settlement.js';
import type { NESTED_OBJECT_FIELDS } from './settlement.js';
import { FEE, NESTED_SHAPES, TOP_LEVEL_FIELDS, UNKNOWN_FIELDS, type Kind, type ObjectShape } from './settlement-shape.js';
import { isJsonObject } from '../shared/json-object.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Toss sends yyyy-MM-dd'T'HH:mm:ss±hh:mm; fractions and Z are accepted defensively.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/;
const CURRENCIES = new Set(['KRW', 'USD', 'JPY']);

export type ValidationResult<T = Settlement> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: RejectedSettlement };

class Invalid extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

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

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

/** Two ASCII digits at `i` as a number (the caller's pattern guarantees they are digits). */
const twoDigits = (v: string, i: number): number => (v.charCodeAt(i) - 48) * 10 + (v.charCodeAt(i + 1) - 48);

/** The yyyy-MM-dd at the start of `v` (already matched as digits) is a day of the calendar. */
function isCalendarDate(v: string): boolean {
  const y = twoDigits(v, 0) * 100 + twoDigits(v, 2);
  const m = twoDigits(v, 5);
  const d = twoDigits(v, 8);
  return !(y < 100 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m));
}

/** `v` already matches yyyy-MM-dd; plain arithmetic (no Date, no slices per row: a page has 5,000 rows, two dates each). */
function validDate(field: string, v: string): string {
  if (!isCalendarDate(v)) throw new Invalid(field, `${field} "${v}" is not a calendar date`);
  return v;
}

/** `v` already matches the date-time pattern: its date must exist and its clock be in range (the loader checks too). */
function validDateTime(field: string, v: string): string {
  if (!isCalendarDate(v)) throw new Invalid(field, `${field} "${v}" is not a calendar date`);
  if (twoDigits(v, 11) > 23 || twoDigits(v, 14) > 59 || twoDigits(v, 17) > 59) throw new Invalid(field, `${field} "${v}" is not a valid time`);
  return v;
}

/** Fields Toss sent that the shape does not know, by path; carried in `unknownFields`, never dropped. */
type Unknown = Record<string, unknown>;

/** The unknown fields found so far on one row: `any` is a cheap first answer, `found` holds them by path. */
interface Found {
  readonly found: Unknown;
  any: boolean;
}

/**
 * An ObjectShape compiled once at a path: its known names as a Set and an array, and per field the path and the
 * texts a reject would need, so a row costs no Object.entries, closures or template strings while it is valid.
 */
interface CompiledShape {
  readonly path: string;
  readonly prefix: string;
  readonly known: ReadonlySet<string>;
  readonly names: readonly string[];
  readonly fields: readonly CompiledField[];
}

type CompiledField =
  | { readonly name: string; readonly at: string; readonly object: CompiledShape; readonly kind: null; readonly nullable: true }
  | { readonly name: string; readonly at: string; readonly object: null; readonly kind: Kind; readonly nullable: boolean };

function compile(shape: ObjectShape, path: string): CompiledShape {
  const names = Object.keys(shape);
  const fields = Object.entries(shape).map(([name, field]): CompiledField => {
    const at = `${path}.${name}`;
    return 'object' in field
      ? { name, at, object: compile(field.object, at), kind: null, nullable: true }
      : { name, at, object: null, kind: field.kind, nullable: field.nullable };
  });
  return { path, prefix: `${path}.`, known: new Set(names), names, fields };
}

const COMPILED = {
  card: compile(NESTED_SHAPES.card, 'card'),
  easyPay: compile(NESTED_SHAPES.easyPay, 'easyPay'),
  giftCertificate: compile(NESTED_SHAPES.giftCertificate, 'giftCertificate'),
  mobilePhone: compile(NESTED_SHAPES.mobilePhone, 'mobilePhone'),
  transfer: compile(NESTED_SHAPES.transfer, 'transfer'),
  virtualAccount: compile(NESTED_SHAPES.virtualAccount, 'virtualAccount'),
  cancel: compile(NESTED_SHAPES.cancel, 'cancel'),
} as const satisfies Record<keyof typeof NESTED_SHAPES, CompiledShape>;

const FEE_KNOWN: ReadonlySet<string> = new Set(Object.keys(FEE));

function fees(row: Record<string, unknown>, unknown: Found): SettlementFee[] | null {
  const v = row.fees;
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new Invalid('fees', 'fees must be an array');
  return v.map((f, i) => {
    if (!isJsonObject(f)) throw new Invalid(`fees[${i}]`, `fees[${i}] must be an object`);
    collectUnknown(f, FEE_KNOWN, null, i, unknown);
    return { type: str(f, 'type', 40), fee: money(f, 'fee') as number };
  });
}

/**
 * Moves the keys of `obj` that `known` does not hold into `unknown` under `prefix` (`fees[index].` when prefix
 * is null, built only when there is something to move); true when there were any. `for…in` rather than
 * Object.keys: no array per object, the same keys in the same order once inherited ones are passed over (an Avro
 * record's prototype has enumerable methods; JSON.parse's objects have none).
 */
function collectUnknown(obj: Record<string, unknown>, known: ReadonlySet<string>, prefix: string | null, index: number, unknown: Found): boolean {
  let any = false;
  for (const key in obj) {
    if (known.has(key) || !Object.hasOwn(obj, key)) continue;
    unknown.found[(prefix ?? `fees[${index}].`) + key] = obj[key];
    any = true;
  }
  if (any) unknown.any = true;
  return any;
}

/** What may stand at the top of a row: Toss's fields we model, and our own `unknownFields` on a later hop. */
const KNOWN_AT_TOP: ReadonlySet<string> = new Set([...TOP_LEVEL_FIELDS, UNKNOWN_FIELDS]);

const INT32_MAX = 2 ** 31 - 1;

function checkKind(path: string, v: unknown, kind: Kind, nullable: boolean): void {
  const ok =
    kind === 'string'
      ? typeof v === 'string'
      : kind === 'boolean'
        ? typeof v === 'boolean'
        : kind === 'long'
          ? Number.isSafeInteger(v)
          : Number.isInteger(v) && Math.abs(v as number) <= INT32_MAX;
  if (ok) return;
  const expected = kind === 'long' || kind === 'int' ? `an integer (${kind})` : `a ${kind}`;
  throw new Invalid(path, `${path} must be ${expected}${nullable ? ' or null' : ''}, got ${JSON.stringify(v) ?? 'nothing'}`);
}

/** A copy of `v` with only the names of its shape that it holds, in the shape's order. */
function knownOnly(v: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (name in v) out[name] = v[name];
  return out;
}

/**
 * A nested object checked against its shape: each known field's type (so a wrong one is named here, not as an
 * Avro misfit later), unknown fields moved to `unknown`. The object is returned as sent unless it held unknown
 * fields; then a copy holding only the known ones.
 */
function nestedObject(v: unknown, shape: CompiledShape, unknown: Found): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (!isJsonObject(v)) throw new Invalid(shape.path, `${shape.path} must be an object or null`);
  let out = v;
  if (collectUnknown(v, shape.known, shape.prefix, 0, unknown)) out = knownOnly(v, shape.names);
  for (const field of shape.fields) {
    const value = out[field.name];
    if (field.object !== null) {
      const inner = nestedObject(value, field.object, unknown);
      if (inner !== value && value !== undefined) out = { ...out, [field.name]: inner };
    } else if (value === undefined || value === null) {
      if (!field.nullable) throw new Invalid(field.at, `${field.at} is required (a ${field.kind})`);
    } else checkKind(field.at, value, field.kind, field.nullable);
  }
  return out;
}

/** The JSON text carried from an earlier hop (the consumer reads it from the Avro record), merged with what this row adds. */
function unknownFieldsText(raw: Record<string, unknown>, unknown: Found): string | null {
  const carried = raw[UNKNOWN_FIELDS];
  const found = unknown.found;
  const foundAny = unknown.any;
  if (carried === undefined || carried === null) return foundAny ? JSON.stringify(found) : null;
  if (typeof carried !== 'string') throw new Invalid(UNKNOWN_FIELDS, `${UNKNOWN_FIELDS} must be JSON text or null`);
  if (!foundAny) return carried;
  let earlier: unknown;
  try {
    earlier = JSON.parse(carried);
  } catch {
    throw new Invalid(UNKNOWN_FIELDS, `${UNKNOWN_FIELDS} is not valid JSON`);
  }
  if (!isJsonObject(earlier)) throw new Invalid(UNKNOWN_FIELDS, `${UNKNOWN_FIELDS} must be a JSON object`);
  return JSON.stringify({ ...earlier, ...found });
}

/**
 * The processor's rules: required fields and formats, payOutAmount = amount − fee where fee is present,
 * consistent signs on cancel rows, a known currency. Returns a normalized row or a reason naming the field.
 */
export function validateSettlement(raw: unknown): ValidationResult {
  const transactionKey = isJsonObject(raw) && typeof raw.transactionKey === 'string' ? raw.transactionKey : null;
  try {
    if (!isJsonObject(raw)) throw new Invalid('(row)', 'row is not a JSON object');
    // no prototype: a field Toss named `__proto__` is then a key like any other, not the object's prototype
    const unknown: Found = { found: Object.create(null) as Unknown, any: false };
    collectUnknown(raw, KNOWN_AT_TOP, '', 0, unknown);
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
      card: nestedObject(raw.card, COMPILED.card, unknown),
      easyPay: nestedObject(raw.easyPay, COMPILED.easyPay, unknown),
      giftCertificate: nestedObject(raw.giftCertificate, COMPILED.giftCertificate, unknown),
      mobilePhone: nestedObject(raw.mobilePhone, COMPILED.mobilePhone, unknown),
      transfer: nestedObject(raw.transfer, COMPILED.transfer, unknown),
      virtualAccount: nestedObject(raw.virtualAccount, COMPILED.virtualAccount, unknown),
      cancel: nestedObject(raw.cancel, COMPILED.cancel, unknown) as SettlementCancel | null,
      unknownFields: null as string | null,
    } satisfies Record<(typeof NESTED_OBJECT_FIELDS)[number], unknown> & Settlement;
    s.unknownFields = unknownFieldsText(raw, unknown);
    checkRules(s);
    return { ok: true, value: s };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, rejection: { raw, transactionKey, field: error.field, reason: error.reason } };
  }
}

/** The rules across fields, once each field is known to be of its type. */
function checkRules(s: SettlementRuleFields): void {
  if (!CURRENCIES.has(s.currency)) throw new Invalid('currency', `currency "${s.currency}" is not one of ${[...CURRENCIES].join(', ')}`);
  if (s.fee !== null && s.payOutAmount !== s.amount - s.fee)
    throw new Invalid('payOutAmount', `payOutAmount ${s.payOutAmount} ≠ amount ${s.amount} − fee ${s.fee}`);
  if (s.cancel !== null) checkCancel(s, s.cancel);
  else if (s.amount < 0) throw new Invalid('amount', `amount ${s.amount} is negative on a row without a cancel object`);
}

function checkCancel(s: SettlementRuleFields, cancel: Readonly<Record<string, unknown>>): void {
  const c = cancel as Partial<SettlementCancel>;
  if (c.transactionKey !== undefined && c.transactionKey !== s.transactionKey)
    throw new Invalid('cancel.transactionKey', `cancel.transactionKey "${String(c.transactionKey)}" ≠ transactionKey "${s.transactionKey}"`);
  // A cancel row gives money back: amount, fee and payout are ≤ 0 (zero-fee cancels exist).
  for (const field of ['amount', 'payOutAmount', 'supplyAmount', 'vat'] as const)
    if (s[field] > 0) throw new Invalid(field, `${field} ${s[field]} must be ≤ 0 on a cancel row`);
  if (s.fee !== null && s.fee > 0) throw new Invalid('fee', `fee ${s.fee} must be ≤ 0 on a cancel row`);
}

/**
 * SettlementRuleFields by name, for a decoder that reads only these: each top-level field validateTypedSettlement
 * reads, for a nested one (`fees`' items, `cancel`) the members it reads, and `unknownFields`. A unit test runs the
 * rules on settlements that record every read and compares what was read with this list.
 */
export const SETTLEMENT_RULE_FIELDS: ReadonlyArray<{ readonly field: keyof SettlementRuleFields; readonly members?: readonly string[] }> = [
  { field: 'mId' },
  { field: 'paymentKey' },
  { field: 'transactionKey' },
  { field: 'orderId' },
  { field: 'currency' },
  { field: 'method' },
  { field: 'amount' },
  { field: 'fees', members: ['type'] },
  { field: 'fee' },
  { field: 'supplyAmount' },
  { field: 'vat' },
  { field: 'payOutAmount' },
  { field: 'approvedAt' },
  { field: 'soldDate' },
  { field: 'paidOutDate' },
  { field: 'cancel', members: ['transactionKey'] },
  { field: 'unknownFields' },
];

/**
 * validateSettlement's rules for a row whose types the Avro schema already guarantees (the consumer's decoded
 * record): every field present with its kind, nulls only where allowed, safe integers, nested objects of their
 * shape, no unknown key (those travel as the `unknownFields` text, which is kept as it is). What Avro cannot
 * promise is checked here, in validateSettlement's order and with its reject texts: non-empty strings, maximum
 * lengths, the orderId / date / date-time patterns, calendar dates and clock times, fees' types, the currency set,
 * payOutAmount = amount − fee, the cancel rules. A valid row is returned as it is: no copy. It reads only the
 * SettlementRuleFields, so a record decoded to those fields alone is judged as it would be whole.
 */
export function validateTypedSettlement<T extends SettlementRuleFields>(s: T): ValidationResult<T> {
  const row = s as unknown as Record<string, unknown>;
  try {
    str(row, 'mId', 14);
    str(row, 'paymentKey', 200);
    str(row, 'transactionKey', 64);
    str(row, 'orderId', 64, ORDER_ID);
    str(row, 'currency', 3);
    str(row, 'method', 20);
    if (s.fees !== null) for (const f of s.fees) str(f as Record<string, unknown>, 'type', 40);
    validDateTime('approvedAt', str(row, 'approvedAt', 35, DATE_TIME));
    validDate('soldDate', str(row, 'soldDate', 10, DATE));
    validDate('paidOutDate', str(row, 'paidOutDate', 10, DATE));
    checkRules(s);
    return { ok: true, value: s };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return {
      ok: false,
      rejection: { raw: s, transactionKey: typeof s.transactionKey === 'string' ? s.transactionKey : null, field: error.field, reason: error.reason },
    };
  }
}
