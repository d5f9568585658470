import { MAX_CANCEL_REASON_LENGTH, type CancelRequest } from './cancel-request.js';
import { ItemStatus } from './item-status.js';
import type { LedgerEntry } from './ledger-entry.js';
import { OrderItem, type OrderItemSnapshot } from './order-item.js';
import * as V from './order-rule-violations.js';
import { deriveOrderStatus, OrderStatus } from './order-status.js';
import { Payment } from './payment.js';
import type { Restock } from './restock.js';
import type { SettlementDateCalculator } from './settlement-date-calculator.js';
import type { TransactionType } from './transaction-type.js';

export interface OrderLine {
  readonly productId: string;
  readonly unitPrice: number;
  readonly quantity: number;
}

export interface OrderSnapshot {
  readonly orderId: string;
  readonly orderedAt: string;
  readonly items: readonly OrderItemSnapshot[];
  readonly cancelRequests: readonly CancelRequest[];
  readonly restocks: readonly Restock[];
}

export interface PaymentApproval {
  readonly paymentKey: string;
  readonly amount: number;
  readonly method: TransactionType;
  readonly approvedAt: string;
  readonly transactionKey: string;
}

/** What one payment cancel refunds: the lines of one restocked cancel request. */
export interface PaymentCancelPlan {
  readonly request: CancelRequest;
  readonly amount: number;
  /** True when these are the last live lines: Toss is asked for a full cancel of the balance. */
  readonly full: boolean;
}

const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/; // Toss's orderId rule, so the same id works at checkout

/** The order aggregate: its lines, their cancel requests and restocks. Every rule lives in a method here. */
export class Order {
  private constructor(
    readonly orderId: string,
    readonly orderedAt: string,
    private readonly lines: readonly OrderItem[],
    private readonly requests: CancelRequest[],
    private readonly restockRecords: Restock[],
  ) {}

  static place(orderId: string, lines: readonly OrderLine[], orderedAt: string): Order {
    if (!ORDER_ID.test(orderId)) throw new V.InvalidOrderId(orderId);
    if (lines.length === 0) throw new V.OrderWithoutItems();
    const seen = new Set<string>();
    const items = lines.map((l) => {
      if (seen.has(l.productId)) throw new V.DuplicateProductLine(l.productId);
      seen.add(l.productId);
      return OrderItem.create(l.productId, l.unitPrice, l.quantity);
    });
    const order = new Order(orderId, orderedAt, items, [], []);
    if (!Number.isSafeInteger(order.total)) throw new V.OrderTotalTooLarge();
    return order;
  }

  static restore(s: OrderSnapshot): Order {
    return new Order(
      s.orderId,
      s.orderedAt,
      s.items.map((i) => OrderItem.restore(i)),
      s.cancelRequests.map((r) => ({ ...r })),
      s.restocks.map((r) => ({ ...r })),
    );
  }

  /** Σ unitPrice × quantity of every line: what the payment must be, and never changes after cancels. */
  get total(): number {
    return this.lines.reduce((sum, i) => sum + i.amount, 0);
  }

  get status(): OrderStatus {
    return deriveOrderStatus(this.lines.map((i) => i.status));
  }

  get items(): readonly OrderItem[] {
    return this.lines;
  }

  get cancelRequests(): readonly CancelRequest[] {
    return this.requests;
  }

  get restocks(): readonly Restock[] {
    return this.restockRecords;
  }

  item(productId: string): OrderItem {
    const found = this.lines.find((i) => i.productId === productId);
    if (!found) throw new V.UnknownOrderItem(this.orderId, productId);
    return found;
  }

  /** Payment only for an order awaiting it, and only for exactly its total. */
  checkPayable(amount: number): void {
    if (this.status !== OrderStatus.ORDER_COMPLETED) throw new V.OrderNotAwaitingPayment(this.orderId, this.status);
    if (amount !== this.total) throw new V.PaymentAmountMismatch(this.orderId, amount, this.total);
  }

  pay(approval: PaymentApproval, calculator: SettlementDateCalculator): Payment {
    this.checkPayable(approval.amount);
    const payment = Payment.approve({ ...approval, orderId: this.orderId }, calculator);
    for (const i of this.lines) i.moveTo(ItemStatus.PAYMENT_COMPLETED);
    return payment;
  }

