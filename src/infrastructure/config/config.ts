import { z } from 'zod';
import { DEFAULT_MAX_PAGES } from '../../domain/batch/runaway-page-guard.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { Secret, redactUrl } from './secret.js';

/**
 * All configuration comes from the environment (names in ARCHITECTURE.md), flags override it, and it is
 * validated in one pass so the operator sees every problem at once. Commands say which sections they need.
 */
export type ConfigSection = 'toss' | 'kafka' | 'registry' | 'mysql';

export interface Config {
  readonly toss: { readonly baseUrl: string; readonly secretKey: Secret; readonly timeoutMs: number; readonly pageSize: number; readonly concurrency: number; readonly maxRetries: number; readonly maxPages: number };
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string; readonly topic: string; readonly partitions: number; readonly ssl: boolean; readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: Secret } | null };
  readonly registry: { readonly url: string; readonly username: string | null; readonly password: Secret | null };
  readonly mysql: { readonly url: Secret; readonly displayUrl: string; readonly poolSize: number };
  readonly consumer: { readonly groupId: string; readonly concurrency: number; readonly metricsHost: string; readonly metricsPort: number; readonly shutdownTimeoutMs: number; readonly maxDbRetries: number };
  readonly calendar: { readonly payoutDelayBusinessDays: number; readonly overridesFile: string | null };
  readonly jobs: { readonly heartbeatTimeoutMs: number };
  readonly logLevel: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

const int = (name: string, min: number, max: number) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(min, `${name} must be ≥ ${min}`).max(max, `${name} must be ≤ ${max}`);

