import type { Admin, Kafka } from 'kafkajs';

/** A partition's position to rewind to: Kafka's offset string as the broker gave it. */
export interface PartitionOffset {
  readonly partition: number;
  readonly offset: string;
}

/** A consumer group's offsets on one topic, through one admin connection (`connect` first, `disconnect` last). */
export class KafkaConsumerGroupOffsets {
  private readonly admin: Admin;

  constructor(
    kafka: Kafka,
    private readonly group: string,
    private readonly topic: string,
  ) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  /** Members of the group now (live consumers would overwrite a rewind with their next commit). */
  async liveMembers(): Promise<number> {
    const { groups } = await this.admin.describeGroups([this.group]);
    return groups[0]?.members.length ?? 0;
  }

  /** Each partition's first offset at or after `at` (ms since the epoch), by partition. */
  async offsetsAt(at: number): Promise<PartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(this.topic, at);
    return offsets.map((o) => ({ partition: o.partition, offset: o.offset })).sort((a, b) => a.partition - b.partition);
  }

  /** The group's committed offsets (only while it has no members: the broker refuses otherwise). */
  setOffsets(plan: readonly PartitionOffset[]): Promise<void> {
    return this.admin.setOffsets({ groupId: this.group, topic: this.topic, partitions: plan.map((p) => ({ partition: p.partition, offset: p.offset })) });
  }
}
