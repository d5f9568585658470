import type { PaymentOperation } from './payment-operation.js';

/** Queries that compare our payment ledger with the loaded Toss settlements rows, and what Toss has not undone. */
export interface PaymentReconciliationSource {
  /** Ledger entries whose expected settlement date is in [from, to] and before `today`, with no settlements row. */
  unsettledEntries(from: string, to: string, today: string): Promise<UnsettledEntry[]>;
  /** Settlements rows paid out in [from, to] whose payment, or whose transaction, our ledger does not know. */
  unknownSettlements(from: string, to: string): Promise<UnknownSettlement[]>;
  /** VOID operations not DONE (FAILED or PENDING), whatever their dates, oldest first. */
  unfinishedVoids(): Promise<PaymentOperation[]>;
}

export interface UnsettledEntry {
  readonly orderId: string;
  readonly paymentKey: string;
  readonly transactionKey: string;
  readonly type: string;
  readonly amount: number;
  readonly occurredAt: string;
  readonly expectedSettlementDate: string;
}

export interface UnknownSettlement {
  readonly paymentKey: string;
  readonly transactionKey: string;
  readonly orderId: string;
  readonly amount: number;
  readonly soldDate: string;
  readonly paidOutDate: string;
  /** NO_PAYMENT: the paymentKey is not ours at all; NO_LEDGER_ENTRY: the payment is, this transaction is not. */
  readonly reason: 'NO_PAYMENT' | 'NO_LEDGER_ENTRY';
}
