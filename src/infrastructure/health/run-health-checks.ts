import type { Env } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { BUFFER_POOL_CHECK, checkBufferPool } from './buffer-pool-check.js';
import { checkCalendar } from './calendar-check.js';
import { checkConfig } from './config-check.js';
import { skipped, withDeadline, type CheckResult } from './health-check.js';
import { checkKafka } from './kafka-check.js';
import { checkMySql } from './mysql-check.js';
import { checkRegistry } from './registry-check.js';
import { checkToss } from './toss-check.js';

export interface HealthCheckOptions {
  /** Per service: connect and answer within this, so a stopped service is reported in seconds. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

/**
 * Configuration first, then Toss, Kafka, the registry, MySQL and the holiday calendar at once; results in that order.
 * With EXPECTED_ROWS_PER_DAY, the buffer pool check follows MySQL's (once it passed), right after it.
 */
export async function runHealthChecks(env: Env, options: HealthCheckOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  // a hung check (a black-holed host) still ends: each one gets its own timeout plus a margin
  const deadline = timeoutMs * 2 + 2_000;
  const { result, config, usable } = checkConfig(env);
  const notConfigured = (name: string, vars: string) => skipped(name, `not checked: ${vars} missing or invalid (see configuration)`);
  const mysqlCheck =
    config && usable.has('mysql')
      ? withDeadline('mysql', deadline, () => checkMySql(config.mysql, timeoutMs), 'start MySQL or correct MYSQL_URL')
      : Promise.resolve(notConfigured('mysql', 'MYSQL_URL'));
  const rowsPerDay = config?.capacity.expectedRowsPerDay ?? null;
  const withBufferPool = async (mysql: CheckResult, rows: number): Promise<CheckResult[]> => [
    mysql,
    config && mysql.ok
      ? await withDeadline(BUFFER_POOL_CHECK, deadline, () => checkBufferPool(config.mysql, rows, timeoutMs), 'start MySQL or correct MYSQL_URL')
      : skipped(BUFFER_POOL_CHECK, 'not checked: the mysql check did not pass'),
  ];
  const checks: Array<Promise<CheckResult | CheckResult[]>> = [
    config && usable.has('toss')
      ? withDeadline('toss', deadline, () => checkToss(config.toss, options.logger, timeoutMs + 2_000), 'check TOSS_API_BASE_URL and the network path to Toss')
      : Promise.resolve(notConfigured('toss', 'TOSS_*')),
    config && usable.has('kafka')
      ? withDeadline('kafka', deadline, () => checkKafka(config.kafka, timeoutMs), 'start the broker or correct KAFKA_BROKERS')
      : Promise.resolve(notConfigured('kafka', 'KAFKA_* or SETTLEMENT_TOPIC')),
    config && usable.has('registry')
      ? withDeadline(
          'registry',
          deadline,
          () => checkRegistry(config.registry, config.kafka.topic, timeoutMs),
          'start the registry or correct SCHEMA_REGISTRY_URL',
        )
      : Promise.resolve(notConfigured('registry', 'SCHEMA_REGISTRY_* or SETTLEMENT_TOPIC')),
    rowsPerDay === null ? mysqlCheck : mysqlCheck.then((mysql) => withBufferPool(mysql, rowsPerDay)),
    withDeadline(
      'calendar',
      deadline,
      () => checkCalendar(config?.calendar.overridesFile ?? env.HOLIDAY_OVERRIDES_FILE ?? null),
      'check the holiday overrides file (HOLIDAY_OVERRIDES_FILE) is readable',
    ),
  ];
  return [result, ...(await Promise.all(checks)).flat()];
}
