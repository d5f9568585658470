import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { SETTLEMENT_RULE_FIELDS, validateSettlement, validateTypedSettlement } from '../../../src/domain/settlement/validate-settlement.js';

type Row = Record<string, unknown>;
const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as Row[];
const avro = avsc.Type.forSchema(JSON.parse(readFileSync(new URL('../../../schemas/toss-settlement.avsc', import.meta.url), 'utf8')) as avsc.Schema);

function normalized(raw: Row): Settlement {
  const result = validateSettlement(raw);
  if (!result.ok) throw new Error(`fixture does not pass: ${result.rejection.reason}`);
  return result.value;
}

const [cardApproval, cardCancel, , easyPay] = examples.map(normalized) as [Settlement, Settlement, Settlement, Settlement];

/** What the consumer holds: the row (patched) written as Avro and read back, so only rows Avro can carry are used. */
function decoded(row: Settlement, patch: Row = {}): Settlement {
  return avro.fromBuffer(avro.toBuffer({ ...row, ...patch })) as Settlement;
}

describe('validateTypedSettlement accepts what validateSettlement accepts, as it is', () => {
  it('returns each decoded documented example itself (no copy) with the values validateSettlement gives', () => {
    for (const row of examples.map(normalized)) {
      const s = decoded(row);
      const result = validateTypedSettlement(s);
      expect(result).toEqual({ ok: true, value: s });
      expect(result.ok && result.value).toBe(s);
      expect({ ...s }).toEqual({ ...normalized(s as unknown as Row) });
    }
  });

  it('keeps a carried unknownFields text as it is and accepts the edge dates validateSettlement accepts', () => {
    const carried = JSON.stringify({ 'card.tossNewFlag': true });
    for (const patch of [
      { unknownFields: carried },
      { soldDate: '2024-02-29' },
      { approvedAt: '2024-02-29T23:59:59+09:00' },
      { approvedAt: '2025-02-09T06:58:32.123Z' },
      { fee: null, payOutAmount: 1 },
    ]) {
      const s = decoded(cardApproval, patch);
      expect(validateTypedSettlement(s)).toEqual({ ok: true, value: s });
      expect(validateSettlement(s).ok).toBe(true);
    }
  });
});

