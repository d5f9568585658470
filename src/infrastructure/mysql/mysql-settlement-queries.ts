import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { DateType, SettlementWindow } from '../../domain/settlement/settlement-window.js';
import type { StoredSettlementLookup } from '../../application/settlement/change-counting-publisher.js';
import type { StoredSettlementFacts } from '../../domain/settlement/settlement-change.js';
import { translateMySqlError } from './mysql-errors.js';
import { queryPool } from './query-timeout.js';

export interface StoredSettlementRow {
  readonly transactionKey: string;
  readonly paymentKey: string;
  readonly orderId: string;
  readonly method: string;
  readonly amount: number;
  readonly fee: number | null;
  readonly payOutAmount: number;
  readonly soldDate: string;
  readonly paidOutDate: string;
  readonly canceled: boolean;
}

/** The `settlements` column that a window's date type filters on. */
export const windowDateColumn = (dateType: DateType): 'paid_out_date' | 'sold_date' => (dateType === 'paidOutDate' ? 'paid_out_date' : 'sold_date');

/** Read side of `settlements` for operators (`settle settlements list`). */
export async function listStoredSettlements(pool: Pool, w: SettlementWindow, limit: number): Promise<StoredSettlementRow[]> {
  const column = windowDateColumn(w.dateType);
  const [rows] = await pool
    .query<RowDataPacket[]>(
      `SELECT transaction_key, payment_key, order_id, method, amount, fee, pay_out_amount, sold_date, paid_out_date, cancel_amount IS NOT NULL AS canceled
         FROM settlements WHERE ${column} BETWEEN ? AND ? ORDER BY ${column}, transaction_key LIMIT ?`,
      [w.from, w.to, limit],
    )
    .catch(translateMySqlError);
  return rows.map((r) => ({
    transactionKey: String(r.transaction_key),
    paymentKey: String(r.payment_key),
    orderId: String(r.order_id),
    method: String(r.method),
    amount: Number(r.amount),
    fee: r.fee === null ? null : Number(r.fee),
    payOutAmount: Number(r.pay_out_amount),
    soldDate: String(r.sold_date),
    paidOutDate: String(r.paid_out_date),
    canceled: Number(r.canceled) === 1,
  }));
}

/** The stored facts of the given transaction keys (one query per page of keys). */
export class MySqlStoredSettlementLookup implements StoredSettlementLookup {
  /** `queryTimeoutMs`: each lookup is bounded (query-timeout.ts), so a stalled MySQL fails the replay instead of hanging it. */
  constructor(
    private readonly pool: Pool,
    private readonly queryTimeoutMs: number,
  ) {}

  async factsOf(keys: readonly string[]): Promise<ReadonlyMap<string, StoredSettlementFacts>> {
    const facts = new Map<string, StoredSettlementFacts>();
    for (let i = 0; i < keys.length; i += 5000) {
      const chunk = keys.slice(i, i + 5000);
      const rows = await queryPool<RowDataPacket[]>(
        this.pool,
        this.queryTimeoutMs,
        'SELECT transaction_key, method, amount, fee, supply_amount, vat, pay_out_amount, sold_date, paid_out_date FROM settlements WHERE transaction_key IN (?)',
        [chunk],
      ).catch(translateMySqlError);
      for (const r of rows)
        facts.set(String(r.transaction_key), {
          method: String(r.method),
          amount: Number(r.amount),
          fee: r.fee === null ? null : Number(r.fee),
          supplyAmount: Number(r.supply_amount),
          vat: Number(r.vat),
          payOutAmount: Number(r.pay_out_amount),
          soldDate: String(r.sold_date),
          paidOutDate: String(r.paid_out_date),
        });
    }
    return facts;
  }
}
