import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/infrastructure/config/config.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { kafkaClientConfig } from '../../../src/infrastructure/kafka/kafka-client.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

/**
 * A fake broker that speaks just enough of the Kafka protocol to see what our client config puts on the wire:
 * ApiVersions, SaslHandshake, then SaslAuthenticate, which it always refuses (so kafkajs gives up at once).
 */
class FakeBroker {
  readonly firstBytes: Buffer[] = [];
  readonly apiKeys: number[] = [];
  mechanism: string | null = null;
  authBytes: Buffer | null = null;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeBroker> {
    const server = createServer();
    const broker = new FakeBroker(server);
    server.on('connection', (socket) => broker.serve(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return broker;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (pending.length === 0 && this.firstBytes.length < 8) this.firstBytes.push(chunk.subarray(0, 8));
      // not a Kafka frame (a TLS ClientHello starts with 0x16 0x03): hang up
      if (chunk[0] === 0x16) return void socket.destroy();
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        this.answer(socket, frame);
      }
    });
  }

  private answer(socket: Socket, frame: Buffer): void {
    const apiKey = frame.readInt16BE(0);
    const version = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const body = frame.subarray(10 + frame.readInt16BE(8));
    this.apiKeys.push(apiKey);
    const reply = (...parts: Buffer[]) => {
      const payload = Buffer.concat([int32(correlationId), ...parts]);
      socket.write(Buffer.concat([int32(payload.length), payload]));
    };
    if (apiKey === 18) {
      // ApiVersions: ApiVersions 0-2, SaslHandshake 0-1, SaslAuthenticate 0-1
      const versions = [
        [18, 0, 2],
        [17, 0, 1],
        [36, 0, 1],
      ].map(([k, min, max]) => Buffer.concat([int16(k ?? 0), int16(min ?? 0), int16(max ?? 0)]));
      reply(int16(0), int32(versions.length), ...versions, ...(version >= 1 ? [int32(0)] : []));
    } else if (apiKey === 17) {
      this.mechanism = body.subarray(2, 2 + body.readInt16BE(0)).toString();
      reply(int16(0), int32(1), str(this.mechanism));
    } else if (apiKey === 36) {
      this.authBytes = Buffer.from(body.subarray(4, 4 + body.readInt32BE(0)));
      // SASL_AUTHENTICATION_FAILED (58), a message, no auth bytes, (v1) no session lifetime
      reply(int16(58), str('the fake broker refuses everyone'), int32(0), ...(version >= 1 ? [Buffer.alloc(8)] : []));
    } else {
      socket.destroy();
    }
  }
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str = (s: string) => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);

type KafkaSection = Pick<Config['kafka'], 'brokers' | 'clientId' | 'ssl' | 'sasl'>;

describe('Kafka SSL and SASL on the wire (kafkaClientConfig → kafkajs → a fake broker)', () => {
  let broker: FakeBroker | null = null;
  afterEach(async () => {
    await broker?.close();
    broker = null;
  });

  /** Our client config as is, except that a refused connection is not retried. */
  const connect = async (section: KafkaSection): Promise<Error> => {
    const kafka = new Kafka({ ...kafkaClientConfig(section, createLogger('silent', { pretty: false })), retry: { retries: 0 } });
    const admin = kafka.admin();
    const error = await admin.connect().then(
      () => new Error('connected to a fake broker'),
      (e: unknown) => e as Error,
    );
    await admin.disconnect();
    return error;
  };

  it('KAFKA_SSL=false speaks Kafka in the clear: the first request is ApiVersions', async () => {
    broker = await FakeBroker.start();
    await connect({ brokers: [broker.address], clientId: 'settle', ssl: false, sasl: null });
    expect(broker.firstBytes[0]?.readInt16BE(4)).toBe(18);
  });

  it('KAFKA_SSL=true opens with a TLS handshake', async () => {
    broker = await FakeBroker.start();
    await connect({ brokers: [broker.address], clientId: 'settle', ssl: true, sasl: null });
    const first = broker.firstBytes[0];
    expect([first?.[0], first?.[1]]).toEqual([0x16, 0x03]);
    expect(broker.apiKeys).toEqual([]);
  });

  it('SASL PLAIN sends the mechanism, the user name and the revealed password', async () => {
    broker = await FakeBroker.start();
    const error = await connect({
      brokers: [broker.address],
      clientId: 'settle',
      ssl: false,
      sasl: { mechanism: 'plain', username: 'settle-app', password: new Secret('pw-on-the-wire') },
    });
    expect(error.message).toMatch(/SASL PLAIN authentication failed|fake broker refuses/);
    expect(broker.mechanism).toBe('PLAIN');
    expect(broker.authBytes?.toString()).toBe('\u0000settle-app\u0000pw-on-the-wire');
  });

  it('SASL SCRAM-SHA-512 sends the mechanism and a client-first message with the user name (never the password)', async () => {
    broker = await FakeBroker.start();
    await connect({
      brokers: [broker.address],
      clientId: 'settle',
      ssl: false,
      sasl: { mechanism: 'scram-sha-512', username: 'settle-app', password: new Secret('pw-on-the-wire') },
    });
    expect(broker.mechanism).toBe('SCRAM-SHA-512');
    expect(broker.authBytes?.toString()).toMatch(/^n,,n=settle-app,r=\S+$/);
  });
});
