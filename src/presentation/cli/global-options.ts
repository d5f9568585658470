import type { Command } from 'commander';

/** Flags that override environment variables; each maps to the env name it overrides. */
export const GLOBAL_FLAG_TO_ENV = {
  tossBaseUrl: 'TOSS_API_BASE_URL',
  brokers: 'KAFKA_BROKERS',
  registryUrl: 'SCHEMA_REGISTRY_URL',
  mysqlUrl: 'MYSQL_URL',
  topic: 'SETTLEMENT_TOPIC',
  logLevel: 'LOG_LEVEL',
} as const;

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--toss-base-url <url>', 'Toss API base URL (env TOSS_API_BASE_URL)')
    .option('--brokers <list>', 'Kafka brokers host:port,... (env KAFKA_BROKERS)')
    .option('--registry-url <url>', 'schema registry URL (env SCHEMA_REGISTRY_URL)')
    .option('--mysql-url <url>', 'mysql://user:pass@host:port/db (env MYSQL_URL)')
    .option('--topic <name>', 'settlements topic (env SETTLEMENT_TOPIC)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)');
}

export function globalOverrides(command: Command): Record<string, string | undefined> {
  const opts = command.optsWithGlobals<Record<string, string | undefined>>();
  const overrides: Record<string, string | undefined> = {};
  for (const [flag, env] of Object.entries(GLOBAL_FLAG_TO_ENV)) if (opts[flag] !== undefined) overrides[env] = opts[flag];
  return overrides;
}
