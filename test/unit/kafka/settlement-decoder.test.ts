import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { RegistrySettlementDecoder, ruleProjection } from '../../../src/infrastructure/kafka/settlement-decoder.js';
import { readSettlementSchema } from '../../../src/infrastructure/kafka/settlement-schema-file.js';
import { zigZagVarint } from '../../support/avro-bytes.js';
import { ruleView } from '../../support/rule-view.js';
import { generateSettlementRows, seededRandom } from '../../support/settlement-row-generator.js';

const schema = JSON.parse(readSettlementSchema()) as avsc.Schema;
const reader = avsc.Type.forSchema(schema);
const SCHEMA_ID = 7;

/** The decoder with a registry that knows one id: the reader schema itself (the producer's records). */
function loadedDecoder(): RegistrySettlementDecoder {
  const registry = { getSchema: async (id: number) => (id === SCHEMA_ID ? reader : Promise.reject(new Error('not found'))) };
  return new RegistrySettlementDecoder(registry as unknown as SchemaRegistry, readSettlementSchema());
}

const wire = (body: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(SCHEMA_ID, 1);
  return Buffer.concat([header, body]);
};

const settlements = generateSettlementRows({ count: 400, from: '2025-02-03', rowKeyPrefix: (i) => i.toString(16).padStart(8, '0') }).map((raw) => {
  const v = validateSettlement(raw);
  if (!v.ok) throw new Error(v.rejection.reason);
  return v.value;
});

const outcome = (f: () => unknown): string => {
  try {
    f();
    return 'read';
  } catch (error) {
    return (error as { code?: string }).code ?? 'thrown without a code';
  }
};

/** `s` as Avro with the long `marker` (a value the row holds once) replaced by `replacement` in the bytes. */
function withLong(s: Settlement, patch: Record<string, unknown>, marker: number, replacement: bigint): Buffer {
  const body = reader.toBuffer({ ...s, ...patch });
  const m = zigZagVarint(BigInt(marker));
  const at = body.indexOf(m);
  if (at < 0 || body.indexOf(m, at + 1) >= 0) throw new Error(`marker ${marker} is not in the bytes exactly once`);
  return wire(Buffer.concat([body.subarray(0, at), zigZagVarint(replacement), body.subarray(at + m.length)]));
}

describe('ruleProjection', () => {
  it('keeps the rule fields and every long of the settlement schema, and drops the rest', () => {
    const projected = ruleProjection(schema) as { fields: Array<{ name: string; type: unknown }> };
    const shape = Object.fromEntries(
      projected.fields.map((f) => {
        const record = (Array.isArray(f.type) ? f.type[1] : f.type) as {
          type?: string;
          fields?: Array<{ name: string }>;
          items?: { fields: Array<{ name: string }> };
        };
        const members = record.fields ?? record.items?.fields;
        return [f.name, members ? members.map((m) => m.name) : null];
      }),
    );
    expect(shape).toEqual({
      mId: null,
      paymentKey: null,
      transactionKey: null,
      orderId: null,
      currency: null,
      method: null,
      amount: null,
      interestFee: null, // a long: avsc's read refuses one beyond 2^53, its skip does not
      fees: ['type', 'fee'],
      fee: null,
      supplyAmount: null,
      vat: null,
      payOutAmount: null,
      approvedAt: null,
      soldDate: null,
      paidOutDate: null,
      card: ['amount'],
      easyPay: ['amount', 'discountAmount'],
      cancel: ['cancelAmount', 'taxFreeAmount', 'taxExemptionAmount', 'refundableAmount', 'easyPayDiscountAmount', 'transactionKey'],
      unknownFields: null,
    });
  });
});

describe("RegistrySettlementDecoder.decodeRuleFields (a value in the reader's layout, its rule fields alone)", () => {
  it('answers null until the writer schema is loaded, and for an id whose schema is not the reader', async () => {
    const decoder = loadedDecoder();
    const value = wire(reader.toBuffer(settlements[0]));
    expect(decoder.decodeRuleFields(value)).toBeNull();
    await decoder.decode(value);
    expect(decoder.decodeRuleFields(value)).not.toBeNull();
    const other = Buffer.from(value);
    other.writeInt32BE(SCHEMA_ID + 1, 1);
    expect(decoder.decodeRuleFields(other)).toBeNull();
    expect(decoder.decodeRuleFields(Buffer.from([1, 0, 0, 0, SCHEMA_ID]))).toBeNull(); // not the wire format: decode says why
  });

  it('reads the same rule fields as the whole decode, for generated days of approvals and cancels', async () => {
    const decoder = loadedDecoder();
    await decoder.decode(wire(reader.toBuffer(settlements[0])));
    expect(settlements.some((s) => s.cancel !== null) && settlements.some((s) => s.card !== null) && settlements.some((s) => s.fees?.length)).toBe(true);
    for (const s of settlements) {
      const value = wire(reader.toBuffer(s));
      const whole = decoder.decode(value) as Settlement;
      expect(ruleView(decoder.decodeRuleFields(value) as unknown as Record<string, unknown>)).toEqual(ruleView(whole as unknown as Record<string, unknown>));
    }
  });

  it('refuses exactly the values the whole decode refuses: longs beyond 2^53 in fields it does not check, cut and altered bytes', async () => {
    const decoder = loadedDecoder();
    const card = settlements.find((s) => s.card !== null && s.cancel === null) as Settlement;
    const cancel = settlements.find((s) => s.cancel !== null) as Settlement;
    await decoder.decode(wire(reader.toBuffer(card)));
    const huge = 2n ** 60n;
    const cases = [
      withLong(card, { interestFee: 123_456_789 }, 123_456_789, huge),
      withLong(card, { card: { ...card.card, amount: 123_456_789 } }, 123_456_789, -huge),
      withLong(cancel, { cancel: { ...cancel.cancel, refundableAmount: 123_456_789 } }, 123_456_789, huge),
    ];
    for (const value of cases) {
      expect(outcome(() => decoder.decode(value))).toBe('AVRO_DECODE_FAILED');
      expect(outcome(() => decoder.decodeRuleFields(value))).toBe('AVRO_DECODE_FAILED');
    }
    // every cut, and seeded single-byte changes anywhere in the body: the two agree on whether the value is read
    const random = seededRandom(19);
    let refused = 0;
    for (const s of [card, cancel]) {
      const value = wire(reader.toBuffer(s));
      const variants = [...Array.from({ length: value.length - 5 }, (_, i) => value.subarray(0, 5 + i))];
      for (let k = 0; k < 400; k++) {
        const changed = Buffer.from(value);
        changed[5 + Math.floor(random() * (value.length - 5))] = Math.floor(random() * 256);
        variants.push(changed);
      }
      for (const v of variants) {
        const whole = outcome(() => decoder.decode(v));
        expect(outcome(() => decoder.decodeRuleFields(v))).toBe(whole);
        if (whole !== 'read') refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(400); // every cut at least: the comparison covered refusals, not only reads
  });
});
