import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { encodePage, HEADER_EXECUTION_ID, HEADER_PAGE, pageMessages } from '../../../src/infrastructure/kafka/encoded-page.js';
import { SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { generateSettlementRows } from '../../../src/presentation/bench/settlement-row-generator.js';

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
    const messages = pageMessages(structuredClone(page), { executionId: '42', page: 9 }); // as the producer thread receives it
    const expected = serde.encodeBatch(rows) as Buffer[];
    expect(messages).toHaveLength(rows.length);
    messages.forEach((m, i) => {
      expect(String(m.key)).toBe(rows[i]?.paymentKey);
      expect((m.value as Buffer).equals(expected[i] as Buffer)).toBe(true);
      expect(m.headers).toEqual({ [HEADER_EXECUTION_ID]: Buffer.from('42'), [HEADER_PAGE]: Buffer.from('9') });
    });
  });

  it('leaves a row the schema refuses out of the page and returns it as a reject with the reason', () => {
    const [good, bad] = [settlement(examples[0]), { ...settlement(examples[0]), transactionKey: 'BAD', amount: 'not a number' } as unknown as Settlement];
    const { page, unfit } = encodePage(serde, [good, bad]);
    expect(pageMessages(page, { executionId: '1', page: 1 })).toHaveLength(1);
    expect(unfit).toEqual([expect.objectContaining({ transactionKey: 'BAD', field: '(avro)', reason: expect.stringContaining('does not fit the Avro schema') })]);
  });
});
