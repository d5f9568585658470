import { crc32 } from 'node:zlib';
import avsc from 'avsc';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { readSettlementSchema, SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { DATA_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { addDays, generateSettlementRows, type TossRow } from '../../support/settlement-row-generator.js';
import type { TossRowSource } from '../../support/toss-fake.js';

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
  /** Per transaction key, the crc32 of the row's canonical form (see rowDigest): the same is computed in SQL. */
  readonly digests: ReadonlyMap<string, number>;
}

/** NULL in the canonical form (no business column holds this text). */
export const CANONICAL_NULL = '~NULL~';
/** Between columns in the canonical form (the unit separator: no business column holds it). */
export const CANONICAL_SEPARATOR = '\u001f';

/** The settlement schema, to write a row and read it back as the pipeline does. */
const serde = SettlementSerde.withSchemaId(1);
const reader = avsc.Type.forSchema(JSON.parse(readSettlementSchema()) as avsc.Schema);

function validated(raw: unknown, what: string): Settlement {
  const v = validateSettlement(raw);
  if (!v.ok) throw new Error(`${what} is invalid: ${v.rejection.reason}`);
  return v.value;
}

/**
 * The canonical form of the row Toss sent, as `settlements` must hold it: the Toss row validated, written with
 * the settlement schema and read back (Avro fills the schema's optional fields Toss left out with null, as the
 * consumer stores them), mapped to the table's business columns (DATA_COLUMNS: keys, money, dates, card and
 * easy-pay columns, the details JSON, unknown fields) as text, NULL as CANONICAL_NULL, joined by
 * CANONICAL_SEPARATOR; its crc32. This runs the product's own validation, schema and row mapping in the test
 * process, without Kafka or MySQL (their correctness is the unit and integration tests'); verify.ts computes
 * the same over what MySQL stores, so a row a fault changed in any column shows.
 */
export function rowDigest(r: TossRow): number {
  const [written] = serde.encodeBatch([validated(r, `dataset row ${String(r.transactionKey)}`)]);
  if (!Buffer.isBuffer(written)) throw new Error(`dataset row ${String(r.transactionKey)} does not fit the schema`);
  const read = validated(reader.fromBuffer(written.subarray(5)), `dataset row ${String(r.transactionKey)} read back`);
  const values = toSettlementRow(read, { topic: '', partition: 0, offset: 0, timestamp: 0 }).slice(0, DATA_COLUMNS.length);
  return crc32(values.map((x) => (x === null ? CANONICAL_NULL : String(x))).join(CANONICAL_SEPARATOR));
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

  /** Rows [from, to) of the window (fewer at its end), generated block by block. */
  range(from: number, to: number): TossRow[] {
    const first = Math.floor(from / BLOCK);
    const last = Math.min(Math.ceil(to / BLOCK), this.blocks);
    const rows: TossRow[] = [];
    for (let b = first; b < last; b++) rows.push(...this.block(b));
    return rows.slice(from - first * BLOCK, to - first * BLOCK);
  }

  /**
   * The dataset as the suite's Toss fake pages it (test/support/toss-fake.ts): its window [from, to] by position,
   * whatever the dateType, a page of memory at a time; any other window holds nothing (answered `[]`).
   */
  tossSource(): TossRowSource {
    return ({ startDate, endDate }) =>
      startDate === this.from && endDate === this.to ? { count: this.rows, range: (from: number, to: number) => this.range(from, to) } : null;
  }

  expected(): Expected {
    const totals = emptyTotals();
    for (let b = 0; b < this.blocks; b++) for (const r of this.block(b)) addRow(totals, r);
    return { rows: totals.keys.size, ...totals };
  }
}

/** `expected` plus rows from outside the dataset (each with a transaction key of its own): a scenario changed the data. */
export function withRows(expected: Expected, rows: readonly TossRow[]): Expected {
  const totals = { keys: new Set(expected.keys), byDate: new Map([...expected.byDate].map(([d, t]) => [d, { ...t }])), digests: new Map(expected.digests) };
  for (const r of rows) {
    if (totals.keys.has(r.transactionKey as string)) throw new Error(`withRows: ${String(r.transactionKey)} is already expected`);
    addRow(totals, r);
  }
  return { rows: totals.keys.size, ...totals };
}

interface Totals {
  keys: Set<string>;
  byDate: Map<string, DateTotals>;
  digests: Map<string, number>;
}

const emptyTotals = (): Totals => ({ keys: new Set(), byDate: new Map(), digests: new Map() });

/** One row into the totals: its key, its date's count and sums, and its digest (the same as in SQL). */
function addRow(t: Totals, r: TossRow): void {
  const key = r.transactionKey as string;
  t.keys.add(key);
  const d = t.byDate.get(r.soldDate as string) ?? { count: 0, amount: 0n, fee: 0n, payOut: 0n };
  d.count += 1;
  d.amount += BigInt(r.amount as number);
  d.fee += BigInt(r.fee as number);
  d.payOut += BigInt(r.payOutAmount as number);
  t.byDate.set(r.soldDate as string, d);
  t.digests.set(key, rowDigest(r));
}
