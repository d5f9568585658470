import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { ruleProjection } from '../../../src/infrastructure/kafka/settlement-decoder.js';
import { SettlementRuleReader } from '../../../src/infrastructure/kafka/settlement-rule-reader.js';
import { readSettlementSchema } from '../../../src/infrastructure/kafka/settlement-schema-file.js';
import { zigZagVarint } from '../../support/avro-bytes.js';
import { ruleView } from '../../support/rule-view.js';
import { generateSettlementRows, seededRandom } from '../../support/settlement-row-generator.js';

/**
 * SettlementRuleReader against its definition: avsc reading the same bytes into the rule projection (what
 * RegistrySettlementDecoder.decodeRuleFields did alone before). Where the reader answers, its fields are avsc's; where
 * avsc refuses the bytes, the reader does not answer.
 */
const schemaText = readSettlementSchema();
const schema = JSON.parse(schemaText) as avsc.Schema;
const whole = avsc.Type.forSchema(schema);
const rules = avsc.Type.forSchema(ruleProjection(schema));
const resolver = rules.createResolver(whole);

const settlements = (count: number, seed?: number): Settlement[] =>
  generateSettlementRows({ count, from: '2025-02-03', days: 2, rowKeyPrefix: (i) => i.toString(16).padStart(8, '0'), ...(seed ? { seed } : {}) }).map((raw) => {
    const v = validateSettlement(raw);
    if (!v.ok) throw new Error(v.rejection.reason);
    return v.value;
  });

/** avsc's answer for the body: the rule view, or that it refuses the bytes. */
function byAvsc(body: Buffer): Record<string, unknown> | 'refused' {
  try {
    return ruleView(rules.fromBuffer(body, resolver) as object);
  } catch {
    return 'refused';
  }
}

const reader = (): SettlementRuleReader => {
  const r = SettlementRuleReader.forSchema(schemaText);
  if (r === null) throw new Error('the settlement schema does not compile for the rule reader');
  return r;
};

