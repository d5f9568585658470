import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseOffsetDateTime } from '../../../src/application/ingest/offset-date-time.js';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { readSettlementSchema } from '../../../src/infrastructure/kafka/settlement-schema-file.js';
import { SettlementAvroRows } from '../../../src/infrastructure/mysql/settlement-avro-rows.js';
import { TsvWriter } from '../../../src/infrastructure/mysql/settlement-load-data.js';
import { DATA_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { generateSettlementRows } from '../../support/settlement-row-generator.js';

const schemaText = readSettlementSchema();
const type = avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema);
const fast = SettlementAvroRows.forSchema(schemaText);
const SOURCE = { topic: 'toss.settlements.v1', partition: 4, offset: 123_456, timestamp: 1_738_540_800_123 };

/** The general path's data columns of the settlement the consumer decodes from these bytes. */
function generalLine(body: Buffer): string {
  const s = type.fromBuffer(body) as Settlement;
  const w = new TsvWriter(64);
  w.values(toSettlementRow(s, SOURCE).slice(0, DATA_COLUMNS.length));
  return w.text().toString('utf8').slice(0, -1); // without the line's end
}

/** The fast path's data columns (each followed by a tab), or null when it declined. */
function fastLine(body: Buffer, at = 0, value = body): string | null {
  const w = new TsvWriter(64);
  w.pos = 3; // rows before it in the batch: kept as they are
  w.buf.write('x\ty', 0, 'latin1');
  const s = type.fromBuffer(body) as Settlement;
  const ok = fast?.write(w, value, at, parseOffsetDateTime(s.approvedAt) as number);
  if (!ok) {
    expect(w.pos).toBe(3); // nothing of the row was left behind
    return null;
  }
  expect(w.buf.subarray(0, 3).toString('latin1')).toBe('x\ty');
  return w.buf.subarray(3, w.pos - 1).toString('utf8');
}

const settlements = (count: number, seed: number): Settlement[] =>
  generateSettlementRows({ count, from: '2025-02-03', seed, rowKeyPrefix: (i) => i.toString(16).padStart(8, '0') }).map((r) => {
    const v = validateSettlement(r);
    if (!v.ok) throw new Error(v.rejection.reason);
    return v.value;
  });

const base = (): Settlement => settlements(1, 7)[0] as Settlement;

