import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { Config } from '../config/config.js';
import { kafkaSecurity } from '../kafka/kafka-client.js';
import { settlementTopics } from '../kafka/topic-admin.js';
import { failed, passed, type CheckResult } from './health-check.js';

const NAME = 'kafka';

/**
 * Connects with short timeouts and no retries (a stopped broker is reported in seconds), then checks that the
 * topic, its DLQ and its rejects topic exist and that every partition of the topic has a leader.
 */
export async function checkKafka(kafka: Config['kafka'], timeoutMs = 3_000): Promise<CheckResult> {
  const admin = new Kafka(doctorKafkaConfig(kafka, timeoutMs)).admin();
  const brokers = kafka.brokers.join(',');
  try {
    await admin.connect();
  } catch (error) {
    return connectFailure(error, brokers);
  }
  try {
    const wanted = settlementTopics(kafka.topic, kafka.partitions).map((t) => t.topic);
    const have = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !have.has(t));
    if (missing.length > 0)
      return failed(
        NAME,
        `missing topic(s) on ${brokers}: ${missing.join(', ')}`,
        'run `settle kafka init` (creates the topic, its .dlq and .rejects; idempotent)',
      );
    const meta = await admin.fetchTopicMetadata({ topics: [kafka.topic] });
    const partitions = meta.topics[0]?.partitions ?? [];
    const leaderless = partitions.filter((p) => p.leader < 0).map((p) => p.partitionId);
    if (leaderless.length > 0)
      return failed(
        NAME,
        `${kafka.topic}: partition(s) ${leaderless.join(', ')} have no leader`,
        'a broker is down or recovering: check the cluster, then retry',
        true,
      );
    return passed(
      NAME,
      `${brokers}: ${kafka.topic} has ${partitions.length} partition(s) (up to ${partitions.length} consumer replicas); .dlq and .rejects exist`,
    );
  } catch (error) {
    return failed(
      NAME,
      `${brokers}: ${(error as Error).message}`,
      'check the broker logs and ACLs (the client needs Describe on the topics), then retry',
      true,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function connectFailure(error: unknown, brokers: string): CheckResult {
  const e = error as Error & { cause?: Error };
  const names = [e.name, e.cause?.name ?? ''];
  const message = e.cause?.message ?? e.message;
  if (names.some((n) => /SASL|Authentication/i.test(n)))
    return failed(NAME, `${brokers} refused the credentials: ${message}`, 'check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  return failed(
    NAME,
    `cannot connect to ${brokers}: ${message}`,
    'start the broker, or correct KAFKA_BROKERS (--brokers) and KAFKA_SSL; retry once it is up',
    true,
  );
}

/** Like createKafka, but quick to give up and silent: the doctor reports the failure itself. */
function doctorKafkaConfig(kafka: Config['kafka'], timeoutMs: number): KafkaConfig {
  return {
    clientId: `${kafka.clientId}-doctor`,
    brokers: [...kafka.brokers],
    ...kafkaSecurity(kafka),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs + 2_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  };
}
