import type { Config } from '../src/infrastructure/config/config.js';
import { MySqlSettlementStore } from '../src/infrastructure/mysql/mysql-settlement-store.js';
import { createSettlementStorePool } from '../src/infrastructure/mysql/settlement-store-pool.js';
import { syntheticSettlement } from '../test/support/synthetic-settlements.js';

/**
 * The same rows through the same store (multi-row upsert + offset row in one transaction per batch), from
 * one process without Kafka: `concurrency` workers, each like one partition, `batchSize` rows per transaction.
 */
export async function rawBaseline(
  mysql: Config['mysql'],
  count: number,
  prefix: string,
  concurrency: number,
  batchSize: number,
): Promise<{ rows: number; ms: number }> {
  const pool = createSettlementStorePool(mysql, concurrency + 1);
  const store = new MySqlSettlementStore(pool);
  let next = 0;
  const t0 = performance.now();
  try {
    const worker = async (partition: number) => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + batchSize);
        next = to;
        const records = [];
        for (let i = from; i < to; i++) records.push({ settlement: syntheticSettlement(i, prefix), offset: i, timestamp: 1 });
        await store.applyBatch({ group: 'raw-baseline', topic: 'raw', partition, records, nextOffset: to });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, p) => worker(p)));
    return { rows: count, ms: performance.now() - t0 };
  } finally {
    await pool.end();
  }
}
