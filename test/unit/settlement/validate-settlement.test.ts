import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';

type Row = Record<string, unknown>;
const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as Row[];
const [cardApproval, cardCancel, noFees, easyPay] = examples as [Row, Row, Row, Row];

const copy = (row: Row, patch: Row = {}): Row => ({ ...structuredClone(row), ...patch });
const without = (row: Row, field: string): Row => {
  const c = copy(row);
  delete c[field];
  return c;
};

function rejection(raw: unknown) {
  const result = validateSettlement(raw);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.rejection;
}

function accepted(raw: unknown) {
  const result = validateSettlement(raw);
  if (!result.ok) throw new Error(`expected the row to pass, got ${result.rejection.reason}`);
  return result.value;
}

describe('validateSettlement accepts the rows Toss really sends', () => {
  it('accepts each documented example (approval, cancel, no fees, easy pay) unchanged', () => {
    for (const row of examples) expect(accepted(row)).toMatchObject({ ...row, fees: row.fees ?? null });
  });

  it('keeps a missing fees property as null, distinct from an empty array', () => {
    expect(accepted(noFees).fees).toBeNull();
    expect(accepted(copy(noFees, { fees: [] })).fees).toEqual([]);
  });

  it('keeps card null on an easy-pay row and turns absent nested objects into null', () => {
    const value = accepted(without(easyPay, 'virtualAccount'));
    expect(value.card).toBeNull();
    expect(value.virtualAccount).toBeNull();
    expect(value.easyPay).toEqual(easyPay.easyPay);
  });

  it('accepts a fee sent as a digit string (the guide once showed "800") as an integer', () => {
    expect(accepted(copy(cardApproval, { fees: [{ type: 'BASE', fee: '1375' }] })).fees).toEqual([{ type: 'BASE', fee: 1375 }]);
  });

  it('skips the payout rule when Toss leaves out the total fee', () => {
    expect(accepted(copy(cardApproval, { fee: undefined, payOutAmount: 1 })).fee).toBeNull();
  });

  it('accepts a zero-fee cancel row', () => {
    expect(accepted(copy(cardCancel, { fees: [{ type: 'BASE', fee: 0 }], fee: 0, supplyAmount: 0, vat: 0, payOutAmount: -99800 })).amount).toBe(-99800);
  });

  it('ignores fields Toss adds without notice', () => {
    expect(accepted(copy(cardApproval, { brandNewField: 'x' }))).not.toHaveProperty('brandNewField');
  });
});

