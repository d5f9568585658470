import { LedgerEntryType, type LedgerEntry } from './ledger-entry.js';

export type NewLedgerEntry = Omit<LedgerEntry, 'seq' | 'balanceAfter'>;

/**
 * Append-only: entries are frozen and no method changes or removes one; a cancel is a new negative entry.
 * The database enforces the same with triggers (migrations/0002_orders.sql).
 */
export class PaymentLedger {
  readonly #entries: LedgerEntry[];

  private constructor(entries: LedgerEntry[]) {
    this.#entries = entries;
  }

  static open(approval: NewLedgerEntry): PaymentLedger {
    if (approval.type !== LedgerEntryType.APPROVAL) throw new Error('a ledger opens with its approval');
    return new PaymentLedger([Object.freeze({ ...approval, seq: 1, balanceAfter: approval.amount })]);
  }

  /** Rebuilds a stored ledger, refusing one whose chain does not add up (a corrupt store is a bug, loudly). */
  static restore(entries: readonly LedgerEntry[]): PaymentLedger {
    let balance = 0;
    entries.forEach((e, i) => {
      balance += e.amount;
      const expectedType = i === 0 ? LedgerEntryType.APPROVAL : LedgerEntryType.CANCEL;
      if (e.seq !== i + 1 || e.type !== expectedType || e.balanceAfter !== balance) {
        throw new Error(`payment ledger is inconsistent at entry ${i + 1} (seq ${e.seq}, ${e.type}, balance ${e.balanceAfter} ≠ ${balance})`);
      }
    });
    if (entries.length === 0) throw new Error('payment ledger has no approval entry');
    return new PaymentLedger(entries.map((e) => Object.freeze({ ...e })));
  }

  get entries(): readonly LedgerEntry[] {
    return [...this.#entries];
  }

  get balance(): number {
    return this.#entries.at(-1)?.balanceAfter ?? 0;
  }

  get approval(): LedgerEntry {
    const first = this.#entries[0];
    if (!first) throw new Error('payment ledger has no approval entry');
    return first;
  }

  /** Callers (Payment) check the amount against the balance first; this only appends. */
  append(entry: NewLedgerEntry): LedgerEntry {
    const appended = Object.freeze({ ...entry, seq: this.#entries.length + 1, balanceAfter: this.balance + entry.amount });
    this.#entries.push(appended);
    return appended;
  }
}