describe('SettlementAvroRows: the consumer writes a row straight from its Avro bytes', () => {
  it('compiles the settlement schema (else every row takes the general path)', () => {
    expect(fast).not.toBeNull();
  });

  it('writes the same bytes as toSettlementRow + TsvWriter for a generated day (card, easy pay, cancel rows)', () => {
    const day = settlements(3_000, 11);
    let compared = 0;
    for (const s of day) {
      const body = type.toBuffer(s);
      expect(fastLine(body)).toBe(generalLine(body));
      compared += 1;
    }
    expect(compared).toBe(3_000);
    expect(new Set(day.map((s) => s.cancel === null))).toEqual(new Set([true, false]));
  });

  const edge: Array<[string, (s: Settlement) => Settlement]> = [
    ['every nested object null, no fee', (s) => ({ ...s, fees: null, fee: null, card: null, easyPay: null, cancel: null, payOutAmount: s.payOutAmount })],
    ['an empty fees array', (s) => ({ ...s, fees: [] })],
    [
      'three fees',
      (s) => ({
        ...s,
        fees: [
          { type: 'BASE', fee: 1 },
          { type: 'INSTALLMENT', fee: -2 },
          { type: '부가세', fee: 0 },
        ],
      }),
    ],
    [
      'LOAD DATA escapes in a column and JSON escapes in details',
      (s) => ({
        ...s,
        orderId: 'a\\b',
        mId: 'm\tx\ny\rz\0',
        card: s.card && { ...s.card, company: 'q"u\\o\te\n\r\b\f\u0001\u001f\u007f', receiptUrl: 'https://x/?a=1&b="2"' },
      }),
    ],
    [
      'Korean, emoji and other non-ASCII text',
      (s) => ({ ...s, method: '가상계좌', mId: '상점😀', card: s.card && { ...s.card, issuerCode: '국', approveNo: 'é1' } }),
    ],
    ['fitting columns too long in ASCII become NULL', (s) => ({ ...s, card: s.card && { ...s.card, issuerCode: '12345', approveNo: '123456789' } })],
    ['fitting columns at their limit are kept', (s) => ({ ...s, card: s.card && { ...s.card, issuerCode: '1234', approveNo: '12345678' } })],
    ['unknownFields carried', (s) => ({ ...s, unknownFields: '{"newField":"a\\tb","card.extra":[1,2]}' })],
    [
      'every other nested object present',
      (s) => ({
        ...s,
        easyPay: { provider: '토스페이', amount: 1000, discountAmount: 0 },
        giftCertificate: { approveNo: 'g1', settlementStatus: 'COMPLETED' },
        mobilePhone: { customerMobilePhone: '01012345678', settlementStatus: 'COMPLETED', receiptUrl: 'https://r' },
        transfer: { bankCode: '088', settlementStatus: 'INCOMPLETED' },
        virtualAccount: {
          accountType: '일반',
          accountNumber: 'X6516423323423',
          bankCode: '20',
          customerName: '김토스',
          dueDate: '2025-02-10T00:00:00+09:00',
          refundStatus: 'NONE',
          expired: true,
          settlementStatus: 'COMPLETED',
          refundReceiveAccount: { bankCode: '088', accountNumber: '1', holderName: '홍길동' },
        },
      }),
    ],
    [
      'a cancel with a long canceledAt and large amounts',
      (s) => ({
        ...s,
        amount: -4_503_599_627_370_496,
        payOutAmount: -4_503_599_627_370_496,
        fee: null,
        cancel: {
          cancelAmount: 4_503_599_627_370_495,
          cancelReason: '고객 변심',
          taxFreeAmount: 0,
          taxExemptionAmount: 0,
          refundableAmount: 0,
          easyPayDiscountAmount: 0,
          canceledAt: '2025-02-03T10:00:00.123456789+09:00:00:00:00',
          transactionKey: s.transactionKey,
          receiptKey: null,
          cancelStatus: 'DONE',
          cancelRequestId: null,
        },
      }),
    ],
  ];
  it.each(edge)('writes the same bytes: %s', (_name, change) => {
    const body = type.toBuffer(change(base()));
    expect(fastLine(body)).toBe(generalLine(body));
  });

  it('reads the body at an offset inside a larger value (the Confluent header before it)', () => {
    const body = type.toBuffer(base());
    const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), body]);
    expect(fastLine(body, 5, value)).toBe(generalLine(body));
  });

  it('declines (and writes nothing) where the general path decides: long text beyond a fitting limit that is not ASCII, malformed UTF-8, huge longs, bad bytes', () => {
    const s = base();
    // 5 Korean characters: 15 bytes, more than issuerCode's 4 units in bytes, so the UTF-16 length is left to the general path
    expect(fastLine(type.toBuffer({ ...s, card: s.card && { ...s.card, issuerCode: '가나다라마' } }))).toBeNull();
    expect(fastLine(type.toBuffer({ ...s, amount: 2 ** 52 + 2, payOutAmount: 2 ** 52 + 2 - (s.fee ?? 0) }))).toBeNull();
    const body = type.toBuffer({ ...s, mId: 'tosspaymentsXY' });
    const at = body.indexOf('tosspaymentsXY');
    const bad = Buffer.from(body);
    bad[at + 3] = 0xc0; // an overlong lead byte
    expect(fastLine(bad)).toBeNull();
    expect(generalLine(bad)).toContain('\uFFFD'); // what the decoder makes of it
    const truncated = body.subarray(0, body.length - 1);
    const w = new TsvWriter(16);
    expect(fast?.write(w, truncated, 0, 0)).toBe(false);
    expect(fast?.write(w, Buffer.concat([body, Buffer.from([0])]), 0, 0)).toBe(false); // trailing bytes
    expect(w.pos).toBe(0);
  });

  it('matches JSON.stringify for every control character and a sample of the rest of Unicode', () => {
    let text = '';
    for (let c = 0; c < 0x80; c++) text += String.fromCharCode(c);
    text += '\u00e9\u0800\u2028\u2029\ud55c\uffef\u{10000}\u{10ffff}';
    const s = base();
    const body = type.toBuffer({ ...s, card: s.card && { ...s.card, company: text } });
    expect(fastLine(body)).toBe(generalLine(body));
  });

  it('is null for a schema holding a type it does not read', () => {
    const schema = JSON.parse(schemaText) as { fields: Array<{ name: string; type: unknown }> };
    schema.fields.push({ name: 'ratio', type: 'double' });
    expect(SettlementAvroRows.forSchema(JSON.stringify(schema))).toBeNull();
  });
});
