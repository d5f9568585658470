import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { encodePage, GIVE_UP_AFTER, HEADER_EXECUTION_ID, HEADER_PAGE, PageEncoder, pageMessages } from '../../../src/infrastructure/kafka/encoded-page.js';
import { SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { generateSettlementRows } from '../../support/settlement-row-generator.js';

const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as unknown[];
const settlement = (raw: unknown): Settlement => {
  const r = validateSettlement(raw);
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.value;
};
const serde = SettlementSerde.withSchemaId(0);

describe('encodePage / pageMessages (a page as one transferable buffer)', () => {
  it('yields, per row, key paymentKey and the same Confluent-framed value encodeBatch writes, with both headers', () => {
    const rows = [...examples, ...generateSettlementRows({ count: 200, from: '2025-02-03' })].map(settlement);
    const { page, unfit } = encodePage(serde, rows);
    expect(unfit).toEqual([]);
    const messages = [...pageMessages(structuredClone(page), { executionId: '42', page: 9 })]; // a copy, as another holder of the page would see it
    const expected = serde.encodeBatch(rows) as Buffer[];
    expect(messages).toHaveLength(rows.length);
    messages.forEach((m, i) => {
      expect(String(m.key)).toBe(rows[i]?.paymentKey);
      expect((m.value as Buffer).equals(expected[i] as Buffer)).toBe(true);
      expect(m.headers).toEqual({ [HEADER_EXECUTION_ID]: Buffer.from('42'), [HEADER_PAGE]: Buffer.from('9') });
    });
  });

  it('encodes a page added in parts (more rows than it expected, a refused row in between) exactly as the whole page at once', () => {
    const rows = generateSettlementRows({ count: 23, from: '2025-02-03' }).map(settlement);
    const bad = { ...rows[0], transactionKey: 'BAD', amount: 'not a number' } as unknown as Settlement;
    const encoder = new PageEncoder(serde, 2); // expects 2 rows: its buffers grow
    for (let i = 0; i < rows.length; i += 5) encoder.add(i === 10 ? [...rows.slice(i, i + 5), bad] : rows.slice(i, i + 5));
    const parts = encoder.finish();
    const whole = encodePage(serde, rows);
    expect(Buffer.from(parts.page.bytes).equals(Buffer.from(whole.page.bytes))).toBe(true);
    expect([...parts.page.bounds]).toEqual([...whole.page.bounds]);
    expect(parts.unfit.map((u) => u.transactionKey)).toEqual(['BAD']);
  });

  it('leaves a row the schema refuses out of the page and returns it as a reject with the reason', () => {
    const [good, bad] = [settlement(examples[0]), { ...settlement(examples[0]), transactionKey: 'BAD', amount: 'not a number' } as unknown as Settlement];
    const { page, unfit } = encodePage(serde, [good, bad]);
    expect([...pageMessages(page, { executionId: '1', page: 1 })]).toHaveLength(1);
    expect(unfit).toEqual([
      expect.objectContaining({ transactionKey: 'BAD', field: '(avro)', reason: expect.stringContaining('does not fit the Avro schema') }),
    ]);
  });

  /** The page as the earlier two-step encoding laid it out: encodeBatch's values, each after its key. */
  function reference(rows: readonly Settlement[]): { bytes: Buffer; bounds: number[] } {
    const parts: Buffer[] = [];
    const bounds: number[] = [];
    let pos = 0;
    for (const [i, value] of serde.encodeBatch(rows).entries()) {
      if (!Buffer.isBuffer(value)) continue;
      const key = Buffer.from((rows[i] as Settlement).paymentKey);
      bounds.push(pos, pos + key.length);
      parts.push(key, value);
      pos += key.length + value.length;
    }
    bounds.push(pos);
    return { bytes: Buffer.concat(parts), bounds };
  }

  it('lays out the page byte for byte as key + encodeBatch value, past a buffer sized too small, with multi-byte keys and rejects in between', () => {
    const base = settlement(examples[0]);
    const small = generateSettlementRows({ count: 3, from: '2025-02-03' }).map(settlement);
    encodePage(serde, small); // the next page is sized from these rows
    const huge = {
      ...base,
      transactionKey: 'HUGE',
      paymentKey: '결제키-'.repeat(60),
      method: 'x'.repeat(20),
      card: { ...(base.card as Record<string, unknown>), company: '가'.repeat(20_000) },
    };
    const bad = { ...base, transactionKey: 'BAD', amount: 'not a number' } as unknown as Settlement;
    const rows = [...generateSettlementRows({ count: 50, from: '2025-02-03' }).map(settlement), bad, huge, bad, ...small];
    const { page, unfit } = encodePage(serde, rows);
    const expected = reference(rows);
    expect(Buffer.from(page.bytes).equals(expected.bytes)).toBe(true);
    expect([...page.bounds]).toEqual(expected.bounds);
    expect(unfit.map((u) => u.transactionKey)).toEqual(['BAD', 'BAD']);
    expect([...pageMessages(page, { executionId: '1', page: 1 })].map((m) => String(m.key))).toEqual(rows.filter((r) => r !== bad).map((r) => r.paymentKey));
  });

  it('gives an empty page (one bound) when no row fits the schema', () => {
    const bad = { ...settlement(examples[0]), transactionKey: 'BAD', amount: 'not a number' } as unknown as Settlement;
    const { page, unfit } = encodePage(serde, [bad, bad]);
    expect([...page.bounds]).toEqual([0]);
    expect(page.bytes.byteLength).toBe(0);
    expect(unfit).toHaveLength(2);
  });
});

describe('PageEncoder.addJson (rows written from the JSON text Toss sent)', () => {
  const rows = generateSettlementRows({ count: 300, from: '2025-02-03', rowKeyPrefix: (i) => i.toString(16).padStart(8, '0') });

  it('writes the page that add would write, the rows it declines added in their place, its buffers growing', () => {
    const texts = rows.map((r, i) => Buffer.from(JSON.stringify(i % 7 === 3 ? { ...r, newTossField: i } : r)));
    const encoder = new PageEncoder(serde, 2); // expects 2 rows: its buffers grow
    const general: Settlement[] = [];
    texts.forEach((text, i) => {
      const key = encoder.addJson(text, 0, text.length);
      const s = settlement(JSON.parse(text.toString()));
      general.push(s);
      if (key === null) {
        expect(i % 7, `row ${i} was declined`).toBe(3); // an unknown field: the general path keeps it
        encoder.add([s]);
      } else expect(key).toBe(s.transactionKey);
    });
    const viaText = encoder.finish();
    const whole = encodePage(serde, general);
    expect(viaText.unfit).toEqual([]);
    expect([...viaText.page.bounds]).toEqual([...whole.page.bounds]);
    expect(Buffer.from(viaText.page.bytes).equals(Buffer.from(whole.page.bytes))).toBe(true);
  });

  it('stops trying a page once more than half of at least GIVE_UP_AFTER rows were declined', () => {
    const fast = serde.jsonAvro as NonNullable<typeof serde.jsonAvro>;
    const tries = vi.spyOn(fast, 'write');
    try {
      const encoder = new PageEncoder(serde, rows.length);
      const declined = rows.map((r) => Buffer.from(JSON.stringify({ ...r, newTossField: 1 })));
      for (const text of declined) expect(encoder.addJson(text, 0, text.length)).toBeNull();
      expect(tries).toHaveBeenCalledTimes(GIVE_UP_AFTER);
      const fresh = new PageEncoder(serde, rows.length); // the next page tries again
      const text = Buffer.from(JSON.stringify(rows[0]));
      expect(fresh.addJson(text, 0, text.length)).toBe(rows[0]?.transactionKey);
    } finally {
      tries.mockRestore();
    }
  });
});
