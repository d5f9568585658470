export const LedgerEntryType = { APPROVAL: 'APPROVAL', CANCEL: 'CANCEL' } as const;
export type LedgerEntryType = (typeof LedgerEntryType)[keyof typeof LedgerEntryType];

/**
 * One line of a payment's ledger: the approval, then each cancel. Amounts are signed like Toss's settlement
 * rows (approval +, cancel −) so the balance is their running sum.
 */
export interface LedgerEntry {
  /** 1 for the approval, then 2, 3, ... */
  readonly seq: number;
  readonly type: LedgerEntryType;
  readonly amount: number;
  readonly balanceAfter: number;
  /** Toss's transactionKey of this approval or cancel: how a settlements row is matched to it. */
  readonly transactionKey: string;
  /** UTC instant (ISO-8601) of the approval or cancel. */
  readonly occurredAt: string;
  /** YYYY-MM-DD, from the SettlementDateCalculator when the entry was written. */
  readonly expectedSettlementDate: string;
  readonly cancelRequestSeq: number | null;
  readonly reason: string | null;
}
