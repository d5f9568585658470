import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { toSettleError } from './mysql-errors.js';

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

/** Read side of `settlements` for operators (`settle settlements list`). */
export async function listStoredSettlements(pool: Pool, w: SettlementWindow, limit: number): Promise<StoredSettlementRow[]> {
  const column = w.dateType === 'paidOutDate' ? 'paid_out_date' : 'sold_date';
  const [rows] = await pool
    .query<RowDataPacket[]>(
      `SELECT transaction_key, payment_key, order_id, method, amount, fee, pay_out_amount, sold_date, paid_out_date, cancel_amount IS NOT NULL AS canceled
         FROM settlements WHERE ${column} BETWEEN ? AND ? ORDER BY ${column}, transaction_key LIMIT ?`,
      [w.from, w.to, limit],
    )
    .catch((e: unknown) => Promise.reject(toSettleError(e)));
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
