import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsumerFixture } from './consumer-fixture.js';

// Runs the built binary (`npx tsc -p tsconfig.build.json` first).
describe('settle kafka init, and consume on an empty topic', () => {
  let fx: ConsumerFixture;
  const topic = `it.init.${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    fx = await ConsumerFixture.create('init', 2);
  });
  afterAll(async () => {
    const admin = fx.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`, `${topic}.rejects`] }).catch(() => undefined);
    await admin.disconnect();
    await fx?.close();
  });

  it('creates the topic, its DLQ and rejects topic once, and reports them as existing afterwards', async () => {
    const first = await fx.spawnSettle(['kafka', 'init', '--partitions', '4'], { SETTLEMENT_TOPIC: topic }).output;
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`created ${topic} (4 partition(s))`);
    expect(first.stdout).toContain(`created ${topic}.dlq (1 partition(s))`);
    expect(first.stdout).toContain(`created ${topic}.rejects (1 partition(s))`);
    const again = await fx.spawnSettle(['kafka', 'init', '--partitions', '6', '--json'], { SETTLEMENT_TOPIC: topic }).output;
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as { created: string[]; existing: Array<{ topic: string; partitions: number }>; mismatched: unknown[] };
    expect(result.created).toEqual([]);
    expect(result.existing).toContainEqual({ topic, partitions: 4 });
    expect(result.mismatched).toEqual([{ topic, partitions: 4 }]); // never repartitioned silently
  });

  it('consume --until-idle exits 0 at once on an empty topic', async () => {
    const out = await fx.spawnSettle(['consume', '--until-idle', '--json']).output;
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ records: 0, inserted: 0, stoppedBy: 'idle' });
  });

  it('refuses to consume a topic that was never created, naming the fix', async () => {
    const out = await fx.spawnSettle(['consume', '--until-idle'], { SETTLEMENT_TOPIC: `${topic}.missing` }).output;
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('settle kafka init');
  });
});