describe('validateTypedSettlement rejects what Avro can carry with validateSettlement’s field and reason', () => {
  const withCancel = (patch: Row): [Settlement, Row] => [cardCancel, patch];
  const cases: ReadonlyArray<readonly [string, Settlement, Row]> = [
    ['empty mId', cardApproval, { mId: '' }],
    ['empty paymentKey', cardApproval, { paymentKey: '' }],
    ['empty transactionKey', cardApproval, { transactionKey: '' }],
    ['empty orderId', cardApproval, { orderId: '' }],
    ['empty currency', cardApproval, { currency: '' }],
    ['empty method', cardApproval, { method: '' }],
    ['empty approvedAt', cardApproval, { approvedAt: '' }],
    ['empty soldDate', cardApproval, { soldDate: '' }],
    ['empty paidOutDate', cardApproval, { paidOutDate: '' }],
    ['long mId', cardApproval, { mId: 'm'.repeat(15) }],
    ['long transactionKey', cardApproval, { transactionKey: 'x'.repeat(65) }],
    ['long method', cardApproval, { method: 'x'.repeat(21) }],
    ['orderId with a space', cardApproval, { orderId: 'ORD 1' }],
    ['short orderId', cardApproval, { orderId: 'ab' }],
    ['a fees entry with an empty type', cardApproval, { fees: [{ type: '', fee: 2250 }] }],
    [
      'a fees entry with a long type',
      cardApproval,
      {
        fees: [
          { type: 'BASE', fee: 2000 },
          { type: 't'.repeat(41), fee: 250 },
        ],
      },
    ],
    ['payOutAmount not amount − fee', cardApproval, { payOutAmount: 48000 }],
    ['unknown currency', cardApproval, { currency: 'EUR' }],
    ['soldDate with slashes', cardApproval, { soldDate: '2025/02/09' }],
    ['soldDate not on the calendar', cardApproval, { soldDate: '2025-02-30' }],
    ['paidOutDate month 13', cardApproval, { paidOutDate: '2025-13-01' }],
    ['soldDate 29 Feb of a common year', cardApproval, { soldDate: '2025-02-29' }],
    ['soldDate 29 Feb 1900', cardApproval, { soldDate: '1900-02-29' }],
    ['soldDate year below 100', cardApproval, { soldDate: '0099-01-01' }],
    ['approvedAt on a day that does not exist', cardApproval, { approvedAt: '2025-02-30T06:58:32+09:00' }],
    ['approvedAt at 24:00', cardApproval, { approvedAt: '2025-02-09T24:00:00+09:00' }],
    ['approvedAt at minute 60', cardApproval, { approvedAt: '2025-02-09T06:60:00+09:00' }],
    ['approvedAt at second 60', cardApproval, { approvedAt: '2025-02-09T06:58:60Z' }],
    ['approvedAt without an offset', cardApproval, { approvedAt: '2025-02-09T06:58:32' }],
    ['a negative amount without a cancel object', cardCancel, { cancel: null }],
    ['a cancel row with a positive amount', ...withCancel({ amount: 99800, payOutAmount: 102050 })],
    ['a cancel row with a positive payOutAmount', ...withCancel({ fee: -100000, payOutAmount: 200 })],
    ['a cancel row with a positive supplyAmount', ...withCancel({ supplyAmount: 2045 })],
    ['a cancel row with a positive vat', ...withCancel({ vat: 205 })],
    ['a cancel row with a positive fee', ...withCancel({ fee: 2250, payOutAmount: -102050 })],
    ['a cancel whose transactionKey is not the row’s', cardCancel, { cancel: { ...(cardCancel.cancel as Row), transactionKey: 'OTHER' } }],
    ['two faults: the first in validateSettlement’s order wins', easyPay, { paidOutDate: '2025-02-30', orderId: 'ab', currency: 'EUR' }],
  ];

  it.each(cases)('%s', (_name, row, patch) => {
    const s = decoded(row, patch);
    const full = validateSettlement(s);
    const typed = validateTypedSettlement(s);
    if (full.ok || typed.ok) throw new Error(`expected both to reject, got ${JSON.stringify({ full: full.ok, typed: typed.ok })}`);
    expect(typed.rejection).toEqual(full.rejection);
    expect(typed.rejection.raw).toBe(s);
  });
});

/** `s` wrapped so that every field read (nested: `parent.member`, array items: `parent.member` too) is recorded. */
function recordingReads(s: Settlement, reads: Set<string>): Settlement {
  const wrap = (o: object, path: string): object =>
    new Proxy(o, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof key !== 'string' || (Array.isArray(target) && !/^\d+$/.test(key))) return value;
        const at = Array.isArray(target) ? path : path === '' ? key : `${path}.${key}`;
        if (!Array.isArray(target)) reads.add(at);
        return typeof value === 'object' && value !== null ? wrap(value, at) : value;
      },
    });
  return wrap(s, '') as Settlement;
}

describe('SETTLEMENT_RULE_FIELDS', () => {
  it('names every field validateTypedSettlement reads, over accepted rows and every rejection above', () => {
    const reads = new Set<string>();
    const rows = [...examples.map((r) => decoded(normalized(r))), decoded(cardCancel, { cancel: { ...(cardCancel.cancel as Row), transactionKey: 'OTHER' } })];
    for (const row of rows) validateTypedSettlement(recordingReads(row, reads));
    for (const patch of [
      { mId: '' },
      { orderId: 'ab' },
      { fees: [{ type: '', fee: 1 }] },
      { payOutAmount: 1 },
      { currency: 'EUR' },
      { soldDate: '2025-02-30' },
    ])
      validateTypedSettlement(recordingReads(decoded(cardApproval, patch), reads));
    const listed = SETTLEMENT_RULE_FIELDS.flatMap(({ field, members }) => [field, ...(members ?? []).map((m) => `${field}.${m}`)]);
    expect([...reads].filter((r) => !listed.includes(r))).toEqual([]);
    // and nothing is listed that the rules never read, but `unknownFields`, which the ingest counts
    expect(listed.filter((l) => !reads.has(l))).toEqual(['unknownFields']);
  });
});
