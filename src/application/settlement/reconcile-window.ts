import { reconcile, withinDates, type Reconciliation } from '../../domain/settlement/reconciliation.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import type { Clock, Log } from '../shared/log.js';
import type { ApiSnapshot, KafkaSnapshot, PublishingExecution, PublishingExecutions, ReconciliationLog, StoreSnapshot } from './reconciliation-ports.js';

export interface ReconcileWindowDeps {
  readonly api: ApiSnapshot;
  readonly executions: PublishingExecutions;
  readonly kafka: KafkaSnapshot;
  readonly store: StoreSnapshot;
  readonly reconciliations: ReconciliationLog;
  readonly clock: Clock;
  readonly log: Log;
}

export interface ReconcileReport {
  readonly runId: number;
  readonly window: SettlementWindow;
  readonly executions: readonly PublishingExecution[];
  readonly api: { readonly fetched: number; readonly rejected: number };
  readonly kafkaRecords: number;
  readonly result: Reconciliation;
}

/**
 * `settle reconcile`: proves API = Kafka = MySQL for a window, or names the keys that differ. Rows Toss sends
 * that the processor refuses are counted, not compared (they were published to the rejects topic instead).
 * Every side is cut to the window's dates, so an overlapping larger window's records compare too.
 */
export class ReconcileWindow {
  constructor(private readonly deps: ReconcileWindowDeps) {}

  async run(window: SettlementWindow, signal?: AbortSignal): Promise<ReconcileReport> {
    const { api, executions, kafka, store, reconciliations, clock, log } = this.deps;
    const startedAt = clock.now();
    const publishers = await executions.of(window);
    const [fromApi, fromKafka, fromStore] = await Promise.all([
      api.rowsOf(window, signal),
      kafka.publishedBy(publishers, window, signal),
      store.rowsOf(window),
    ]);
    const cut = (rows: Parameters<typeof withinDates>[0]) => withinDates(rows, window.from, window.to);
    const result = reconcile({ api: cut(fromApi.rows), kafka: cut(fromKafka.rows), mysql: cut(fromStore) });
    const executionIds = publishers.map((e) => e.id);
    const runId = await reconciliations.record({ window, executionIds, apiRejected: fromApi.rejected, result, startedAt, endedAt: clock.now() });
    log.info(
      { runId, window, executionIds, status: result.status, api: result.total.api.rows, kafka: result.total.kafka.rows, mysql: result.total.mysql.rows },
      'reconciled',
    );
    return { runId, window, executions: publishers, api: { fetched: fromApi.fetched, rejected: fromApi.rejected }, kafkaRecords: fromKafka.records, result };
  }
}
