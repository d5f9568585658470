import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { StoreSnapshot } from '../../application/settlement/reconciliation-ports.js';
import type { ReconciledRow } from '../../domain/settlement/reconciliation.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { windowDateColumn } from './mysql-settlement-queries.js';
import { translateMySqlError } from './mysql-errors.js';

/** The loaded `settlements` rows of a window, keyed by transaction_key (unique in the table). */
export class MySqlStoreSnapshot implements StoreSnapshot {
  constructor(private readonly pool: Pool) {}

  async rowsOf(w: SettlementWindow): Promise<Map<string, ReconciledRow>> {
    const column = windowDateColumn(w.dateType);
    // rowsAsArray: a window can hold millions of rows; arrays cost far less than one object per row
    const [rows] = await this.pool
      .query<RowDataPacket[]>(
        {
          sql: `SELECT transaction_key, ${column}, amount, COALESCE(fee, 0), pay_out_amount FROM settlements WHERE ${column} BETWEEN ? AND ?`,
          rowsAsArray: true,
        },
        [w.from, w.to],
      )
      .catch(translateMySqlError);
    const out = new Map<string, ReconciledRow>();
    for (const r of rows as unknown as Array<[string, string, number | string, number | string, number | string]>)
      out.set(String(r[0]), { date: String(r[1]), amount: Number(r[2]), fee: Number(r[3]), payOutAmount: Number(r[4]) });
    return out;
  }
}
