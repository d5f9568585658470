import { describe, expect, it } from 'vitest';
import { KafkaLink } from '../../../src/infrastructure/kafka/kafka-link.js';

const B = '10.0.0.1:9092';

describe('KafkaLink: whether the consumer reaches Kafka, from kafkajs events', () => {
  it('is up from the start, down from a timed-out request, and up again once a fetch begun after it returns', () => {
    const link = new KafkaLink(0);
    expect(link.up).toBe(true);
    link.answered(B, 1_000);
    link.fetchStarted(1, 1_000);
    expect(link.fetched(1, 2_000)).toBeNull(); // up already: nothing to report
    expect(link.timedOut(B, 32_000)).toEqual({ stalledMs: 31_000, wentDown: true });
    expect(link.up).toBe(false);
    expect(link.downSince).toBe(32_000);
    link.fetchStarted(1, 32_300); // kafkajs's retry, on a new connection
    expect(link.fetched(1, 33_000)).toBe(1_000);
    expect(link.up).toBe(true);
    expect(link.downSince).toBeNull();
  });

  it('a fetch round that was already in flight when the trouble came does not bring it back', () => {
    const link = new KafkaLink(0);
    link.fetchStarted(2, 9_000); // another broker's fetch, sent before
    link.timedOut(B, 10_000);
    expect(link.fetched(2, 10_500)).toBeNull();
    expect(link.up).toBe(false);
    link.fetchStarted(2, 11_000);
    expect(link.fetched(2, 11_400)).toBe(1_400);
    expect(link.up).toBe(true);
  });

  it('an answer alone (a heartbeat on a reconnected path) is not a fetch: still down', () => {
    const link = new KafkaLink(0);
    link.timedOut(B, 30_000);
    link.answered(B, 31_000);
    expect(link.up).toBe(false);
  });

  it('later troubles while down keep the first moment and do not report going down again', () => {
    const link = new KafkaLink(0);
    expect(link.failed(5_000)).toBe(true);
    expect(link.timedOut(B, 35_000)).toEqual({ stalledMs: 35_000, wentDown: false }); // never answered: silent since the start
    expect(link.failed(36_000)).toBe(false);
    expect(link.downSince).toBe(5_000);
    link.fetchStarted(1, 40_000);
    expect(link.fetched(1, 41_000)).toBe(36_000);
  });

  it('silence is counted per broker, from its last answer (the latest of out-of-order ones)', () => {
    const link = new KafkaLink(100);
    link.answered(B, 4_000);
    link.answered(B, 3_000); // reported late: the later answer stands
    link.answered('10.0.0.2:9092', 20_000);
    expect(link.silentFor(B, 34_000)).toBe(30_000);
    expect(link.silentFor('10.0.0.2:9092', 34_000)).toBe(14_000);
    expect(link.silentFor('10.0.0.3:9092', 34_000)).toBe(33_900);
  });
});