const url = (name: string, protocols: readonly string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const schema = z.object({
  TOSS_API_BASE_URL: url('TOSS_API_BASE_URL', ['https:', 'http:']).default('https://api.tosspayments.com'),
  TOSS_SECRET_KEY: z.string().optional(),
  TOSS_TIMEOUT_MS: int('TOSS_TIMEOUT_MS', 1, 600_000).default(60_000),
  TOSS_PAGE_SIZE: int('TOSS_PAGE_SIZE', 1, 5000).default(5000),
  TOSS_CONCURRENCY: int('TOSS_CONCURRENCY', 1, 64).default(4),
  TOSS_MAX_RETRIES: int('TOSS_MAX_RETRIES', 0, 100).default(8),
  TOSS_MAX_PAGES: int('TOSS_MAX_PAGES', 1, 1_000_000).default(DEFAULT_MAX_PAGES),
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('settle'),
  KAFKA_SSL: z.enum(['true', 'false'], { error: 'KAFKA_SSL must be true or false' }).default('false'),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512' }).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  SETTLEMENT_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'SETTLEMENT_TOPIC must be 1-200 characters of letters, digits, ".", "_" or "-"').default('toss.settlements.v1'),
  SETTLEMENT_TOPIC_PARTITIONS: int('SETTLEMENT_TOPIC_PARTITIONS', 1, 1000).default(6),
  SCHEMA_REGISTRY_URL: z.string().optional(),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  MYSQL_URL: z.string().optional(),
  MYSQL_POOL_SIZE: int('MYSQL_POOL_SIZE', 1, 200).default(8),
  CONSUMER_GROUP: z.string().min(1).default('settlement-loader'),
  CONSUMER_CONCURRENCY: int('CONSUMER_CONCURRENCY', 1, 64).default(3),
  CONSUMER_MAX_DB_RETRIES: int('CONSUMER_MAX_DB_RETRIES', 0, 1000).default(10),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 1000, 600_000).default(30_000),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: int('METRICS_PORT', 0, 65535).default(9464),
  PAYOUT_DELAY_BUSINESS_DAYS: int('PAYOUT_DELAY_BUSINESS_DAYS', 0, 30).default(3),
  HOLIDAY_OVERRIDES_FILE: z.string().optional(),
  JOB_HEARTBEAT_TIMEOUT_MS: int('JOB_HEARTBEAT_TIMEOUT_MS', 15_000, 86_400_000).default(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
});

const blank = (v: string | undefined): v is undefined => v === undefined || v.trim() === '';

/** Parse and validate; throws one usage error listing every problem. `env` is a plain object in tests. */
export function loadConfig(env: Env, needs: readonly ConfigSection[] = []): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => !blank(v)));
  const parsed = schema.safeParse(cleaned);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((i) => i.message.includes(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`);
  const e = parsed.success ? parsed.data : undefined;

  const need = (section: ConfigSection, name: string, value: string | undefined, hint: string) => {
    if (needs.includes(section) && blank(value)) problems.push(`${name} is required (${hint})`);
  };
  need('toss', 'TOSS_SECRET_KEY', env.TOSS_SECRET_KEY, 'the Toss secret key, test_sk_… or live_sk_…');
  need('kafka', 'KAFKA_BROKERS', env.KAFKA_BROKERS, 'comma-separated host:port list, e.g. 127.0.0.1:9092');
  need('registry', 'SCHEMA_REGISTRY_URL', env.SCHEMA_REGISTRY_URL, 'e.g. http://127.0.0.1:8081/apis/ccompat/v7');
  need('mysql', 'MYSQL_URL', env.MYSQL_URL, 'mysql://user:pass@host:port/db');

  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^\s:]+:\d{1,5}$/.test(b)) problems.push(`KAFKA_BROKERS: "${b}" is not host:port`);
  if (!blank(env.SCHEMA_REGISTRY_URL) && !/^https?:\/\/\S+$/.test(env.SCHEMA_REGISTRY_URL)) problems.push('SCHEMA_REGISTRY_URL must be an http:// or https:// URL');
  if (!blank(env.MYSQL_URL)) {
    try {
      const u = new URL(env.MYSQL_URL);
      if (u.protocol !== 'mysql:') problems.push('MYSQL_URL must start with mysql://');
      else if (u.pathname.length <= 1) problems.push('MYSQL_URL must name a database: mysql://user:pass@host:port/db');
    } catch {
      problems.push('MYSQL_URL is not a URL (expected mysql://user:pass@host:port/db)');
    }
  }
  if (!blank(env.KAFKA_SASL_MECHANISM) && (blank(env.KAFKA_SASL_USERNAME) || blank(env.KAFKA_SASL_PASSWORD)))
    problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set');
  if (!blank(env.TOSS_SECRET_KEY) && !/^(test|live)_(g?sk)_/.test(env.TOSS_SECRET_KEY))
    problems.push('TOSS_SECRET_KEY must be a secret key starting with test_sk_, live_sk_, test_gsk_ or live_gsk_');

  if (problems.length > 0 || !e) {
    throw new SettleError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { category: 'usage', details: { problems } });
  }

  return {
    toss: { baseUrl: e.TOSS_API_BASE_URL.replace(/\/+$/, ''), secretKey: new Secret(e.TOSS_SECRET_KEY ?? ''), timeoutMs: e.TOSS_TIMEOUT_MS, pageSize: e.TOSS_PAGE_SIZE, concurrency: e.TOSS_CONCURRENCY, maxRetries: e.TOSS_MAX_RETRIES, maxPages: e.TOSS_MAX_PAGES },
    kafka: {
      brokers,
      clientId: e.KAFKA_CLIENT_ID,
      topic: e.SETTLEMENT_TOPIC,
      partitions: e.SETTLEMENT_TOPIC_PARTITIONS,
      ssl: e.KAFKA_SSL === 'true',
      sasl: e.KAFKA_SASL_MECHANISM ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME ?? '', password: new Secret(e.KAFKA_SASL_PASSWORD ?? '') } : null,
    },
    registry: { url: (e.SCHEMA_REGISTRY_URL ?? '').replace(/\/+$/, ''), username: e.SCHEMA_REGISTRY_USERNAME ?? null, password: e.SCHEMA_REGISTRY_PASSWORD ? new Secret(e.SCHEMA_REGISTRY_PASSWORD) : null },
    mysql: { url: new Secret(e.MYSQL_URL ?? ''), displayUrl: e.MYSQL_URL ? redactUrl(e.MYSQL_URL) : '', poolSize: e.MYSQL_POOL_SIZE },
    consumer: { groupId: e.CONSUMER_GROUP, concurrency: e.CONSUMER_CONCURRENCY, metricsHost: e.METRICS_HOST, metricsPort: e.METRICS_PORT, shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS, maxDbRetries: e.CONSUMER_MAX_DB_RETRIES },
    calendar: { payoutDelayBusinessDays: e.PAYOUT_DELAY_BUSINESS_DAYS, overridesFile: e.HOLIDAY_OVERRIDES_FILE ?? null },
    jobs: { heartbeatTimeoutMs: e.JOB_HEARTBEAT_TIMEOUT_MS },
    logLevel: e.LOG_LEVEL,
  };
}
