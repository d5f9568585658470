import { allRows, type SettlementPageReader } from '../../application/settlement/ports.js';
import type { ApiSnapshot } from '../../application/settlement/reconciliation-ports.js';
import type { ReconciledRow } from '../../domain/settlement/reconciliation.js';
import { windowDateOf, type SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { validateSettlement } from '../../domain/settlement/validate-settlement.js';

/**
 * The window as Toss returns it now, read page by page like the producer reads it and validated by the same
 * rules. A row on two pages (page boundaries shift while late cancels arrive) counts once.
 */
export class TossApiSnapshot implements ApiSnapshot {
  constructor(
    private readonly reader: SettlementPageReader,
    private readonly pageSize: number,
  ) {}

  async rowsOf(window: SettlementWindow, signal?: AbortSignal): Promise<{ rows: Map<string, ReconciledRow>; fetched: number; rejected: number }> {
    const rows = new Map<string, ReconciledRow>();
    let fetched = 0;
    let rejected = 0;
    for await (const page of this.reader.pages(window, 1, this.pageSize, signal)) {
      fetched += page.count;
      for (const raw of allRows(page)) {
        const v = validateSettlement(raw);
        if (!v.ok) {
          rejected += 1;
          continue;
        }
        const s = v.value;
        rows.set(s.transactionKey, { date: windowDateOf(s, window.dateType), amount: s.amount, fee: s.fee ?? 0, payOutAmount: s.payOutAmount });
      }
    }
    return { rows, fetched, rejected };
  }
}