  /** Opens a cancel request for paid lines; a purchase-confirmed line can never be cancelled. */
  requestCancel(productIds: readonly string[], reason: string, at: string): CancelRequest {
    const items = this.select(productIds, 'cancel');
    if (reason.length === 0 || reason.length > MAX_CANCEL_REASON_LENGTH) throw new V.InvalidCancelReason(reason.length);
    for (const i of items) {
      if (i.status === ItemStatus.PURCHASE_CONFIRMED) throw new V.CancelAfterPurchaseConfirmed(this.orderId, i.productId);
      if (i.status !== ItemStatus.PAYMENT_COMPLETED) throw new V.ItemNotCancelable(this.orderId, i.productId, i.status);
    }
    const request: CancelRequest = { seq: this.requests.length + 1, productIds: items.map((i) => i.productId), reason, requestedAt: at, refundedAt: null };
    for (const i of items) i.moveTo(ItemStatus.CANCEL_REQUESTED, request.seq);
    this.requests.push(request);
    return request;
  }

  /** Records the goods of cancel-requested lines back in stock; no ids = every line waiting for restock. */
  restock(productIds: readonly string[] | undefined, at: string): Restock[] {
    const items = productIds ? this.select(productIds, 'restock') : this.waiting(ItemStatus.CANCEL_REQUESTED, 'restock');
    for (const i of items) if (i.status !== ItemStatus.CANCEL_REQUESTED) throw new V.RestockWithoutCancelRequest(this.orderId, i.productId, i.status);
    const records = items.map((i) => ({ productId: i.productId, quantity: i.quantity, restockedAt: at }));
    for (const i of items) i.moveTo(ItemStatus.RESTOCKED);
    this.restockRecords.push(...records);
    return records;
  }

  /** No ids = every paid line that is neither confirmed nor in a cancel. */
  confirmPurchase(productIds: readonly string[] | undefined): OrderItem[] {
    const items = productIds ? this.select(productIds, 'confirm') : this.waiting(ItemStatus.PAYMENT_COMPLETED, 'confirm');
    for (const i of items) if (i.status !== ItemStatus.PAYMENT_COMPLETED) throw new V.ItemNotConfirmable(this.orderId, i.productId, i.status);
    for (const i of items) i.moveTo(ItemStatus.PURCHASE_CONFIRMED);
    return items;
  }

  /**
   * Which refund comes next: the given cancel request, or the oldest one not refunded yet. Its lines must all
   * be restocked; the amount is exactly theirs; refunding the last live lines is a full cancel.
   */
  planPaymentCancel(payment: Payment, seq?: number): PaymentCancelPlan {
    const request = this.requests.find((r) => r.refundedAt === null && (seq === undefined || r.seq === seq));
    if (!request) throw new V.NoOpenCancelRequest(this.orderId, seq);
    const items = request.productIds.map((id) => this.item(id));
    const notRestocked = items.filter((i) => i.status !== ItemStatus.RESTOCKED).map((i) => i.productId);
    if (notRestocked.length > 0) throw new V.CancelBeforeRestock(this.orderId, notRestocked);
    const amount = items.reduce((sum, i) => sum + i.amount, 0);
    const full = this.lines.filter((i) => i.isLive).every((i) => request.productIds.includes(i.productId));
    payment.checkCancel(amount, full);
    return { request, amount, full };
  }

  /** Records a payment cancel Toss has done: the ledger entry, and the request's lines become CANCELED. */
  cancelPayment(payment: Payment, done: { seq: number; canceledAt: string; transactionKey: string }, calculator: SettlementDateCalculator): LedgerEntry {
    const plan = this.planPaymentCancel(payment, done.seq);
    const entry = payment.cancel(
      {
        amount: plan.amount,
        full: plan.full,
        reason: plan.request.reason,
        canceledAt: done.canceledAt,
        transactionKey: done.transactionKey,
        cancelRequestSeq: plan.request.seq,
      },
      calculator,
    );
    for (const id of plan.request.productIds) this.item(id).moveTo(ItemStatus.CANCELED);
    const index = this.requests.indexOf(plan.request);
    this.requests[index] = { ...plan.request, refundedAt: done.canceledAt };
    return entry;
  }

  toSnapshot(): OrderSnapshot {
    return {
      orderId: this.orderId,
      orderedAt: this.orderedAt,
      items: this.lines.map((i) => i.toSnapshot()),
      cancelRequests: this.requests.map((r) => ({ ...r })),
      restocks: this.restockRecords.map((r) => ({ ...r })),
    };
  }

  /** Named lines, each once, all known, in line order; every check runs before any line changes. */
  private select(productIds: readonly string[], action: string): OrderItem[] {
    if (productIds.length === 0) throw new V.NoItemsSelected(this.orderId, action);
    const named = new Set(productIds.map((id) => this.item(id)));
    return this.lines.filter((i) => named.has(i));
  }

  private waiting(status: ItemStatus, action: string): OrderItem[] {
    const items = this.lines.filter((i) => i.status === status);
    if (items.length === 0) throw new V.NoItemsSelected(this.orderId, action);
    return items;
  }
}
