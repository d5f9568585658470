import type { Settlement } from './settlement.js';

/** What MySQL holds of a row, enough to tell whether a re-fetched row would change it. */
export interface StoredSettlementFacts {
  readonly method: string;
  readonly amount: number;
  readonly fee: number | null;
  readonly supplyAmount: number;
  readonly vat: number;
  readonly payOutAmount: number;
  readonly soldDate: string;
  readonly paidOutDate: string;
}

export type SettlementChange = 'new' | 'changed' | 'same';

export interface ChangeCounts {
  readonly new: number;
  readonly changed: number;
  readonly same: number;
}

/** A re-fetched row against the stored one: new if absent, changed if any money, date or method differs. */
export function classifyChange(row: Settlement, stored: StoredSettlementFacts | undefined): SettlementChange {
  if (!stored) return 'new';
  const same =
    stored.method === row.method &&
    stored.amount === row.amount &&
    stored.fee === row.fee &&
    stored.supplyAmount === row.supplyAmount &&
    stored.vat === row.vat &&
    stored.payOutAmount === row.payOutAmount &&
    stored.soldDate === row.soldDate &&
    stored.paidOutDate === row.paidOutDate;
  return same ? 'same' : 'changed';
}
