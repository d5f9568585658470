import type { DeadLetter, DeadLetterSink, RecordDecoder, SettlementStore, StoreBatch, UpsertCounts } from '../../../src/application/ingest/ports.js';
import { isNewerRecord } from '../../../src/application/ingest/record-version.js';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import type { CodeOf } from '../../../src/domain/shared/error-codes.js';

export interface FakeRow {
  readonly settlement: Settlement;
  readonly timestamp: number;
  readonly offset: number;
}

/** SettlementStore in memory, with the same newer-record rule and the all-or-nothing batch of the real one. */
export class InMemorySettlementStore implements SettlementStore {
  readonly rows = new Map<string, FakeRow>();
  readonly offsets = new Map<string, number>();
  /** Errors thrown by the next applyBatch calls, one per call, before anything is written. */
  failures: unknown[] = [];
  calls = 0;

  async applyBatch(batch: StoreBatch): Promise<UpsertCounts> {
    this.calls += 1;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const staged = new Map(this.rows);
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    for (const r of batch.records) {
      const stored = staged.get(r.settlement.transactionKey);
      if (!stored) counts.inserted += 1;
      else if (isNewerRecord(r, stored)) counts.updated += 1;
      else {
        counts.unchanged += 1;
        continue;
      }
      staged.set(r.settlement.transactionKey, { settlement: r.settlement, timestamp: r.timestamp, offset: r.offset });
    }
    for (const [k, v] of staged) this.rows.set(k, v);
    const key = `${batch.group}/${batch.topic}/${batch.partition}`;
    this.offsets.set(key, Math.max(this.offsets.get(key) ?? 0, batch.nextOffset));
    return counts;
  }

  async storedOffsets(group: string, topic: string): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const [k, v] of this.offsets) {
      const [g, t, p] = k.split('/');
      if (g === group && t === topic) out.set(Number(p), v);
    }
    return out;
  }
}

export class RecordingDeadLetterSink implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  failures: unknown[] = [];
  async send(letters: readonly DeadLetter[]): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.letters.push(...letters);
  }
}

/** Values are JSON; "garbage" fails like undecodable Avro; `failures` simulate a registry outage. */
export class JsonDecoder implements RecordDecoder {
  failures: unknown[] = [];
  /** JSON of a Settlement, as the tests write it (the Avro decoder's types are the test's to keep). */
  async decode(value: Buffer): Promise<Settlement> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const text = value.toString('utf8');
    if (text === 'garbage') throw new SettleError('NOT_CONFLUENT_WIRE_FORMAT', 'record value is not Confluent wire format');
    return JSON.parse(text) as Settlement;
  }
}

export const transient = (code: CodeOf<'transient'> = 'MYSQL_ER_LOCK_WAIT_TIMEOUT') => new SettleError(code, 'Lock wait timeout exceeded');
