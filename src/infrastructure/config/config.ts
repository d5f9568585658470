import { z } from 'zod';
import { DEFAULT_MAX_ROWS_PER_DAY, MAX_PAGES_OVERRIDE } from '../../domain/batch/runaway-page-guard.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { Secret, redactUrl } from './secret.js';
import { readCaFile } from './tls-files.js';

/**
 * All configuration comes from the environment (names and defaults in docs/configuration.md), flags override it, and it is
 * validated in one pass so the operator sees every problem at once. Commands say which sections they need.
 */
export type ConfigSection = 'toss' | 'kafka' | 'registry' | 'mysql';

export interface Config {
  readonly toss: {
    readonly baseUrl: string;
    readonly secretKey: Secret;
    readonly timeoutMs: number;
    readonly pageSize: number;
    readonly concurrency: number;
    readonly maxRetries: number;
    /** TOSS_MAX_PAGES, an explicit page limit; null: derived from maxRowsPerDay (TOSS_MAX_ROWS_PER_DAY), see domain/batch/runaway-page-guard.ts. */
    readonly maxPages: number | null;
    readonly maxRowsPerDay: number;
  };
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly topic: string;
    readonly partitions: number;
    readonly ssl: boolean;
    readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: Secret } | null;
  };
  readonly registry: { readonly url: string; readonly username: string | null; readonly password: Secret | null };
  readonly mysql: {
    readonly url: Secret;
    readonly displayUrl: string;
    readonly poolSize: number;
    readonly tls: MySqlTls | null;
    readonly queryTimeoutMs: number;
  };
  readonly consumer: {
    readonly groupId: string;
    readonly concurrency: number;
    readonly replicas: number | null;
    readonly metricsHost: string;
    readonly metricsPort: number;
    readonly maxDbRetries: number;
    readonly sessionTimeoutMs: number;
    readonly rebalanceTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
    readonly requestTimeoutMs: number;
    readonly loadData: boolean;
  };
  readonly calendar: { readonly payoutDelayBusinessDays: number; readonly overridesFile: string | null };
  readonly jobs: { readonly heartbeatTimeoutMs: number };
  /** SHUTDOWN_TIMEOUT_MS: from SIGTERM/SIGINT to the exit of `consume`, `produce` and `replay` (presentation/shutdown). */
  readonly shutdownTimeoutMs: number;
  /** EXPECTED_ROWS_PER_DAY: the day the database is sized for (`settle doctor` checks the buffer pool against it); null = not stated. */
  readonly capacity: { readonly expectedRowsPerDay: number | null };
  /** PUSHGATEWAY_URL: where `produce` and `reconcile` push their last run; null = no push. Checked when pushed (a bad URL warns, never fails the run). */
  readonly pushgatewayUrl: string | null;
  readonly logLevel: string;
}

