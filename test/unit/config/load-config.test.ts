import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { configProblems } from '../../support/config-problems.js';

const full = {
  TOSS_SECRET_KEY: 'test_sk_supersecret123',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7/',
  MYSQL_URL: 'mysql://app:hunter2@db:3306/settle',
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.toss.baseUrl).toBe('https://api.tosspayments.com');
    expect(c.toss.pageSize).toBe(5000);
    expect(c.toss.timeoutMs).toBe(60_000);
    expect(c.toss.concurrency).toBe(4);
    expect(c.kafka.topic).toBe('toss.settlements.v1');
    expect(c.kafka.partitions).toBe(6);
    expect(c.consumer.groupId).toBe('settlement-loader');
    expect(c.consumer.metricsPort).toBe(9464);
    expect(c.calendar.payoutDelayBusinessDays).toBe(3);
  });

  it('parses brokers, trims trailing slashes and keeps secrets wrapped', () => {
    const c = loadConfig(full, ['toss', 'kafka', 'registry', 'mysql']);
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.2:9093']);
    expect(c.registry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(c.toss.secretKey.reveal()).toBe('test_sk_supersecret123');
    expect(c.mysql.url.reveal()).toBe('mysql://app:hunter2@db:3306/settle');
    expect(c.mysql.displayUrl).toBe('mysql://app:***@db:3306/settle');
  });

  it('never prints a secret through JSON, String or util.inspect', () => {
    const c = loadConfig(full, ['toss', 'mysql']);
    for (const text of [JSON.stringify(c), String(c.toss.secretKey), inspect(c, { depth: 10 })]) {
      expect(text).not.toContain('supersecret');
      expect(text).not.toContain('hunter2');
    }
  });

  it('reports every missing variable a command needs at once', () => {
    const problems = configProblems({}, ['toss', 'kafka', 'registry', 'mysql']);
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(
      /TOSS_SECRET_KEY is required[\s\S]*KAFKA_BROKERS is required[\s\S]*SCHEMA_REGISTRY_URL is required[\s\S]*MYSQL_URL is required/,
    );
  });

  it('names each invalid value and what was expected', () => {
    const problems = configProblems({
      TOSS_PAGE_SIZE: '6000',
      KAFKA_BROKERS: 'localhost',
      MYSQL_URL: 'postgres://x@y/z',
      LOG_LEVEL: 'loud',
      TOSS_SECRET_KEY: 'abc',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/TOSS_PAGE_SIZE must be ≤ 5000/),
        expect.stringMatching(/KAFKA_BROKERS: "localhost" is not host:port/),
        expect.stringMatching(/MYSQL_URL must start with mysql:\/\//),
        expect.stringMatching(/LOG_LEVEL must be one of/),
        expect.stringMatching(/TOSS_SECRET_KEY must be a secret key/),
      ]),
    );
    expect(problems.join('\n')).not.toContain('abc');
  });

  it('does not require sections a command does not need', () => {
    expect(() => loadConfig({ MYSQL_URL: full.MYSQL_URL }, ['mysql'])).not.toThrow();
  });

  it('requires SASL credentials together with a mechanism', () => {
    expect(configProblems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: 'true' })).toEqual([
      expect.stringMatching(/KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required/),
    ]);
  });

  it('does not leak the MySQL password when the URL names no database', () => {
    const problems = configProblems({ MYSQL_URL: 'mysql://app:hunter2@db:3306' });
    expect(problems).toEqual([expect.stringMatching(/MYSQL_URL must name a database/)]);
    expect(problems.join()).not.toContain('hunter2');
  });
});
