import { describe, expect, it } from 'vitest';
import { tossPages } from '../../support/toss-pages.js';
import { fmix32, keyTemplate, patchKey, patchPage, placeholder, rowTag } from '../../support/key-template.js';
import { generateSettlementRows } from '../../support/settlement-row-generator.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';

type Row = { transactionKey: string; paymentKey: string; orderId: string; cancel: { transactionKey: string } | null };
const rowsOf = (body: Buffer) => JSON.parse(body.toString()) as Row[];

describe('realistic keys of the fast Toss fake', () => {
  const pages = tossPages({ rows: 2_450, pageSize: 500, soldDate: '2025-02-03', realisticKeys: true });
  const all = Array.from({ length: pages.pages }, (_, p) => rowsOf(pages.body(p + 1))).flat();

  it('serves every row once, with unique transaction keys across pages, and valid rows', () => {
    expect(pages.pages).toBe(5);
    expect(all).toHaveLength(2_450);
    expect(new Set(all.map((r) => r.transactionKey)).size).toBe(2_450);
    expect(new Set(all.map((r) => r.orderId)).size).toBe(2_450);
    for (const r of all.slice(0, 50)) expect(validateSettlement(r).ok).toBe(true);
    expect(pages.body(6).toString()).toBe('[]');
  });

  it('keys look like Toss keys: uppercase hex, no placeholder left, not in page or row order', () => {
    for (const r of all) {
      expect(r.transactionKey).toMatch(/^[0-9A-F]{32}$/);
      expect(r.paymentKey).toMatch(/^[0-9A-F]{32}$/);
    }
    const keys = all.map((r) => r.transactionKey);
    const ascending = keys.filter((k, i) => i > 0 && k > (keys[i - 1] ?? '')).length;
    // sequential keys would ascend every time; random ones about half of the time
    expect(ascending).toBeGreaterThan(keys.length * 0.3);
    expect(ascending).toBeLessThan(keys.length * 0.7);
    // the first characters spread over the whole key space
    expect(new Set(keys.map((k) => k[0])).size).toBe(16);
  });

  it('patches a cancel consistently with its approval (same paymentKey, cancel.transactionKey = its own key)', () => {
    const cancels = all.filter((r) => r.cancel);
    expect(cancels.length).toBeGreaterThan(0);
    const paymentKeys = new Set(all.filter((r) => !r.cancel).map((r) => r.paymentKey));
    for (const c of cancels) {
      expect(paymentKeys.has(c.paymentKey)).toBe(true);
      expect(c.cancel?.transactionKey).toBe(c.transactionKey);
    }
  });

  it('a recycled page body is patched again in place and reads as a fresh one', () => {
    const fresh = tossPages({ rows: 2_450, pageSize: 500, soldDate: '2025-02-03', realisticKeys: true });
    const first = pages.body(1);
    pages.recycle(first);
    const second = pages.body(2);
    expect(second).toBe(first); // the same buffer, patched for page 2
    expect(second.equals(fresh.body(2))).toBe(true);
    const last = pages.body(5); // 450 rows: its own length, never taken from the spares
    pages.recycle(last);
    expect(pages.body(3)).not.toBe(last);
    expect(pages.body(5).equals(fresh.body(5))).toBe(true);
  });

  it('another salt gives other keys for the same rows', () => {
    const other = tossPages({ rows: 2_450, pageSize: 500, soldDate: '2025-02-03', realisticKeys: true, keySalt: 1 });
    const keys = new Set(all.map((r) => r.transactionKey));
    const otherKeys = Array.from({ length: other.pages }, (_, p) => rowsOf(other.body(p + 1)))
      .flat()
      .map((r) => r.transactionKey);
    expect(otherKeys.filter((k) => keys.has(k))).toHaveLength(0);
  });

  it('leaves the default keys as they were (page marker first, growing with the row)', () => {
    const seq = tossPages({ rows: 1_000, pageSize: 500, soldDate: '2025-02-03' });
    const p2 = rowsOf(seq.body(2));
    expect(p2[0]?.transactionKey.startsWith('PG000002')).toBe(true);
    const rows = generateSettlementRows({ count: 3, from: '2025-02-03', keyPrefix: 'X' }) as unknown as Row[];
    expect(rows.map((r) => r.transactionKey.slice(0, 11))).toEqual(['X0000000000', 'X0000000001', 'X0000000002']);
  });
});

describe('key templates', () => {
  it('rowTag is unique over pages, rows and salts', () => {
    const seen = new Set<string>();
    for (const salt of [0, 1, 63]) for (let page = 1; page <= 40; page++) for (let row = 0; row < 100; row++) seen.add(rowTag(salt, page, row));
    expect(seen.size).toBe(3 * 40 * 100);
    expect(fmix32(0)).toBe(0);
    expect(() => rowTag(0, 0, 0)).toThrow(RangeError);
  });

  it('patches placeholders in any text, and single keys the same way', () => {
    const t = keyTemplate(`a${placeholder(3)}b\t${placeholder(7)}\nPGX`);
    expect(Array.from(t.rows)).toEqual([3, 7]);
    const out = patchPage(t, 2, 9).toString();
    expect(out).toBe(`a${rowTag(2, 9, 3)}b\t${rowTag(2, 9, 7)}\nPGX`);
    expect(patchKey(`ORD-1-${placeholder(3)}`, 2, 9)).toBe(`ORD-1-${rowTag(2, 9, 3)}`);
  });

  it('writes into a page the bytes rowTag spells, for every row, and refuses what rowTag refuses', () => {
    const rows = Array.from({ length: 600 }, (_, j) => j * 13);
    const t = keyTemplate(rows.map((r) => `{"k":"${placeholder(r)}-x"}`).join(','));
    const text = patchPage(t, 63, 8192).toString();
    expect(text).toBe(rows.map((r) => `{"k":"${rowTag(63, 8192, r)}-x"}`).join(','));
    expect(text).toMatch(/[A-F]/);
    expect(() => patchPage(t, 0, 0)).toThrow(RangeError);
    expect(() => patchPage(keyTemplate(placeholder(8192)), 0, 1)).toThrow(RangeError);
  });
});