/** MYSQL_SSL: the chain is always verified (MYSQL_SSL_CA, else Node's CAs); `verifyServerName` is false for verify-ca. */
export interface MySqlTls {
  readonly ca: string | null;
  readonly verifyServerName: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be ≥ ${min}`)
    .max(max, `${name} must be ≤ ${max}`);

const url = (name: string, protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

// a session timeout the broker accepts: its group.min.session.timeout.ms and group.max.session.timeout.ms defaults
const sessionTimeout = (name: string) => {
  const range = `${name} must be between 6000 and 1800000 ms (the broker's default group.min.session.timeout.ms and group.max.session.timeout.ms)`;
  return z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(6_000, range)
    .max(1_800_000, range);
};

const schema = z.object({
  TOSS_API_BASE_URL: url('TOSS_API_BASE_URL', ['https:', 'http:']).default('https://api.tosspayments.com'),
  TOSS_SECRET_KEY: z.string().optional(),
  TOSS_TIMEOUT_MS: int('TOSS_TIMEOUT_MS', 1, 600_000).default(60_000),
  TOSS_PAGE_SIZE: int('TOSS_PAGE_SIZE', 1, 5000).default(5000),
  TOSS_CONCURRENCY: int('TOSS_CONCURRENCY', 1, 64).default(4),
  TOSS_MAX_RETRIES: int('TOSS_MAX_RETRIES', 0, 100).default(8),
  // unset: the page limit is derived, ceil(TOSS_MAX_ROWS_PER_DAY × days of the window ÷ TOSS_PAGE_SIZE); set, it overrides that
  TOSS_MAX_PAGES: int('TOSS_MAX_PAGES', 1, MAX_PAGES_OVERRIDE).optional(),
  TOSS_MAX_ROWS_PER_DAY: int('TOSS_MAX_ROWS_PER_DAY', 1, 1_000_000_000_000).default(DEFAULT_MAX_ROWS_PER_DAY),
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('settle'),
  KAFKA_SSL: z.enum(['true', 'false'], { error: 'KAFKA_SSL must be true or false' }).default('false'),
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512' })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  SETTLEMENT_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'SETTLEMENT_TOPIC must be 1-200 characters of letters, digits, ".", "_" or "-"')
    .default('toss.settlements.v1'),
  SETTLEMENT_TOPIC_PARTITIONS: int('SETTLEMENT_TOPIC_PARTITIONS', 1, 1000).default(6),
  SCHEMA_REGISTRY_URL: z.string().optional(),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  MYSQL_URL: z.string().optional(),
  MYSQL_POOL_SIZE: int('MYSQL_POOL_SIZE', 1, 200).default(8),
  // longer than a row-lock wait (innodb_lock_wait_timeout, 50 s by default): a statement waiting on a lock is not stalled
  MYSQL_QUERY_TIMEOUT_MS: int('MYSQL_QUERY_TIMEOUT_MS', 1_000, 3_600_000).default(60_000),
  MYSQL_SSL: z.enum(['false', 'true', 'verify-ca'], { error: 'MYSQL_SSL must be false, true or verify-ca' }).default('false'),
  MYSQL_SSL_CA: z.string().optional(),
  // rows of the largest settlement day; `settle doctor` warns when innodb_buffer_pool_size cannot hold its indexes (unset: no check)
  EXPECTED_ROWS_PER_DAY: int('EXPECTED_ROWS_PER_DAY', 1, 1_000_000_000_000).optional(),
  CONSUMER_GROUP: z.string().min(1).default('settlement-loader'),
  CONSUMER_CONCURRENCY: int('CONSUMER_CONCURRENCY', 1, 64).default(3),
  // how many consumer processes (Deployment replicas) share CONSUMER_GROUP; `settle kafka init` warns when the topic has fewer partitions
  CONSUMER_REPLICAS: int('CONSUMER_REPLICAS', 1, 1000).optional(),
  CONSUMER_MAX_DB_RETRIES: int('CONSUMER_MAX_DB_RETRIES', 0, 1000).default(10),
  CONSUMER_SESSION_TIMEOUT_MS: sessionTimeout('CONSUMER_SESSION_TIMEOUT_MS').default(10_000),
  CONSUMER_REBALANCE_TIMEOUT_MS: int('CONSUMER_REBALANCE_TIMEOUT_MS', 6_000, 3_600_000).default(30_000),
  CONSUMER_HEARTBEAT_INTERVAL_MS: int('CONSUMER_HEARTBEAT_INTERVAL_MS', 100, 600_000).default(3_000),
  // how long the consumer's Kafka requests may go unanswered; one that does not closes its connection (a stalled or half-open path is replaced)
  CONSUMER_REQUEST_TIMEOUT_MS: int('CONSUMER_REQUEST_TIMEOUT_MS', 5_000, 300_000).default(30_000),
  // rows by LOAD DATA LOCAL INFILE when the server's local_infile is on (the upsert only for rows already stored); false: the upsert for every row
  CONSUMER_LOAD_DATA: z.enum(['true', 'false'], { error: 'CONSUMER_LOAD_DATA must be true or false' }).default('true'),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 1000, 600_000).default(30_000),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: int('METRICS_PORT', 0, 65535).default(9464),
  PAYOUT_DELAY_BUSINESS_DAYS: int('PAYOUT_DELAY_BUSINESS_DAYS', 0, 30).default(3),
  HOLIDAY_OVERRIDES_FILE: z.string().optional(),
  // not validated here: a URL the push cannot use is a warning at push time (infrastructure/metrics/pushgateway.ts), never a failed run
  PUSHGATEWAY_URL: z.string().optional(),
  JOB_HEARTBEAT_TIMEOUT_MS: int('JOB_HEARTBEAT_TIMEOUT_MS', 15_000, 86_400_000).default(60_000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' })
    .default('info'),
});

const blank = (v: string | undefined): v is undefined => v === undefined || v.trim() === '';

/** Parse and validate; throws one usage error listing every problem. `env` is a plain object in tests. */
export function loadConfig(env: Env, needs: readonly ConfigSection[] = []): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => !blank(v)));
  const parsed = schema.safeParse(cleaned);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => (i.message.includes(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`));
  const e = parsed.success ? parsed.data : undefined;

  const need = (section: ConfigSection, name: string, value: string | undefined, hint: string) => {
    if (needs.includes(section) && blank(value)) problems.push(`${name} is required (${hint})`);
  };
  need('toss', 'TOSS_SECRET_KEY', env.TOSS_SECRET_KEY, 'the Toss secret key, test_sk_… or live_sk_…');
  need('kafka', 'KAFKA_BROKERS', env.KAFKA_BROKERS, 'comma-separated host:port list, e.g. 127.0.0.1:9092');
  need('registry', 'SCHEMA_REGISTRY_URL', env.SCHEMA_REGISTRY_URL, 'e.g. http://127.0.0.1:8081/apis/ccompat/v7');
  need('mysql', 'MYSQL_URL', env.MYSQL_URL, 'mysql://user:pass@host:port/db');

  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers) if (!/^[^\s:]+:\d{1,5}$/.test(b)) problems.push(`KAFKA_BROKERS: "${b}" is not host:port`);
  if (!blank(env.SCHEMA_REGISTRY_URL) && !/^https?:\/\/\S+$/.test(env.SCHEMA_REGISTRY_URL))
    problems.push('SCHEMA_REGISTRY_URL must be an http:// or https:// URL');
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
  if (env.KAFKA_SASL_MECHANISM?.trim() === 'plain' && env.KAFKA_SSL?.trim() !== 'true')
    problems.push('KAFKA_SASL_MECHANISM=plain sends KAFKA_SASL_PASSWORD in clear text: set KAFKA_SSL=true, or use scram-sha-256 or scram-sha-512');
  const mysqlTls = mysqlTlsOf(cleaned, problems);
  problems.push(...consumerTimingProblems(cleaned));
  if (!blank(env.TOSS_SECRET_KEY) && !/^(test|live)_(g?sk)_/.test(env.TOSS_SECRET_KEY))
    problems.push('TOSS_SECRET_KEY must be a secret key starting with test_sk_, live_sk_, test_gsk_ or live_gsk_');

  if (problems.length > 0 || !e) {
    throw new SettleError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
  }

  return {
    toss: {
      baseUrl: e.TOSS_API_BASE_URL.replace(/\/+$/, ''),
      secretKey: new Secret(e.TOSS_SECRET_KEY ?? ''),
      timeoutMs: e.TOSS_TIMEOUT_MS,
      pageSize: e.TOSS_PAGE_SIZE,
      concurrency: e.TOSS_CONCURRENCY,
      maxRetries: e.TOSS_MAX_RETRIES,
      maxPages: e.TOSS_MAX_PAGES ?? null,
      maxRowsPerDay: e.TOSS_MAX_ROWS_PER_DAY,
    },
    kafka: {
      brokers,
      clientId: e.KAFKA_CLIENT_ID,
      topic: e.SETTLEMENT_TOPIC,
      partitions: e.SETTLEMENT_TOPIC_PARTITIONS,
      ssl: e.KAFKA_SSL === 'true',
      sasl: e.KAFKA_SASL_MECHANISM
        ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME ?? '', password: new Secret(e.KAFKA_SASL_PASSWORD ?? '') }
        : null,
    },
    registry: {
      url: (e.SCHEMA_REGISTRY_URL ?? '').replace(/\/+$/, ''),
      username: e.SCHEMA_REGISTRY_USERNAME ?? null,
      password: e.SCHEMA_REGISTRY_PASSWORD ? new Secret(e.SCHEMA_REGISTRY_PASSWORD) : null,
    },
    mysql: {
      url: new Secret(e.MYSQL_URL ?? ''),
      displayUrl: e.MYSQL_URL ? redactUrl(e.MYSQL_URL) : '',
      poolSize: e.MYSQL_POOL_SIZE,
      tls: mysqlTls,
      queryTimeoutMs: e.MYSQL_QUERY_TIMEOUT_MS,
    },
    consumer: {
      groupId: e.CONSUMER_GROUP,
      concurrency: e.CONSUMER_CONCURRENCY,
      replicas: e.CONSUMER_REPLICAS ?? null,
      metricsHost: e.METRICS_HOST,
      metricsPort: e.METRICS_PORT,
      maxDbRetries: e.CONSUMER_MAX_DB_RETRIES,
      sessionTimeoutMs: e.CONSUMER_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: e.CONSUMER_REBALANCE_TIMEOUT_MS,
      heartbeatIntervalMs: e.CONSUMER_HEARTBEAT_INTERVAL_MS,
      requestTimeoutMs: e.CONSUMER_REQUEST_TIMEOUT_MS,
      loadData: e.CONSUMER_LOAD_DATA === 'true',
    },
    calendar: { payoutDelayBusinessDays: e.PAYOUT_DELAY_BUSINESS_DAYS, overridesFile: e.HOLIDAY_OVERRIDES_FILE ?? null },
    jobs: { heartbeatTimeoutMs: e.JOB_HEARTBEAT_TIMEOUT_MS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    capacity: { expectedRowsPerDay: e.EXPECTED_ROWS_PER_DAY ?? null },
    pushgatewayUrl: e.PUSHGATEWAY_URL ?? null,
    logLevel: e.LOG_LEVEL,
  };
}

/** MYSQL_SSL + MYSQL_SSL_CA (read here, so a missing file is a configuration problem reported with the others). */
function mysqlTlsOf(env: Env, problems: string[]): MySqlTls | null {
  const mode = schema.shape.MYSQL_SSL.safeParse(env.MYSQL_SSL).data;
  if (!blank(env.MYSQL_URL) && URL.canParse(env.MYSQL_URL) && new URL(env.MYSQL_URL).searchParams.has('ssl'))
    problems.push('MYSQL_URL must not carry ?ssl= (it would override the TLS settings): use MYSQL_SSL and MYSQL_SSL_CA');
  if (mode === undefined) return null; // reported by the schema
  if (mode === 'false') {
    if (!blank(env.MYSQL_SSL_CA)) problems.push('MYSQL_SSL_CA is set but MYSQL_SSL is false: set MYSQL_SSL=true or verify-ca, or remove MYSQL_SSL_CA');
    return null;
  }
  if (mode === 'verify-ca' && blank(env.MYSQL_SSL_CA))
    problems.push('MYSQL_SSL=verify-ca requires MYSQL_SSL_CA (a PEM file with the CA that signed the server certificate)');
  const ca = blank(env.MYSQL_SSL_CA) ? null : readCaFile('MYSQL_SSL_CA', env.MYSQL_SSL_CA, problems);
  return { ca, verifyServerName: mode === 'true' };
}

/** Rules between the group timings, checked whenever the three values are valid on their own (even if others are not). */
function consumerTimingProblems(env: Env): string[] {
  const t = schema.pick({ CONSUMER_SESSION_TIMEOUT_MS: true, CONSUMER_REBALANCE_TIMEOUT_MS: true, CONSUMER_HEARTBEAT_INTERVAL_MS: true }).safeParse(env);
  if (!t.success) return []; // each invalid value is reported by the schema
  const { CONSUMER_SESSION_TIMEOUT_MS: session, CONSUMER_REBALANCE_TIMEOUT_MS: rebalance, CONSUMER_HEARTBEAT_INTERVAL_MS: heartbeat } = t.data;
  const problems: string[] = [];
  if (heartbeat * 3 >= session)
    problems.push(
      `CONSUMER_HEARTBEAT_INTERVAL_MS (${heartbeat}) must be less than a third of CONSUMER_SESSION_TIMEOUT_MS (${session}), so that a missed heartbeat or two does not end the session`,
    );
  if (rebalance < session) problems.push(`CONSUMER_REBALANCE_TIMEOUT_MS (${rebalance}) must be at least CONSUMER_SESSION_TIMEOUT_MS (${session})`);
  return problems;
}
