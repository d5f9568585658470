/**
 * Kafka gives each partition of a topic to exactly one member of a consumer group, so a group serves at most as
 * many consumers as the topic has partitions: the rest join, hold nothing and sit idle (never ready).
 */
export interface IdleReplicasWarning {
  readonly code: 'CONSUMER_REPLICAS_IDLE';
  readonly topic: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly idleReplicas: number;
  readonly message: string;
}

/** The warning when `replicas` consumers of one group would share a topic of `partitions` partitions; null when they fit (or replicas is unknown). */
export function idleReplicasWarning(topic: string, partitions: number, replicas: number | null): IdleReplicasWarning | null {
  if (replicas === null || replicas <= partitions) return null;
  const idleReplicas = replicas - partitions;
  return {
    code: 'CONSUMER_REPLICAS_IDLE',
    topic,
    partitions,
    replicas,
    idleReplicas,
    message:
      `${topic} has ${partitions} partition${partitions === 1 ? '' : 's'} for ${replicas} consumer replicas: ` +
      `${idleReplicas} replica(s) will sit idle; add partitions (kafka-topics --alter) or lower the replicas`,
  };
}
