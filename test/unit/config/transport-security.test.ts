import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pool } from 'mysql2/promise';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { kafkaClientConfig } from '../../../src/infrastructure/kafka/kafka-client.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { createMySqlPool } from '../../../src/infrastructure/mysql/mysql-pool.js';
import { createSettlementStorePool } from '../../../src/infrastructure/mysql/settlement-store-pool.js';

const CA_FILE = fileURLToPath(new URL('../../fixtures/tls/test-ca.pem', import.meta.url));
const CA_PEM = readFileSync(CA_FILE, 'utf8');
const MYSQL_URL = 'mysql://app:hunter2@db.internal:3306/settle';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettleError);
    expect((error as SettleError).category).toBe('usage');
    const problems = (error as SettleError).details.problems as string[];
    for (const secret of ['hunter2', 'scram-secret']) expect(problems.join('\n')).not.toContain(secret);
    return problems;
  }
  throw new Error('expected loadConfig to throw');
};

/** What mysql2 will hand to tls.connect: the pool's connection config, read back from the real pool object. */
const sslOf = (pool: Pool): unknown => (pool.pool as unknown as { config: { connectionConfig: { ssl: unknown } } }).config.connectionConfig.ssl;

describe('Kafka SSL and SASL', () => {
  const logger = createLogger('silent', { pretty: false });

  it('are off by default', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' }, ['kafka']);
    expect(c.kafka.ssl).toBe(false);
    expect(c.kafka.sasl).toBeNull();
    const k = kafkaClientConfig(c.kafka, logger);
    expect(k.ssl).toBe(false);
    expect(k.sasl).toBeUndefined();
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'KAFKA_SSL=true with SASL %s reach the kafkajs client config, the password revealed only there',
    (mechanism) => {
      const c = loadConfig(
        { KAFKA_BROKERS: 'b1:9093', KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'settle', KAFKA_SASL_PASSWORD: 'scram-secret' },
        ['kafka'],
      );
      expect(JSON.stringify(c)).not.toContain('scram-secret');
      const k = kafkaClientConfig(c.kafka, logger, '-consumer');
      expect(k).toMatchObject({
        clientId: 'settle-consumer',
        brokers: ['b1:9093'],
        ssl: true,
        sasl: { mechanism, username: 'settle', password: 'scram-secret' },
      });
    },
  );

  it('refuses SASL PLAIN without TLS (it sends the password in clear text) and a KAFKA_SSL that is not true or false', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'settle', KAFKA_SASL_PASSWORD: 'scram-secret' })).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM=plain sends KAFKA_SASL_PASSWORD in clear text: set KAFKA_SSL=true/),
    ]);
    expect(
      loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'settle', KAFKA_SASL_PASSWORD: 'scram-secret' }).kafka.sasl?.mechanism,
    ).toBe('scram-sha-512');
    expect(problemsOf({ KAFKA_SSL: 'yes', KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/KAFKA_SSL must be true or false/),
        expect.stringMatching(/KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512/),
      ]),
    );
  });
});

describe('MySQL TLS (MYSQL_SSL, MYSQL_SSL_CA)', () => {
  const pools: Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });
  const poolFor = (env: Record<string, string>, store = false): Pool => {
    const { mysql } = loadConfig({ MYSQL_URL, ...env }, ['mysql']);
    const pool = store ? createSettlementStorePool(mysql, 1) : createMySqlPool(mysql, 1);
    pools.push(pool);
    return pool;
  };

  it('is off by default', () => {
    expect(loadConfig({ MYSQL_URL }, ['mysql']).mysql.tls).toBeNull();
    expect(sslOf(poolFor({}))).toBe(false);
  });

  it('MYSQL_SSL=true verifies the certificate chain and the server name, against the system CAs or MYSQL_SSL_CA', () => {
    expect(loadConfig({ MYSQL_URL, MYSQL_SSL: 'true' }, ['mysql']).mysql.tls).toEqual({ ca: null, verifyServerName: true });
    expect(sslOf(poolFor({ MYSQL_SSL: 'true' }))).toMatchObject({ rejectUnauthorized: true, verifyIdentity: true });
    expect(sslOf(poolFor({ MYSQL_SSL: 'true' }))).not.toHaveProperty('ca');
    expect(sslOf(poolFor({ MYSQL_SSL: 'true', MYSQL_SSL_CA: CA_FILE }))).toMatchObject({ ca: CA_PEM, rejectUnauthorized: true, verifyIdentity: true });
  });

  it('MYSQL_SSL=verify-ca verifies the chain against MYSQL_SSL_CA but not the server name, on every pool', () => {
    expect(sslOf(poolFor({ MYSQL_SSL: 'verify-ca', MYSQL_SSL_CA: CA_FILE }))).toMatchObject({ ca: CA_PEM, rejectUnauthorized: true, verifyIdentity: false });
    expect(sslOf(poolFor({ MYSQL_SSL: 'verify-ca', MYSQL_SSL_CA: CA_FILE }, true))).toMatchObject({
      ca: CA_PEM,
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
  });

  it('names each invalid combination, all at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settle-tls-'));
    const notPem = join(dir, 'not-a-cert.pem');
    writeFileSync(notPem, 'hello');
    expect(problemsOf({ MYSQL_URL, MYSQL_SSL: 'maybe' })).toEqual([expect.stringMatching(/^MYSQL_SSL must be false, true or verify-ca/)]);
    expect(problemsOf({ MYSQL_URL, MYSQL_SSL: 'verify-ca' })).toEqual([expect.stringMatching(/^MYSQL_SSL=verify-ca requires MYSQL_SSL_CA/)]);
    expect(problemsOf({ MYSQL_URL, MYSQL_SSL_CA: CA_FILE })).toEqual([expect.stringMatching(/^MYSQL_SSL_CA is set but MYSQL_SSL is false/)]);
    expect(problemsOf({ MYSQL_URL, MYSQL_SSL: 'true', MYSQL_SSL_CA: join(dir, 'missing.pem') })).toEqual([
      expect.stringMatching(/^MYSQL_SSL_CA: cannot read .*missing\.pem/),
    ]);
    expect(problemsOf({ MYSQL_URL, MYSQL_SSL: 'true', MYSQL_SSL_CA: notPem })).toEqual([
      expect.stringMatching(/^MYSQL_SSL_CA: .*not-a-cert\.pem holds no PEM certificate/),
    ]);
    expect(problemsOf({ MYSQL_URL: `${MYSQL_URL}?ssl={"rejectUnauthorized":false}` })).toEqual([
      expect.stringMatching(/^MYSQL_URL must not carry \?ssl=.*MYSQL_SSL/),
    ]);
    expect(problemsOf({ MYSQL_URL, MYSQL_SSL: 'verify-ca', KAFKA_SSL: 'on' })).toHaveLength(2);
  });
});
