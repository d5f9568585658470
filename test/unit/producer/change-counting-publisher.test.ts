import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChangeCountingPublisher, type StoredSettlementLookup } from '../../../src/application/settlement/change-counting-publisher.js';
import type { PublishMeta, SettlementPublisher } from '../../../src/application/settlement/ports.js';
import type { RejectedSettlement, Settlement } from '../../../src/domain/settlement/settlement.js';
import { classifyChange, type StoredSettlementFacts } from '../../../src/domain/settlement/settlement-change.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { sendingPublisher } from './run-settlement-job-fakes.js';

const examples = (JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as unknown[]).map((raw) => {
  const r = validateSettlement(raw);
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.value;
});
const facts = (s: Settlement): StoredSettlementFacts => ({
  method: s.method,
  amount: s.amount,
  fee: s.fee,
  supplyAmount: s.supplyAmount,
  vat: s.vat,
  payOutAmount: s.payOutAmount,
  soldDate: s.soldDate,
  paidOutDate: s.paidOutDate,
});

describe('classifyChange', () => {
  const row = examples[0] as Settlement;
  it('is new when MySQL has no such transaction', () => expect(classifyChange(row, undefined)).toBe('new'));
  it('is the same when money, dates and method agree', () => expect(classifyChange(row, facts(row))).toBe('same'));
  it.each(['amount', 'fee', 'payOutAmount', 'paidOutDate', 'method'] as const)('is changed when %s differs', (field) => {
    const stored = { ...facts(row), [field]: field === 'paidOutDate' ? '2099-01-01' : field === 'method' ? '계좌이체' : 1 };
    expect(classifyChange(row, stored)).toBe('changed');
  });
});

describe('ChangeCountingPublisher', () => {
  it('counts only rows that were published, against what the store held before the page', async () => {
    const [a, b, c, d] = examples as [Settlement, Settlement, Settlement, Settlement];
    const published: string[] = [];
    const inner: SettlementPublisher = sendingPublisher(async (rows: readonly Settlement[], _meta: PublishMeta) => {
      published.push(...rows.map((r) => r.transactionKey));
      // the wire format refuses d: not published, so not counted
      return rows.filter((r) => r === d).map((r): RejectedSettlement => ({ raw: r, transactionKey: r.transactionKey, field: '(avro)', reason: 'test' }));
    });
    const lookedUp: string[][] = [];
    const stored: StoredSettlementLookup = {
      async factsOf(keys) {
        lookedUp.push([...keys]);
        return new Map([
          [a.transactionKey, facts(a)],
          [b.transactionKey, { ...facts(b), fee: (b.fee ?? 0) + 1 }],
        ]);
      },
    };
    const counting = new ChangeCountingPublisher(inner, stored);
    const out = counting.page({ executionId: '1', page: 1 }, 4);
    out.add([a, b]); // a page comes in parts; it is compared with the store whole, when sent
    out.add([c, d]);
    expect(lookedUp).toEqual([]);
    const refused = await out.send();
    expect(refused.map((r) => r.transactionKey)).toEqual([d.transactionKey]);
    expect(published).toEqual([a, b, c, d].map((r) => r.transactionKey));
    expect(lookedUp).toEqual([[a, b, c, d].map((r) => r.transactionKey)]);
    expect(counting.counts).toEqual({ new: 1, changed: 1, same: 1 });
  });
});
