import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { configProblems } from '../../support/config-problems.js';

describe('loadConfig: the consumer group timings', () => {
  it('defaults suit a pod that restarts: session 10 s, heartbeat 3 s, rebalance 30 s', () => {
    const c = loadConfig({});
    expect(c.consumer.sessionTimeoutMs).toBe(10_000);
    expect(c.consumer.heartbeatIntervalMs).toBe(3_000);
    expect(c.consumer.rebalanceTimeoutMs).toBe(30_000);
  });

  it('reads the three variables', () => {
    const c = loadConfig({ CONSUMER_SESSION_TIMEOUT_MS: '45000', CONSUMER_HEARTBEAT_INTERVAL_MS: '5000', CONSUMER_REBALANCE_TIMEOUT_MS: '60000' });
    expect(c.consumer).toMatchObject({ sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, rebalanceTimeoutMs: 60_000 });
  });

  it('accepts the broker’s default session bounds exactly (6000 and 1800000 ms)', () => {
    expect(
      loadConfig({ CONSUMER_SESSION_TIMEOUT_MS: '6000', CONSUMER_HEARTBEAT_INTERVAL_MS: '1000', CONSUMER_REBALANCE_TIMEOUT_MS: '6000' }).consumer
        .sessionTimeoutMs,
    ).toBe(6_000);
    expect(loadConfig({ CONSUMER_SESSION_TIMEOUT_MS: '1800000', CONSUMER_REBALANCE_TIMEOUT_MS: '1800000' }).consumer.sessionTimeoutMs).toBe(1_800_000);
  });

  it('refuses a session timeout outside the broker’s group.min/max.session.timeout.ms defaults', () => {
    for (const value of ['5999', '1800001']) {
      const problems = configProblems({ CONSUMER_SESSION_TIMEOUT_MS: value, CONSUMER_REBALANCE_TIMEOUT_MS: '1800000' });
      expect(problems).toEqual([expect.stringMatching(/^CONSUMER_SESSION_TIMEOUT_MS must be between 6000 and 1800000 .*group\.min\.session\.timeout\.ms/)]);
    }
  });

  it('refuses a heartbeat interval that is not below a third of the session timeout, naming both variables', () => {
    expect(configProblems({ CONSUMER_SESSION_TIMEOUT_MS: '9000', CONSUMER_HEARTBEAT_INTERVAL_MS: '3000' })).toEqual([
      expect.stringMatching(/^CONSUMER_HEARTBEAT_INTERVAL_MS \(3000\) must be less than a third of CONSUMER_SESSION_TIMEOUT_MS \(9000\)/),
    ]);
    // the default heartbeat against a shorter session
    expect(configProblems({ CONSUMER_SESSION_TIMEOUT_MS: '6000', CONSUMER_REBALANCE_TIMEOUT_MS: '6000' })).toEqual([
      expect.stringMatching(/CONSUMER_HEARTBEAT_INTERVAL_MS \(3000\) must be less than a third/),
    ]);
    expect(loadConfig({ CONSUMER_SESSION_TIMEOUT_MS: '10000', CONSUMER_HEARTBEAT_INTERVAL_MS: '3333' }).consumer.heartbeatIntervalMs).toBe(3_333);
  });

  it('refuses a rebalance timeout shorter than the session timeout', () => {
    expect(configProblems({ CONSUMER_SESSION_TIMEOUT_MS: '45000', CONSUMER_REBALANCE_TIMEOUT_MS: '30000' })).toEqual([
      expect.stringMatching(/^CONSUMER_REBALANCE_TIMEOUT_MS \(30000\) must be at least CONSUMER_SESSION_TIMEOUT_MS \(45000\)/),
    ]);
  });

  it('reports every problem at once, each naming its variable, also next to unrelated ones', () => {
    const problems = configProblems({
      CONSUMER_SESSION_TIMEOUT_MS: 'soon',
      CONSUMER_HEARTBEAT_INTERVAL_MS: '0',
      CONSUMER_REBALANCE_TIMEOUT_MS: '1.5',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CONSUMER_SESSION_TIMEOUT_MS must be a number/),
        expect.stringMatching(/^CONSUMER_HEARTBEAT_INTERVAL_MS must be ≥ 100/),
        expect.stringMatching(/^CONSUMER_REBALANCE_TIMEOUT_MS must be a whole number/),
        expect.stringMatching(/^LOG_LEVEL must be one of/),
      ]),
    );
    // a cross-variable rule is still checked when another variable is invalid
    expect(
      configProblems({
        CONSUMER_SESSION_TIMEOUT_MS: '6000',
        CONSUMER_HEARTBEAT_INTERVAL_MS: '3000',
        CONSUMER_REBALANCE_TIMEOUT_MS: '6000',
        TOSS_PAGE_SIZE: '6000',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/TOSS_PAGE_SIZE must be ≤ 5000/),
        expect.stringMatching(/CONSUMER_HEARTBEAT_INTERVAL_MS \(3000\) must be less than a third/),
      ]),
    );
  });

  it("the consumer's Kafka request timeout: 30 s by default (kafkajs's and the Java client's), 5 s to 5 min", () => {
    expect(loadConfig({}).consumer.requestTimeoutMs).toBe(30_000);
    expect(loadConfig({ CONSUMER_REQUEST_TIMEOUT_MS: '5000' }).consumer.requestTimeoutMs).toBe(5_000);
    expect(configProblems({ CONSUMER_REQUEST_TIMEOUT_MS: '4999' })).toEqual([expect.stringMatching(/^CONSUMER_REQUEST_TIMEOUT_MS must be ≥ 5000/)]);
    expect(configProblems({ CONSUMER_REQUEST_TIMEOUT_MS: '300001' })).toEqual([expect.stringMatching(/^CONSUMER_REQUEST_TIMEOUT_MS must be ≤ 300000/)]);
  });
});
