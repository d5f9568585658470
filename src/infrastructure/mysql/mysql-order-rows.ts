import type { RowDataPacket } from 'mysql2/promise';
import type { PaymentOperation } from '../../application/order/payment-operation.js';
import type { CancelRequest } from '../../domain/order/cancel-request.js';
import { isItemStatus } from '../../domain/order/item-status.js';
import type { LedgerEntry, LedgerEntryType } from '../../domain/order/ledger-entry.js';
import type { OrderItemSnapshot } from '../../domain/order/order-item.js';
import type { Restock } from '../../domain/order/restock.js';

/**
 * Row ↔ snapshot conversions for the order tables. Instants are DATETIME(3) in UTC and come back as strings
 * (the pool uses dateStrings), so no value ever passes through the machine's time zone.
 */
export const toDbInstant = (iso: string): string => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
export const fromDbInstant = (value: unknown): string => `${String(value).replace(' ', 'T')}Z`;
const optionalInstant = (value: unknown): string | null => (value === null || value === undefined ? null : fromDbInstant(value));

export function itemFrom(row: RowDataPacket): OrderItemSnapshot {
  const status = String(row.status);
  if (!isItemStatus(status)) throw new Error(`order_items row ${String(row.order_id)}/${String(row.product_id)} has unknown status ${status}`);
  return {
    productId: String(row.product_id),
    unitPrice: Number(row.unit_price),
    quantity: Number(row.quantity),
    status,
    cancelRequestSeq: row.cancel_request_seq === null ? null : Number(row.cancel_request_seq),
  };
}

/** A request's product ids are the lines carrying its seq, in line order (how the domain lists them). */
export function cancelRequestFrom(row: RowDataPacket, items: readonly OrderItemSnapshot[]): CancelRequest {
  const seq = Number(row.seq);
  return {
    seq,
    productIds: items.filter((i) => i.cancelRequestSeq === seq).map((i) => i.productId),
    reason: String(row.reason),
    requestedAt: fromDbInstant(row.requested_at),
    refundedAt: optionalInstant(row.refunded_at),
  };
}

export const restockFrom = (row: RowDataPacket): Restock => ({
  productId: String(row.product_id),
  quantity: Number(row.quantity),
  restockedAt: fromDbInstant(row.restocked_at),
});

export const ledgerEntryFrom = (row: RowDataPacket): LedgerEntry => ({
  seq: Number(row.seq),
  type: String(row.entry_type) as LedgerEntryType, // Payment.restore re-checks the chain, types included
  amount: Number(row.amount),
  balanceAfter: Number(row.balance_after),
  transactionKey: String(row.transaction_key),
  occurredAt: fromDbInstant(row.occurred_at),
  expectedSettlementDate: String(row.expected_settlement_date),
  cancelRequestSeq: row.cancel_request_seq === null ? null : Number(row.cancel_request_seq),
  reason: row.reason === null ? null : String(row.reason),
});

export const operationFrom = (row: RowDataPacket): PaymentOperation => ({
  idempotencyKey: String(row.idempotency_key),
  kind: String(row.kind) as PaymentOperation['kind'],
  orderId: String(row.order_id),
  request: JSON.parse(String(row.request)) as PaymentOperation['request'],
  status: String(row.status) as PaymentOperation['status'],
  errorCode: row.error_code === null ? null : String(row.error_code),
  errorMessage: row.error_message === null || row.error_message === undefined ? null : String(row.error_message),
  attempts: Number(row.attempts),
  createdAt: fromDbInstant(row.created_at),
  updatedAt: fromDbInstant(row.updated_at),
});
