import type { IngestOutcome } from '../../application/ingest/ingest-batch.js';

export interface ConsumeSummary {
  readonly group: string;
  readonly topic: string;
  readonly stoppedBy: 'signal' | 'idle';
  readonly batches: number;
  readonly records: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deadLettered: number;
  readonly retries: number;
  readonly durationMs: number;
  /** From the start of the first batch to the end of the last: the loading time, without group join or idling. */
  readonly busyMs: number;
  /** Records stored per second of busy time. */
  readonly rowsPerSecond: number;
  readonly peakRssMb: number;
  /** CPU time (user + system) of the whole process: with the database on the same cores, what it takes from them. */
  readonly cpuMs: number;
}

/** Running totals of one `settle consume` process. */
export class ConsumeTotals {
  batches = 0;
  records = 0;
  inserted = 0;
  updated = 0;
  unchanged = 0;
  deadLettered = 0;
  retries = 0;
  private firstStart: number | null = null;
  private lastEnd: number | null = null;

  add(outcome: IngestOutcome, startedAt: number, endedAt: number): void {
    this.batches += 1;
    this.records += outcome.records;
    this.inserted += outcome.inserted;
    this.updated += outcome.updated;
    this.unchanged += outcome.unchanged;
    this.deadLettered += outcome.deadLettered;
    this.retries += outcome.retries;
    this.firstStart = Math.min(this.firstStart ?? startedAt, startedAt);
    this.lastEnd = Math.max(this.lastEnd ?? endedAt, endedAt);
  }

  summary(meta: { group: string; topic: string; stoppedBy: 'signal' | 'idle'; durationMs: number }): ConsumeSummary {
    const usage = process.resourceUsage();
    const busyMs = this.firstStart === null || this.lastEnd === null ? 0 : this.lastEnd - this.firstStart;
    return {
      ...meta,
      batches: this.batches,
      records: this.records,
      inserted: this.inserted,
      updated: this.updated,
      unchanged: this.unchanged,
      deadLettered: this.deadLettered,
      retries: this.retries,
      durationMs: Math.round(meta.durationMs),
      busyMs: Math.round(busyMs),
      rowsPerSecond: busyMs > 0 ? Math.round((this.records * 1000) / busyMs) : 0,
      peakRssMb: Math.round(usage.maxRSS / 1024),
      cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    };
  }
}

export function formatSummary(s: ConsumeSummary): string {
  return (
    `consumed ${s.records} record(s) in ${s.batches} batch(es): inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, ` +
    `dead-lettered ${s.deadLettered}; ${(s.durationMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s (busy ${(s.busyMs / 1000).toFixed(1)} s), ` +
    `peak RSS ${s.peakRssMb} MB; stopped by ${s.stoppedBy}`
  );
}
