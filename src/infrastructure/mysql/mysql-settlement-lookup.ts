import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { SettlementLookup } from '../../application/order/settlement-lookup.js';
import type { SettlementRowRef } from '../../domain/order/settlement-status.js';
import { translateMySqlError } from './mysql-errors.js';

/** Reads the loaded Toss settlements rows (table `settlements`, migration 0001) of one payment. */
export class MySqlSettlementLookup implements SettlementLookup {
  constructor(private readonly pool: Pool) {}

  async forPayment(paymentKey: string): Promise<SettlementRowRef[]> {
    const [rows] = await this.pool
      .query<RowDataPacket[]>(
        'SELECT payment_key, transaction_key, amount, pay_out_amount, sold_date, paid_out_date FROM settlements WHERE payment_key = ? ORDER BY id',
        [paymentKey],
      )
      .catch(translateMySqlError);
    return rows.map((r) => ({
      paymentKey: String(r.payment_key),
      transactionKey: String(r.transaction_key),
      amount: Number(r.amount),
      payOutAmount: Number(r.pay_out_amount),
      soldDate: String(r.sold_date),
      paidOutDate: String(r.paid_out_date),
    }));
  }
}
