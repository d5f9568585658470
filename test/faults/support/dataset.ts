import { crc32 } from 'node:zlib';
import { addDays, generateSettlementRows, type TossRow } from '../../../src/presentation/bench/settlement-row-generator.js';

/**
 * The suite's known dataset: `rows` settlement rows over `days` consecutive sold dates, in blocks of 1,000
 * rows generated on demand (block b always yields the same rows), so a 300,000-row window costs one page of
 * memory to serve. It holds approvals with and without `fees`, easy-pay rows and cancels (negative money).
 */
export const BLOCK = 1_000;

export interface DateTotals {
  count: number;
  amount: bigint;
  fee: bigint;
  payOut: bigint;
}

export interface Expected {
  readonly rows: number;
  readonly keys: ReadonlySet<string>;
  readonly byDate: ReadonlyMap<string, DateTotals>;
  /** Σ crc32("transactionKey|amount|payOutAmount"): the same sum is computed in SQL. */
  readonly checksum: bigint;
}

export class Dataset {
  readonly blocks: number;
  readonly to: string;

  constructor(
    readonly rows: number,
    readonly from: string,
    readonly days: number,
  ) {
    if (rows % BLOCK !== 0) throw new Error(`rows must be a multiple of ${BLOCK}`);
    this.blocks = rows / BLOCK;
    this.to = addDays(from, days - 1);
  }

  dateOf(block: number): string {
    return addDays(this.from, Math.floor((block * this.days) / this.blocks));
  }

  block(b: number): TossRow[] {
    return generateSettlementRows({ count: BLOCK, from: this.dateOf(b), seed: 7_000 + b, keyPrefix: `F${b.toString(36).padStart(3, '0')}` });
  }

  /**
   * Block `b`'s rows again (same sold dates and money) under other keys: every paymentKey, transactionKey and
   * orderId carries `prefix` (4 characters, not starting with F) instead of the block's. Rows Toss adds late, or
   * rows a newer producer writes, whose totals stay computable.
   */
  rekeyed(b: number, prefix: string): TossRow[] {
    if (prefix.length !== 4 || prefix.startsWith('F')) throw new Error(`prefix ${prefix}: 4 characters, not starting with F (the dataset's own)`);
    return generateSettlementRows({ count: BLOCK, from: this.dateOf(b), seed: 7_000 + b, keyPrefix: prefix });
  }

  /** Page `page` (1-based) of `size` rows over the whole window; size is a multiple of the block. */
  page(page: number, size: number): TossRow[] {
    if (size % BLOCK !== 0) throw new Error(`page size must be a multiple of ${BLOCK}`);
    const per = size / BLOCK;
    const out: TossRow[] = [];
    for (let b = (page - 1) * per; b < Math.min(page * per, this.blocks); b++) out.push(...this.block(b));
    return out;
  }

  expected(): Expected {
    const totals = emptyTotals();
    for (let b = 0; b < this.blocks; b++) for (const r of this.block(b)) addRow(totals, r);
    return { rows: totals.keys.size, ...totals };
  }
}

/** `expected` plus rows from outside the dataset (each with a transaction key of its own): a scenario changed the data. */
export function withRows(expected: Expected, rows: readonly TossRow[]): Expected {
  const totals = { keys: new Set(expected.keys), byDate: new Map([...expected.byDate].map(([d, t]) => [d, { ...t }])), checksum: expected.checksum };
  for (const r of rows) {
    if (totals.keys.has(r.transactionKey as string)) throw new Error(`withRows: ${String(r.transactionKey)} is already expected`);
    addRow(totals, r);
  }
  return { rows: totals.keys.size, ...totals };
}

interface Totals {
  keys: Set<string>;
  byDate: Map<string, DateTotals>;
  checksum: bigint;
}

const emptyTotals = (): Totals => ({ keys: new Set(), byDate: new Map(), checksum: 0n });

/** One row into the totals: its key, its date's count and sums, and its checksum term (the same sum as in SQL). */
function addRow(t: Totals, r: TossRow): void {
  const key = r.transactionKey as string;
  t.keys.add(key);
  const d = t.byDate.get(r.soldDate as string) ?? { count: 0, amount: 0n, fee: 0n, payOut: 0n };
  d.count += 1;
  d.amount += BigInt(r.amount as number);
  d.fee += BigInt(r.fee as number);
  d.payOut += BigInt(r.payOutAmount as number);
  t.byDate.set(r.soldDate as string, d);
  t.checksum += BigInt(crc32(`${key}|${String(r.amount)}|${String(r.payOutAmount)}`));
}
