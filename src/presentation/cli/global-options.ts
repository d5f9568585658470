import type { Command } from 'commander';
import { usage } from './flag-parsers.js';

/** Flags that override environment variables; each maps to the env name it overrides. */
export const GLOBAL_FLAG_TO_ENV = {
  tossBaseUrl: 'TOSS_API_BASE_URL',
  brokers: 'KAFKA_BROKERS',
  registryUrl: 'SCHEMA_REGISTRY_URL',
  mysqlUrl: 'MYSQL_URL',
  topic: 'SETTLEMENT_TOPIC',
  logLevel: 'LOG_LEVEL',
} as const;

/**
 * A URL flag must not carry a password: arguments are readable by every user of the machine (ps,
 * /proc/<pid>/cmdline), end up in shell history and pod specs. Passwords come from the environment only.
 */
const noPassword =
  (flag: string, variable: string) =>
  (value: string): string => {
    if (URL.canParse(value) && new URL(value).password !== '')
      throw usage(
        'SECRET_IN_ARGUMENT',
        `${flag} carries a password, and command-line arguments are visible to every user of the machine (ps, /proc/<pid>/cmdline) and kept in shell history: set ${variable} in the environment instead (and change that password)`,
      );
    return value;
  };

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--toss-base-url <url>', 'Toss API base URL (env TOSS_API_BASE_URL)', noPassword('--toss-base-url', 'TOSS_API_BASE_URL'))
    .option('--brokers <list>', 'Kafka brokers host:port,... (env KAFKA_BROKERS)')
    .option('--registry-url <url>', 'schema registry URL, without credentials (env SCHEMA_REGISTRY_URL)', noPassword('--registry-url', 'SCHEMA_REGISTRY_URL'))
    .option('--mysql-url <url>', 'mysql://user@host:port/db, no password: that goes in MYSQL_URL (env MYSQL_URL)', noPassword('--mysql-url', 'MYSQL_URL'))
    .option('--topic <name>', 'settlements topic (env SETTLEMENT_TOPIC)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)');
}

export function globalOverrides(command: Command): Record<string, string | undefined> {
  const opts = command.optsWithGlobals<Record<string, string | undefined>>();
  const overrides: Record<string, string | undefined> = {};
  for (const [flag, env] of Object.entries(GLOBAL_FLAG_TO_ENV)) if (opts[flag] !== undefined) overrides[env] = opts[flag];
  return overrides;
}
