import type { Connection } from 'mysql2/promise';
import { LocalDate, todayInSeoul } from '../domain/calendar/local-date.js';
import { type DateRange, DEFAULT_DAYS_AHEAD, planEnsure, type PlannedPartition } from '../domain/settlement/settlement-partitions.js';
import type { SettlementWindow } from '../domain/settlement/settlement-window.js';
import type { Config } from '../infrastructure/config/config.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { createMySqlConnection } from '../infrastructure/mysql/mysql-pool.js';
import { MySqlSettlementPartitions } from '../infrastructure/mysql/mysql-settlement-partitions.js';

export { DEFAULT_DAYS_AHEAD };
/** How long produce waits for the table's metadata lock (held by the consumer's open transactions) before giving up. */
const PRODUCE_LOCK_WAIT_SECONDS = 10;

/** A paid-out window's rows were sold up to this many days before it (card payouts come a few business days after the sale). */
const PAID_OUT_LOOKBACK_DAYS = 14;

/**
 * The sold dates a window's rows carry (a paid-out window's reach back PAID_OUT_LOOKBACK_DAYS), and today through
 * DEFAULT_DAYS_AHEAD days ahead, so the daily cron always finds tomorrow's partition ready.
 */
export function partitionRangesForWindow(window: SettlementWindow, today: LocalDate): DateRange[] {
  const from = LocalDate.parse(window.from).addDays(window.dateType === 'paidOutDate' ? -PAID_OUT_LOOKBACK_DAYS : 0);
  const to = LocalDate.parse(window.to);
  return [
    { from, through: to },
    { from: today, through: (to.isAfter(today) ? to : today).addDays(DEFAULT_DAYS_AHEAD) },
  ];
}

/**
 * Before `settle produce` publishes a window: makes sure its sold dates (and DEFAULT_DAYS_AHEAD days past the
 * later of its end and today) have daily partitions, so the consumer's inserts land in them rather than in
 * p_future. One information_schema read when nothing is missing. Never fails the run: a table that is not
 * partitioned, or any error, is a warning (rows without a daily partition still land in p_future).
 */
export async function ensurePartitionsForWindow(
  config: Config,
  logger: Logger,
  window: SettlementWindow,
  now = new Date(),
): Promise<readonly PlannedPartition[]> {
  const log = logger.child({ component: 'settlement-partitions' });
  let conn: Connection | null = null;
  try {
    conn = await createMySqlConnection(config.mysql, { queryTimeoutMs: config.mysql.queryTimeoutMs });
    const partitions = new MySqlSettlementPartitions(conn, { lockWaitTimeoutSeconds: PRODUCE_LOCK_WAIT_SECONDS });
    const ranges = partitionRangesForWindow(window, todayInSeoul(now));
    const through = ranges[ranges.length - 1]?.through ?? todayInSeoul(now);
    const plan = (list: Awaited<ReturnType<typeof partitions.list>>) => planEnsure(list, ranges);
    const first = await partitions.list();
    if (first.length === 0) {
      log.warn('the settlements table is not partitioned (migration 0050 not applied): no daily partitions ensured');
      return [];
    }
    if (plan(first).add.length === 0) return [];
    const added = await partitions.exclusively(async () => {
      const todo = plan(await partitions.list()).add; // again under the lock: another run may have added them
      await partitions.add(todo);
      return todo;
    }, PRODUCE_LOCK_WAIT_SECONDS);
    if (added.length) log.info({ partitions: added.length, first: added[0]?.name, through: through.toString() }, 'added partitions to settlements');
    return added;
  } catch (error) {
    log.warn({ err: error }, 'could not ensure the daily partitions of settlements; publishing anyway (rows without a daily partition land in p_future)');
    return [];
  } finally {
    await conn?.end().catch(() => undefined);
  }
}
