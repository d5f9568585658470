import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { PaymentOperation } from '../../application/order/payment-operation.js';
import type { PaymentReconciliationSource, UnknownSettlement, UnsettledEntry } from '../../application/order/payment-reconciliation-source.js';
import { translateMySqlError } from './mysql-errors.js';
import { fromDbInstant, operationFrom } from './mysql-order-rows.js';

/**
 * The two anti-joins of `settle reconcile --payments`, matched on payment_key + transaction_key (the settlements
 * table's transaction_key is unique; ours is indexed). Both are bounded by the window's dates and their indexes.
 * Plus the VOIDs not DONE, read through ix_payment_operations_status_kind (only unfinished rows).
 */
export class MySqlPaymentReconciliation implements PaymentReconciliationSource {
  constructor(private readonly pool: Pool) {}

  async unsettledEntries(from: string, to: string, today: string): Promise<UnsettledEntry[]> {
    const [rows] = await this.pool
      .query<RowDataPacket[]>(
        `SELECT p.order_id, l.payment_key, l.transaction_key, l.entry_type, l.amount, l.occurred_at, l.expected_settlement_date
           FROM payment_ledger l JOIN payments p ON p.payment_key = l.payment_key
          WHERE l.expected_settlement_date BETWEEN ? AND ? AND l.expected_settlement_date < ?
            AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.transaction_key = l.transaction_key AND s.payment_key = l.payment_key)
          ORDER BY l.expected_settlement_date, l.payment_key, l.seq`,
        [from, to, today],
      )
      .catch(translateMySqlError);
    return rows.map((r) => ({
      orderId: String(r.order_id),
      paymentKey: String(r.payment_key),
      transactionKey: String(r.transaction_key),
      type: String(r.entry_type),
      amount: Number(r.amount),
      occurredAt: fromDbInstant(r.occurred_at),
      expectedSettlementDate: String(r.expected_settlement_date),
    }));
  }

  async unknownSettlements(from: string, to: string): Promise<UnknownSettlement[]> {
    const [rows] = await this.pool
      .query<RowDataPacket[]>(
        `SELECT s.payment_key, s.transaction_key, s.order_id, s.amount, s.sold_date, s.paid_out_date,
                CASE WHEN p.payment_key IS NULL THEN 'NO_PAYMENT' ELSE 'NO_LEDGER_ENTRY' END AS reason
           FROM settlements s LEFT JOIN payments p ON p.payment_key = s.payment_key
          WHERE s.paid_out_date BETWEEN ? AND ?
            AND NOT EXISTS (SELECT 1 FROM payment_ledger l WHERE l.payment_key = s.payment_key AND l.transaction_key = s.transaction_key)
          ORDER BY s.paid_out_date, s.payment_key, s.transaction_key`,
        [from, to],
      )
      .catch(translateMySqlError);
    return rows.map((r) => ({
      paymentKey: String(r.payment_key),
      transactionKey: String(r.transaction_key),
      orderId: String(r.order_id),
      amount: Number(r.amount),
      soldDate: String(r.sold_date),
      paidOutDate: String(r.paid_out_date),
      reason: String(r.reason) === 'NO_PAYMENT' ? 'NO_PAYMENT' : 'NO_LEDGER_ENTRY',
    }));
  }

  async unfinishedVoids(): Promise<PaymentOperation[]> {
    const [rows] = await this.pool
      .query<RowDataPacket[]>("SELECT * FROM payment_operations WHERE status IN ('PENDING', 'FAILED') AND kind = 'VOID' ORDER BY created_at, idempotency_key")
      .catch(translateMySqlError);
    return rows.map(operationFrom);
  }
}
