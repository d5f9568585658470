import { describe, expect, it } from 'vitest';
import { idleReplicasWarning } from '../../../src/domain/capacity/consumer-replicas.js';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { configProblems } from '../../support/config-problems.js';

describe('consumer replicas against the topic partitions', () => {
  it('warns when more replicas share the group than the topic has partitions, naming the idle ones and the fixes', () => {
    expect(idleReplicasWarning('toss.settlements.v1', 3, 4)).toEqual({
      code: 'CONSUMER_REPLICAS_IDLE',
      topic: 'toss.settlements.v1',
      partitions: 3,
      replicas: 4,
      idleReplicas: 1,
      message:
        'toss.settlements.v1 has 3 partitions for 4 consumer replicas: 1 replica(s) will sit idle; add partitions (kafka-topics --alter) or lower the replicas',
    });
    expect(idleReplicasWarning('t', 1, 3)?.message).toBe(
      't has 1 partition for 3 consumer replicas: 2 replica(s) will sit idle; add partitions (kafka-topics --alter) or lower the replicas',
    );
  });

  it.each([
    [6, 6],
    [6, 2],
    [1, 1],
  ])('is silent with %i partitions for %i replicas (every replica holds a partition)', (partitions, replicas) => {
    expect(idleReplicasWarning('t', partitions, replicas)).toBeNull();
  });

  it('is silent when the replicas are not configured', () => {
    expect(idleReplicasWarning('t', 1, null)).toBeNull();
  });
});

describe('CONSUMER_REPLICAS', () => {
  it('is optional (null when unset or blank) and reads a whole number', () => {
    expect(loadConfig({}).consumer.replicas).toBeNull();
    expect(loadConfig({ CONSUMER_REPLICAS: ' ' }).consumer.replicas).toBeNull();
    expect(loadConfig({ CONSUMER_REPLICAS: '4' }).consumer.replicas).toBe(4);
  });

  it.each([
    ['0', 'CONSUMER_REPLICAS must be ≥ 1'],
    ['1.5', 'CONSUMER_REPLICAS must be a whole number'],
    ['two', 'CONSUMER_REPLICAS must be a number'],
    ['1001', 'CONSUMER_REPLICAS must be ≤ 1000'],
  ])('refuses %j, naming the variable', (value, problem) => {
    expect(configProblems({ CONSUMER_REPLICAS: value })).toContain(problem);
  });
});
