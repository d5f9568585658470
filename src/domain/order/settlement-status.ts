import { LedgerEntryType, type LedgerEntry } from './ledger-entry.js';

/**
 * Where a ledger entry (an approval or a cancel) stands against the settlements loaded from Toss, matched by
 * payment_key + transaction_key:
 *   REQUESTED  no settlements row yet, or its paid_out_date is still ahead (Toss has not paid it out);
 *   COMPLETED  an approval whose row's paid_out_date is today or earlier (Asia/Seoul): the money was paid out;
 *   CANCELED   a cancel whose (negative) row's paid_out_date is today or earlier: deducted from a payout.
 * `overdue` flags a REQUESTED entry whose expected settlement date has passed: what reconcile reports.
 */
export const SettlementStatus = { REQUESTED: 'REQUESTED', COMPLETED: 'COMPLETED', CANCELED: 'CANCELED' } as const;
export type SettlementStatus = (typeof SettlementStatus)[keyof typeof SettlementStatus];

/** The fields of a settlements row the link needs. */
export interface SettlementRowRef {
  readonly paymentKey: string;
  readonly transactionKey: string;
  readonly amount: number;
  readonly payOutAmount: number;
  readonly soldDate: string;
  readonly paidOutDate: string;
}

export interface EntrySettlement {
  readonly status: SettlementStatus;
  readonly overdue: boolean;
  readonly row: SettlementRowRef | null;
}

/** `today` is the Asia/Seoul date YYYY-MM-DD; ISO dates compare correctly as strings. */
export function settlementOf(entry: LedgerEntry, row: SettlementRowRef | null, today: string): EntrySettlement {
  if (row && row.paidOutDate <= today) {
    return { status: entry.type === LedgerEntryType.CANCEL ? SettlementStatus.CANCELED : SettlementStatus.COMPLETED, overdue: false, row };
  }
  return { status: SettlementStatus.REQUESTED, overdue: row === null && entry.expectedSettlementDate < today, row };
}
