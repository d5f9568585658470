import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { OrderTransaction } from '../../application/order/order-store.js';
import type { PaymentOperation } from '../../application/order/payment-operation.js';
import { Order } from '../../domain/order/order.js';
import { OrderAlreadyExists } from '../../domain/order/order-rule-violations.js';
import { Payment } from '../../domain/order/payment.js';
import { cancelRequestFrom, fromDbInstant, itemFrom, ledgerEntryFrom, operationFrom, restockFrom, toDbInstant } from './mysql-order-rows.js';

/** The statements of one order transaction; MySqlOrderStore opens, commits and rolls back around it. */
export class MySqlOrderTransaction implements OrderTransaction {
  constructor(private readonly conn: PoolConnection) {}

  async lockOrder(orderId: string): Promise<void> {
    await this.conn.query('SELECT order_id FROM orders WHERE order_id = ? FOR UPDATE', [orderId]);
  }

  async findOrder(orderId: string): Promise<Order | null> {
    const [orders] = await this.conn.query<RowDataPacket[]>('SELECT order_id, ordered_at FROM orders WHERE order_id = ? FOR UPDATE', [orderId]);
    const row = orders[0];
    if (!row) return null;
    const [itemRows] = await this.conn.query<RowDataPacket[]>('SELECT * FROM order_items WHERE order_id = ? ORDER BY line_no', [orderId]);
    const [requestRows] = await this.conn.query<RowDataPacket[]>('SELECT * FROM order_cancel_requests WHERE order_id = ? ORDER BY seq', [orderId]);
    const [restockRows] = await this.conn.query<RowDataPacket[]>('SELECT * FROM restocks WHERE order_id = ? ORDER BY id', [orderId]);
    const items = itemRows.map(itemFrom);
    return Order.restore({
      orderId,
      orderedAt: fromDbInstant(row.ordered_at),
      items,
      cancelRequests: requestRows.map((r) => cancelRequestFrom(r, items)),
      restocks: restockRows.map(restockFrom),
    });
  }

  async insertOrder(order: Order): Promise<void> {
    try {
      await this.conn.query('INSERT INTO orders (order_id, status, total_amount, ordered_at) VALUES (?, ?, ?, ?)', [
        order.orderId,
        order.status,
        order.total,
        toDbInstant(order.orderedAt),
      ]);
    } catch (error) {
      if ((error as { code?: string }).code === 'ER_DUP_ENTRY') throw new OrderAlreadyExists(order.orderId);
      throw error;
    }
    const values = order.items.map((i, n) => [order.orderId, n + 1, i.productId, i.unitPrice, i.quantity, i.status, i.cancelRequestSeq]);
    await this.conn.query('INSERT INTO order_items (order_id, line_no, product_id, unit_price, quantity, status, cancel_request_seq) VALUES ?', [values]);
  }

  async saveOrder(order: Order): Promise<void> {
    await this.conn.query('UPDATE orders SET status = ? WHERE order_id = ?', [order.status, order.orderId]);
    // lines are fixed at placement: only their status and cancel request change
    for (const i of order.items) {
      await this.conn.query('UPDATE order_items SET status = ?, cancel_request_seq = ? WHERE order_id = ? AND product_id = ?', [
        i.status,
        i.cancelRequestSeq,
        order.orderId,
        i.productId,
      ]);
    }
    for (const r of order.cancelRequests) {
      const refunded = r.refundedAt === null ? null : toDbInstant(r.refundedAt);
      await this.conn.query(
        'INSERT INTO order_cancel_requests (order_id, seq, reason, requested_at, refunded_at) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE refunded_at = ?',
        [order.orderId, r.seq, r.reason, toDbInstant(r.requestedAt), refunded, refunded],
      );
    }
    for (const r of order.restocks) {
      // a line is restocked once; the no-op update keeps re-saving an order idempotent without INSERT IGNORE
      await this.conn.query(
        'INSERT INTO restocks (order_id, product_id, quantity, restocked_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE order_id = order_id',
        [order.orderId, r.productId, r.quantity, toDbInstant(r.restockedAt)],
      );
    }
  }

