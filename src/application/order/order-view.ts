import type { CancelRequest } from '../../domain/order/cancel-request.js';
import type { ItemStatus } from '../../domain/order/item-status.js';
import type { LedgerEntry } from '../../domain/order/ledger-entry.js';
import type { Order } from '../../domain/order/order.js';
import type { OrderStatus } from '../../domain/order/order-status.js';
import type { Payment, PaymentStatus } from '../../domain/order/payment.js';
import type { Restock } from '../../domain/order/restock.js';
import type { EntrySettlement } from '../../domain/order/settlement-status.js';
import type { TransactionTypeSnapshot } from '../../domain/order/transaction-type.js';
import type { VoidView } from './void-view.js';

/** Plain data every order command prints (as JSON with --json); stable field names, money in KRW. */
export interface OrderView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly totalAmount: number;
  readonly orderedAt: string;
  readonly items: ReadonlyArray<{
    productId: string;
    unitPrice: number;
    quantity: number;
    amount: number;
    status: ItemStatus;
    cancelRequestSeq: number | null;
  }>;
  readonly cancelRequests: readonly CancelRequest[];
  readonly restocks: readonly Restock[];
  readonly payment: PaymentView | null;
  /** Only in `order show`: approvals Toss made with a method we do not accept, and their cancel (VOID). */
  readonly voids?: readonly VoidView[];
}

export interface PaymentView {
  readonly paymentKey: string;
  readonly status: PaymentStatus;
  readonly method: TransactionTypeSnapshot;
  readonly methodDescription: string;
  readonly totalAmount: number;
  readonly balanceAmount: number;
  readonly approvedAt: string;
  readonly ledger: readonly LedgerEntryView[];
}

/** `settlement` only in `order show`, which looks the loaded settlements up. */
export type LedgerEntryView = LedgerEntry & { readonly settlement?: EntrySettlement };

export function toOrderView(order: Order, payment: Payment | null, settlementOf?: (entry: LedgerEntry) => EntrySettlement): OrderView {
  return {
    orderId: order.orderId,
    status: order.status,
    totalAmount: order.total,
    orderedAt: order.orderedAt,
    items: order.items.map((i) => ({
      productId: i.productId,
      unitPrice: i.unitPrice,
      quantity: i.quantity,
      amount: i.amount,
      status: i.status,
      cancelRequestSeq: i.cancelRequestSeq,
    })),
    cancelRequests: order.cancelRequests,
    restocks: order.restocks,
    payment: payment && {
      paymentKey: payment.paymentKey,
      status: payment.status,
      method: payment.method.toSnapshot(),
      methodDescription: payment.method.describe(),
      totalAmount: payment.totalAmount,
      balanceAmount: payment.balance,
      approvedAt: payment.approvedAt,
      ledger: payment.entries.map((e) => (settlementOf ? { ...e, settlement: settlementOf(e) } : { ...e })),
    },
  };
}

/** What a command that changes an order returns. */
export interface OrderCommandResult {
  readonly order: OrderView;
  /** The Idempotency-Key sent to Toss, for pay and cancel. */
  readonly idempotencyKey?: string | null;
  /** True when an earlier run had already finished the operation and nothing was sent to Toss. */
  readonly replayed?: boolean;
}