describe('SettlementRuleReader (rule fields straight from Avro bytes in the reader layout)', () => {
  it("reads every generated record of two days, approvals and cancels, as avsc's rule projection does", () => {
    const r = reader();
    const generated = settlements(3_000);
    // the generator gives one fee or none: records with two or three fees, and without a fee total, are made here
    const more = generated.slice(0, 50).map((s, i) => ({
      ...s,
      fees: [{ type: 'BASE', fee: 100 + i }, { type: '할부 수수료', fee: -i }, ...(i % 2 ? [{ type: 'EXTRA', fee: 7 }] : [])],
      fee: i % 3 === 0 ? null : s.fee,
    }));
    const all = [...generated, ...more];
    expect(all.some((s) => s.cancel !== null) && all.some((s) => s.fees === null) && all.some((s) => s.fee === null)).toBe(true);
    for (const s of all) {
      const body = whole.toBuffer(s);
      const read = r.read(body, 0);
      expect(read, s.transactionKey).not.toBeNull();
      expect(ruleView(read as object)).toEqual(byAvsc(body));
    }
  });

  it('reads from an offset (after the Confluent header) and refuses trailing bytes', () => {
    const r = reader();
    const [s] = settlements(1);
    const body = whole.toBuffer(s);
    const wire = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), body]);
    expect(ruleView(r.read(wire, 5) as object)).toEqual(byAvsc(body));
    expect(r.read(Buffer.concat([wire, Buffer.from([0])]), 5)).toBeNull();
  });

  it('gives a repeating field (REPEATING_TEXT_FIELDS) its string again for the same bytes and a new one for others', () => {
    const r = reader();
    const base = settlements(1)[0] as Settlement;
    // mId, soldDate and method repeat, in runs and alternating, among texts of the same length; orderId is not a repeating field
    const values = Array.from({ length: 2_600 }, (_, i) => ({
      ...base,
      mId: i % 500 < 250 ? 'tvivarepublica' : `mid${i % 7}`,
      orderId: i < 2_000 ? `order-${i}` : 'order-again',
      soldDate: i % 3 === 0 ? '2025-02-03' : '2025-02-04',
      method: i % 2 === 0 ? '카드' : '계좌이체',
    }));
    for (const s of values) {
      const read = r.read(whole.toBuffer(s), 0) as unknown as Record<string, unknown>;
      expect([read.mId, read.orderId, read.soldDate, read.method]).toEqual([s.mId, s.orderId, s.soldDate, s.method]);
    }
  });

  it('answers only where avsc reads the bytes, and then as avsc: every cut, random changed bytes, longs beyond 2^52', () => {
    const r = reader();
    const random = seededRandom(23);
    const sample = settlements(200, 7).filter((_, i) => i % 20 === 0 || i % 10 === 9);
    let answered = 0;
    let declined = 0;
    for (const s of sample) {
      const body = whole.toBuffer(s);
      const variants = Array.from({ length: body.length }, (_, i) => body.subarray(0, i));
      for (let k = 0; k < 200; k++) {
        const changed = Buffer.from(body);
        changed[Math.floor(random() * body.length)] = Math.floor(random() * 256);
        variants.push(changed);
      }
      for (const v of variants) {
        const read = r.read(v, 0);
        if (read === null) {
          declined += 1;
          continue;
        }
        answered += 1;
        expect(byAvsc(v)).toEqual(ruleView(read));
      }
    }
    expect(answered).toBeGreaterThan(1_000); // most single changed bytes keep a readable record
    expect(declined).toBeGreaterThan(1_000); // every cut at least
    // a long beyond 2^52 in a field the rules do not read: declined (avsc refuses those beyond 2^53)
    const [s] = settlements(1);
    const body = whole.toBuffer({ ...s, interestFee: 123_456_789 });
    const marker = zigZagVarint(123_456_789n);
    const at = body.indexOf(marker);
    for (const huge of [2n ** 53n, 2n ** 60n]) {
      const big = Buffer.concat([body.subarray(0, at), zigZagVarint(huge), body.subarray(at + marker.length)]);
      expect(r.read(big, 0)).toBeNull();
    }
  });

  it('reads an array written in several blocks, with and without their byte sizes, as avsc does', () => {
    const r = reader();
    const s = {
      ...(settlements(1)[0] as Settlement),
      fees: [
        { type: 'BASE', fee: 120 },
        { type: '할부', fee: -3 },
        { type: 'EXTRA', fee: 7 },
      ],
    };
    const body = whole.toBuffer(s);
    const feeType = avsc.Type.forSchema({
      type: 'record',
      name: 'Fee',
      fields: [
        { name: 'type', type: 'string' },
        { name: 'fee', type: 'long' },
      ],
    });
    const items = s.fees.map((f) => feeType.toBuffer(f));
    const oneBlock = Buffer.concat([zigZagVarint(3n), ...items, Buffer.from([0])]);
    const at = body.indexOf(oneBlock);
    expect(at).toBeGreaterThan(0);
    const blocks = [
      Buffer.concat([zigZagVarint(1n), items[0] as Buffer, zigZagVarint(2n), items[1] as Buffer, items[2] as Buffer, Buffer.from([0])]),
      Buffer.concat([
        zigZagVarint(-2n),
        zigZagVarint(BigInt((items[0] as Buffer).length + (items[1] as Buffer).length)),
        items[0] as Buffer,
        items[1] as Buffer,
        zigZagVarint(1n),
        items[2] as Buffer,
        Buffer.from([0]),
      ]),
    ];
    for (const b of blocks) {
      const v = Buffer.concat([body.subarray(0, at), b, body.subarray(at + oneBlock.length)]);
      const read = r.read(v, 0);
      expect(read).not.toBeNull();
      expect(ruleView(read as object)).toEqual(byAvsc(v));
      expect((read?.fees ?? []).map((f) => f.type)).toEqual(['BASE', '할부', 'EXTRA']);
    }
  });

  it('compiles only a schema it reads whole with every rule field (else the decoder keeps avsc)', () => {
    expect(SettlementRuleReader.forSchema(schemaText)).not.toBeNull();
    const top = JSON.parse(schemaText) as { fields: Array<{ name: string; type: unknown }> };
    const without = { ...top, fields: top.fields.filter((f) => f.name !== 'soldDate') };
    expect(SettlementRuleReader.forSchema(JSON.stringify(without))).toBeNull();
    const withDouble = { ...top, fields: [...top.fields, { name: 'rate', type: 'double', default: 0 }] };
    expect(SettlementRuleReader.forSchema(JSON.stringify(withDouble))).toBeNull();
  });
});