describe('validateSettlement rejects a row with a reason naming the field', () => {
  it.each(['mId', 'paymentKey', 'transactionKey', 'orderId', 'currency', 'method', 'approvedAt', 'soldDate', 'paidOutDate'])(
    'rejects a row without %s',
    (field) => {
      expect(rejection(without(cardApproval, field))).toMatchObject({ field, transactionKey: field === 'transactionKey' ? null : cardApproval.transactionKey });
    },
  );

  it.each(['amount', 'interestFee', 'supplyAmount', 'vat', 'payOutAmount'])('rejects a row without the amount %s', (field) => {
    expect(rejection(without(cardApproval, field))).toMatchObject({ field, reason: `${field} is required` });
  });

  it('rejects an empty string where a key is required', () => {
    expect(rejection(copy(cardApproval, { paymentKey: '' })).field).toBe('paymentKey');
  });

  it('rejects a transactionKey longer than Toss allows (64)', () => {
    expect(rejection(copy(cardApproval, { transactionKey: 'x'.repeat(65) })).reason).toMatch(/longer than 64/);
  });

  it('rejects an orderId outside [A-Za-z0-9_-]{6,64}', () => {
    expect(rejection(copy(cardApproval, { orderId: 'ORD 1' })).field).toBe('orderId');
    expect(rejection(copy(cardApproval, { orderId: 'ab' })).field).toBe('orderId');
  });

  it('rejects money with a fraction, as text with a decimal point, or beyond a safe integer', () => {
    expect(rejection(copy(cardApproval, { amount: 50000.5 })).field).toBe('amount');
    expect(rejection(copy(cardApproval, { amount: '50000.0' })).field).toBe('amount');
    expect(rejection(copy(cardApproval, { amount: 2 ** 53 })).field).toBe('amount');
  });

  it('rejects a fees entry without a numeric fee and names its index', () => {
    expect(rejection(copy(cardApproval, { fees: [{ type: 'BASE', fee: 1375 }, { type: 'ETC' }] })).field).toBe('fee');
    expect(rejection(copy(cardApproval, { fees: [1375] })).field).toBe('fees[0]');
    expect(rejection(copy(cardApproval, { fees: { type: 'BASE' } })).field).toBe('fees');
  });

  it('rejects a payOutAmount that is not amount − fee', () => {
    const r = rejection(copy(cardApproval, { payOutAmount: 48000 }));
    expect(r).toMatchObject({ field: 'payOutAmount' });
    expect(r.reason).toContain('48000');
  });

  it('rejects an unknown currency', () => {
    expect(rejection(copy(cardApproval, { currency: 'EUR' })).field).toBe('currency');
  });

  it('rejects dates that are not yyyy-MM-dd or not on the calendar', () => {
    expect(rejection(copy(cardApproval, { soldDate: '2025/02/09' })).field).toBe('soldDate');
    expect(rejection(copy(cardApproval, { soldDate: '2025-02-30' })).reason).toMatch(/not a calendar date/);
    expect(rejection(copy(cardApproval, { paidOutDate: '2025-13-01' })).field).toBe('paidOutDate');
    expect(accepted(copy(cardApproval, { soldDate: '2024-02-29' })).soldDate).toBe('2024-02-29');
    expect(rejection(copy(cardApproval, { soldDate: '2025-02-29' })).field).toBe('soldDate');
  });

  it('rejects an approvedAt on a day or at a time that does not exist (the loader would dead-letter it)', () => {
    expect(rejection(copy(cardApproval, { approvedAt: '2025-02-30T06:58:32+09:00' })).reason).toMatch(
      /approvedAt "2025-02-30T06:58:32\+09:00" is not a calendar date/,
    );
    expect(rejection(copy(cardApproval, { approvedAt: '2025-02-09T24:00:00+09:00' })).reason).toMatch(/not a valid time/);
    expect(accepted(copy(cardApproval, { approvedAt: '2024-02-29T23:59:59+09:00' })).approvedAt).toBe('2024-02-29T23:59:59+09:00');
  });

  it('checks every digit group of a date and a clock (years below 100, century leap years, minute and second 60)', () => {
    expect(rejection(copy(cardApproval, { soldDate: '0099-12-31' })).reason).toMatch(/not a calendar date/);
    expect(rejection(copy(cardApproval, { soldDate: '1900-02-29' })).reason).toMatch(/not a calendar date/);
    expect(accepted(copy(cardApproval, { soldDate: '2000-02-29' })).soldDate).toBe('2000-02-29');
    expect(rejection(copy(cardApproval, { paidOutDate: '2025-04-31' })).field).toBe('paidOutDate');
    expect(rejection(copy(cardApproval, { paidOutDate: '2025-01-00' })).field).toBe('paidOutDate');
    expect(rejection(copy(cardApproval, { approvedAt: '2025-02-09T06:60:00+09:00' })).reason).toBe(
      'approvedAt "2025-02-09T06:60:00+09:00" is not a valid time',
    );
    expect(rejection(copy(cardApproval, { approvedAt: '2025-02-09T06:58:60+09:00' })).reason).toMatch(/not a valid time/);
    expect(accepted(copy(cardApproval, { approvedAt: '2025-12-31T00:00:00-05:00' })).approvedAt).toBe('2025-12-31T00:00:00-05:00');
  });

  it('rejects an approvedAt without an offset (it would be read in the machine time zone)', () => {
    expect(rejection(copy(cardApproval, { approvedAt: '2025-02-09T06:58:32' })).field).toBe('approvedAt');
    expect(accepted(copy(cardApproval, { approvedAt: '2025-02-09T06:58:32.123Z' })).approvedAt).toBe('2025-02-09T06:58:32.123Z');
  });

  it('rejects a nested object that is not an object', () => {
    expect(rejection(copy(cardApproval, { card: 'VISA' })).field).toBe('card');
    expect(rejection(copy(cardApproval, { easyPay: [] })).field).toBe('easyPay');
  });

  it('rejects a negative amount on a row without a cancel object', () => {
    expect(rejection(copy(cardCancel, { cancel: null })).field).toBe('amount');
  });

  // each patch keeps payOutAmount = amount − fee true, so only the sign rule can fire
  it.each([
    ['amount', { amount: 99800, payOutAmount: 102050 }],
    ['payOutAmount', { fee: -100000, payOutAmount: 200 }],
    ['supplyAmount', { supplyAmount: 2045 }],
    ['vat', { vat: 205 }],
    ['fee', { fee: 2250, payOutAmount: -102050 }],
  ] as const)('rejects a cancel row whose %s is positive', (field, patch) => {
    expect(rejection(copy(cardCancel, patch))).toMatchObject({ field, reason: expect.stringMatching(/≤ 0 on a cancel row/) as unknown });
  });

  it('rejects a cancel whose transactionKey is not the row’s', () => {
    const cancel = { ...(cardCancel.cancel as Row), transactionKey: 'OTHER' };
    expect(rejection(copy(cardCancel, { cancel })).field).toBe('cancel.transactionKey');
  });

  it('rejects a value that is not a JSON object, without a transactionKey', () => {
    for (const raw of [null, 42, 'row', [cardApproval]]) expect(rejection(raw)).toMatchObject({ field: '(row)', transactionKey: null, raw });
  });

  it('keeps the raw row in the rejection so it can be inspected and replayed', () => {
    const raw = copy(cardApproval, { payOutAmount: 1 });
    expect(rejection(raw).raw).toBe(raw);
  });
});

