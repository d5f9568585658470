import { isPositiveKrw } from './krw.js';
import { LedgerEntryType, type LedgerEntry } from './ledger-entry.js';
import { CancelExceedsBalance, FullCancelAmountMismatch, InvalidCancelAmount, InvalidPaymentKey, PartialCancelNotSupported } from './order-rule-violations.js';
import { PaymentLedger } from './payment-ledger.js';
import type { SettlementDateCalculator } from './settlement-date-calculator.js';
import type { TransactionType, TransactionTypeSnapshot } from './transaction-type.js';
import { restoreTransactionType } from './transaction-types.js';

/** Toss's names for the same three states. */
export const PaymentStatus = { DONE: 'DONE', PARTIAL_CANCELED: 'PARTIAL_CANCELED', CANCELED: 'CANCELED' } as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

export interface PaymentSnapshot {
  readonly paymentKey: string;
  readonly orderId: string;
  readonly method: TransactionTypeSnapshot;
  readonly ledger: readonly LedgerEntry[];
}

export interface PaymentCancel {
  readonly amount: number;
  readonly full: boolean;
  readonly reason: string;
  readonly canceledAt: string;
  readonly transactionKey: string;
  readonly cancelRequestSeq: number;
}

/** One approved payment of an order, with its ledger. Created by Order.pay, which checks the order's rules. */
export class Payment {
  private constructor(
    readonly paymentKey: string,
    readonly orderId: string,
    readonly method: TransactionType,
    private readonly ledger: PaymentLedger,
  ) {}

  /** Toss's paymentKey: ≤ 200 characters; visible ASCII, since it travels in URLs and our Idempotency-Key header. */
  static checkPaymentKey(paymentKey: string): void {
    if (!/^[\x21-\x7e]{1,200}$/.test(paymentKey)) throw new InvalidPaymentKey(paymentKey);
  }

  static approve(
    a: { paymentKey: string; orderId: string; amount: number; method: TransactionType; approvedAt: string; transactionKey: string },
    calculator: SettlementDateCalculator,
  ): Payment {
    Payment.checkPaymentKey(a.paymentKey);
    const ledger = PaymentLedger.open({
      type: LedgerEntryType.APPROVAL,
      amount: a.amount,
      transactionKey: a.transactionKey,
      occurredAt: a.approvedAt,
      expectedSettlementDate: calculator.expectedSettlementDate(a.approvedAt),
      cancelRequestSeq: null,
      reason: null,
    });
    return new Payment(a.paymentKey, a.orderId, a.method, ledger);
  }

  static restore(s: PaymentSnapshot): Payment {
    return new Payment(s.paymentKey, s.orderId, restoreTransactionType(s.method), PaymentLedger.restore(s.ledger));
  }

  get totalAmount(): number {
    return this.ledger.approval.amount;
  }

  get approvedAt(): string {
    return this.ledger.approval.occurredAt;
  }

  get balance(): number {
    return this.ledger.balance;
  }

  get entries(): readonly LedgerEntry[] {
    return this.ledger.entries;
  }

  get status(): PaymentStatus {
    if (this.balance === 0) return PaymentStatus.CANCELED;
    return this.balance < this.totalAmount ? PaymentStatus.PARTIAL_CANCELED : PaymentStatus.DONE;
  }

  /** The rules of a cancel, checked before Toss is asked and again when the cancel is recorded. */
  checkCancel(amount: number, full: boolean): void {
    if (!isPositiveKrw(amount)) throw new InvalidCancelAmount(amount);
    if (amount > this.balance) throw new CancelExceedsBalance(this.paymentKey, amount, this.balance);
    if (full && amount !== this.balance) throw new FullCancelAmountMismatch(this.paymentKey, amount, this.balance);
    if (!full && !this.method.supportsPartialCancel) throw new PartialCancelNotSupported(this.paymentKey, this.method.kind);
  }

  cancel(c: PaymentCancel, calculator: SettlementDateCalculator): LedgerEntry {
    this.checkCancel(c.amount, c.full);
    return this.ledger.append({
      type: LedgerEntryType.CANCEL,
      amount: -c.amount,
      transactionKey: c.transactionKey,
      occurredAt: c.canceledAt,
      expectedSettlementDate: calculator.expectedSettlementDate(c.canceledAt),
      cancelRequestSeq: c.cancelRequestSeq,
      reason: c.reason,
    });
  }

  toSnapshot(): PaymentSnapshot {
    return { paymentKey: this.paymentKey, orderId: this.orderId, method: this.method.toSnapshot(), ledger: this.ledger.entries };
  }
}