  async findPayment(orderId: string): Promise<Payment | null> {
    const [payments] = await this.conn.query<RowDataPacket[]>('SELECT payment_key, method_kind, method_details FROM payments WHERE order_id = ? FOR UPDATE', [
      orderId,
    ]);
    const row = payments[0];
    if (!row) return null;
    const [ledger] = await this.conn.query<RowDataPacket[]>('SELECT * FROM payment_ledger WHERE payment_key = ? ORDER BY seq', [row.payment_key]);
    return Payment.restore({
      paymentKey: String(row.payment_key),
      orderId,
      method: { kind: String(row.method_kind), details: JSON.parse(String(row.method_details)) as Record<string, string | number | boolean | null> },
      ledger: ledger.map(ledgerEntryFrom),
    });
  }

  async savePayment(payment: Payment): Promise<void> {
    const method = payment.method.toSnapshot();
    await this.conn.query(
      `INSERT INTO payments (payment_key, order_id, method_kind, method_details, total_amount, balance_amount, status, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE balance_amount = ?, status = ?`,
      [
        payment.paymentKey,
        payment.orderId,
        method.kind,
        JSON.stringify(method.details),
        payment.totalAmount,
        payment.balance,
        payment.status,
        toDbInstant(payment.approvedAt),
        payment.balance,
        payment.status,
      ],
    );
    const [max] = await this.conn.query<RowDataPacket[]>('SELECT COALESCE(MAX(seq), 0) AS seq FROM payment_ledger WHERE payment_key = ?', [payment.paymentKey]);
    const stored = Number(max[0]?.seq ?? 0);
    const fresh = payment.entries.filter((e) => e.seq > stored); // append only: stored entries are never written again
    if (fresh.length === 0) return;
    const values = fresh.map((e) => [
      payment.paymentKey,
      e.seq,
      e.type,
      e.amount,
      e.balanceAfter,
      e.transactionKey,
      toDbInstant(e.occurredAt),
      e.expectedSettlementDate,
      e.cancelRequestSeq,
      e.reason,
    ]);
    await this.conn.query(
      'INSERT INTO payment_ledger (payment_key, seq, entry_type, amount, balance_after, transaction_key, occurred_at, expected_settlement_date, cancel_request_seq, reason) VALUES ?',
      [values],
    );
  }

  async findOperation(idempotencyKey: string): Promise<PaymentOperation | null> {
    // locked (after the order, see lockOrder) so two runs recording one operation queue up: the second sees DONE
    const [rows] = await this.conn.query<RowDataPacket[]>('SELECT * FROM payment_operations WHERE idempotency_key = ? FOR UPDATE', [idempotencyKey]);
    return rows[0] ? operationFrom(rows[0]) : null;
  }

  async operationsOf(orderId: string): Promise<PaymentOperation[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>('SELECT * FROM payment_operations WHERE order_id = ? ORDER BY created_at, idempotency_key', [
      orderId,
    ]);
    return rows.map(operationFrom);
  }

  async saveOperation(op: PaymentOperation): Promise<void> {
    await this.conn.query(
      `INSERT INTO payment_operations (idempotency_key, kind, order_id, request, status, error_code, error_message, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE status = ?, error_code = ?, error_message = ?, attempts = ?, updated_at = ?`,
      [
        op.idempotencyKey,
        op.kind,
        op.orderId,
        JSON.stringify(op.request),
        op.status,
        op.errorCode,
        op.errorMessage,
        op.attempts,
        toDbInstant(op.createdAt),
        toDbInstant(op.updatedAt),
        op.status,
        op.errorCode,
        op.errorMessage,
        op.attempts,
        toDbInstant(op.updatedAt),
      ],
    );
  }
}