describe('validateSettlement carries the fields Toss sends that we do not model', () => {
  it('a row with none has unknownFields null and keeps its nested objects as sent', () => {
    const row = accepted(cardApproval);
    expect(row.unknownFields).toBeNull();
    expect(row.card).toBe(cardApproval.card);
  });

  it('collects unknown fields at every level by path, values as sent, and leaves the modelled objects without them', () => {
    const legacyCancels = [{ cancelAmount: 1000, canceledAt: '2025-02-10T10:00:00+09:00' }];
    const raw = copy(cardCancel, {
      cancels: legacyCancels,
      card: { ...(cardCancel.card as Row), tossNewFlag: true },
      cancel: { ...(cardCancel.cancel as Row), refundedAt: '2025-02-11' },
      fees: [{ ...((cardCancel.fees as Row[])[0] as Row), memo: 'x' }],
    });
    const row = accepted(raw);
    expect(JSON.parse(String(row.unknownFields))).toEqual({
      cancels: legacyCancels,
      'card.tossNewFlag': true,
      'cancel.refundedAt': '2025-02-11',
      'fees[0].memo': 'x',
    });
    expect(row.card).not.toHaveProperty('tossNewFlag');
    expect(row.card).toMatchObject(cardCancel.card as Row);
    expect(row.cancel).not.toHaveProperty('refundedAt');
    expect(row.fees).toEqual(cardCancel.fees);
  });

  it('names an unknown field of a later fees entry by its own index, and keeps only the modelled fee fields', () => {
    const row = accepted(
      copy(cardApproval, {
        fees: [
          { type: 'BASE', fee: 2000 },
          { type: 'ETC', fee: 250, memo: 'x', note: 1 },
        ],
      }),
    );
    expect(JSON.parse(String(row.unknownFields))).toEqual({ 'fees[1].memo': 'x', 'fees[1].note': 1 });
    expect(row.fees).toEqual([
      { type: 'BASE', fee: 2000 },
      { type: 'ETC', fee: 250 },
    ]);
  });

  it('finds them two levels down (virtualAccount.refundReceiveAccount)', () => {
    const virtualAccount = {
      accountType: '일반',
      accountNumber: 'X6516',
      bankCode: '20',
      customerName: '김토스',
      dueDate: '2025-02-12T23:59:59+09:00',
      refundStatus: 'NONE',
      expired: false,
      settlementStatus: 'COMPLETED',
      refundReceiveAccount: { bankCode: '88', accountNumber: '1234', holderName: '김토스', verifiedAt: '2025-02-10' },
    };
    const row = accepted(copy(noFees, { method: '가상계좌', card: null, virtualAccount }));
    expect(JSON.parse(String(row.unknownFields))).toEqual({ 'virtualAccount.refundReceiveAccount.verifiedAt': '2025-02-10' });
    expect(row.virtualAccount?.refundReceiveAccount).toEqual({ bankCode: '88', accountNumber: '1234', holderName: '김토스' });
  });

  it('carries a field Toss named __proto__ like any other (top level and nested), never as a prototype', () => {
    // JSON.parse makes "__proto__" an own key, as a Toss body would; assigning it into a plain object would set its prototype instead
    const raw = JSON.parse(
      JSON.stringify(cardApproval).replace(/^\{/, '{"__proto__":{"polluted":true},').replace('"card":{', '"card":{"__proto__":"x",'),
    ) as Row;
    const row = accepted(raw);
    expect(JSON.parse(String(row.unknownFields))).toEqual(JSON.parse('{"__proto__":{"polluted":true},"card.__proto__":"x"}'));
    expect(Object.keys(JSON.parse(String(row.unknownFields)) as object)).toEqual(['__proto__', 'card.__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('keeps the text an earlier hop carried (the consumer reads it from the Avro record) and refuses a malformed one', () => {
    const carried = JSON.stringify({ 'card.tossNewFlag': true });
    expect(accepted(copy(cardApproval, { unknownFields: carried })).unknownFields).toBe(carried);
    expect(JSON.parse(String(accepted(copy(cardApproval, { unknownFields: carried, cancels: [] })).unknownFields))).toEqual({
      'card.tossNewFlag': true,
      cancels: [],
    });
    expect(rejection(copy(cardApproval, { unknownFields: 7 }))).toMatchObject({ field: 'unknownFields' });
    expect(rejection(copy(cardApproval, { unknownFields: '[1]', cancels: [] }))).toMatchObject({ field: 'unknownFields' });
  });
});

describe('validateSettlement checks the nested objects we rely on, naming the field', () => {
  const withCard = (patch: Row) => copy(cardApproval, { card: { ...(cardApproval.card as Row), ...patch } });
  it.each([
    [withCard({ installmentPlanMonths: '3' }), 'card.installmentPlanMonths', /integer \(int\)/],
    [withCard({ amount: 1000.5 }), 'card.amount', /integer \(long\)/],
    [withCard({ useCardPoint: 'N' }), 'card.useCardPoint', /a boolean/],
    [withCard({ issuerCode: null }), 'card.issuerCode', /required \(a string\)/],
    [withCard({ acquirerCode: 61 }), 'card.acquirerCode', /a string or null/],
    [copy(easyPay, { easyPay: { ...(easyPay.easyPay as Row), discountAmount: '0' } }), 'easyPay.discountAmount', /integer/],
    [copy(cardCancel, { cancel: { ...(cardCancel.cancel as Row), canceledAt: 20250210 } }), 'cancel.canceledAt', /a string/],
    [copy(cardApproval, { transfer: 'bank' }), 'transfer', /an object or null/],
  ])('%#: %s', (raw, field, reason) => {
    const r = rejection(raw);
    expect(r.field).toBe(field);
    expect(r.reason).toMatch(reason);
    expect(r.reason).toContain(field);
  });
});
