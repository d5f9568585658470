import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { Config } from '../config/config.js';
import type { Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { fitToAvro } from './avro-fit.js';

export const SETTLEMENT_SCHEMA_FILE = fileURLToPath(new URL('../../../schemas/toss-settlement.avsc', import.meta.url));
export const subjectFor = (topic: string): string => `${topic}-value`;

/** A row the schema refused (a nested field Toss sent as null or left out, say), with where. */
export interface Unfit {
  readonly unfit: string;
}

const CHUNK_BYTES = 1024 * 1024;
const BYTES_PER_ROW_GUESS = 512;

export function readSettlementSchema(file = SETTLEMENT_SCHEMA_FILE): string {
  return readFileSync(file, 'utf8');
}

export function createSchemaRegistry(registry: Config['registry']): SchemaRegistry {
  const auth = registry.username && registry.password ? { username: registry.username, password: registry.password.reveal() } : undefined;
  return new SchemaRegistry({ host: registry.url, clientId: 'settle', ...(auth ? { auth } : {}), retry: { retries: 3 } });
}

/**
 * Avro in Confluent wire format (magic 0, 4-byte big-endian schema id, Avro body) through the registry.
 * Registering makes the subject BACKWARD compatible; decoding needs only the registry (the writer's schema
 * is fetched by id), so other teams' consumers read our records without our code.
 */
export class SettlementSerde {
  private constructor(
    private readonly registry: SchemaRegistry,
    private readonly type: avsc.Type,
    readonly schemaId: number,
  ) {}

  static async register(registry: SchemaRegistry, topic: string, schemaText = readSettlementSchema()): Promise<SettlementSerde> {
    const type = avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema);
    try {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: schemaText }, { subject: subjectFor(topic), compatibility: COMPATIBILITY.BACKWARD });
      return new SettlementSerde(registry, type, id);
    } catch (error) {
      throw registryError(error, `could not register the settlement schema under ${subjectFor(topic)}`);
    }
  }

  /** For readers: no registration, the writer schema comes from the id in each record. */
  static forReading(registry: SchemaRegistry, schemaText = readSettlementSchema()): SettlementSerde {
    return new SettlementSerde(registry, avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema), 0);
  }

  async encode(settlement: Settlement): Promise<Buffer> {
    const [value] = this.encodeBatch([settlement]);
    if (!Buffer.isBuffer(value)) throw new SettleError('AVRO_ENCODE_FAILED', `row ${settlement.transactionKey} ${value?.unfit ?? 'could not be encoded'}`, { category: 'data' });
    return value;
  }

  /**
   * Encodes a page synchronously into shared chunks (up to 1 MB): each value is a view holding magic 0, the schema id
   * and the Avro body, so a page costs a few allocations instead of one Buffer and one promise per row (the
   * registry client's encode). A row that does not fit the schema comes back as `{ unfit: reason }`.
   */
  encodeBatch(rows: readonly Settlement[]): Array<Buffer | Unfit> {
    const out: Array<Buffer | Unfit> = [];
    // sized for what is left (a single encode takes a few hundred bytes, a page at most a chunk at a time)
    const chunkFor = (rowsLeft: number, atLeast: number) => Buffer.allocUnsafe(Math.max(atLeast, Math.min(CHUNK_BYTES, rowsLeft * BYTES_PER_ROW_GUESS)));
    let chunk = chunkFor(rows.length, 0);
    let pos = 0;
    for (const [i, row] of rows.entries()) {
      let end: number;
      try {
        end = this.#write(row, chunk, pos);
        while (end < 0) {
          chunk = chunkFor(rows.length - i, 2 * (chunk.length - pos - end));
          pos = 0;
          end = this.#write(row, chunk, 0);
        }
      } catch {
        out.push({ unfit: this.#unfitReason(row) });
        continue;
      }
      out.push(chunk.subarray(pos, end));
      pos = end;
    }
    return out;
  }

  /** Returns the end offset, or a negative number (bytes missing) when the chunk is too small. */
  #write(row: Settlement, chunk: Buffer, pos: number): number {
    if (chunk.length - pos < 5) return -5;
    chunk[pos] = 0;
    chunk.writeInt32BE(this.schemaId, pos + 1);
    try {
      // avsc writes only the schema's fields and fills defaults for undefined ones: no copy of the row needed
      return this.type.encode(row, chunk, pos + 5);
    } catch {
      // nested values as Toss sent them may leave optional fields out: shape them, then try once more
      return this.type.encode(fitToAvro(this.type, row), chunk, pos + 5);
    }
  }

  #unfitReason(row: Settlement): string {
    const paths: string[] = [];
    this.type.isValid(fitToAvro(this.type, row), { errorHook: (path: string[]) => paths.push(path.join('.')) });
    return `does not fit the Avro schema${paths.length ? ` at ${paths.slice(0, 5).join(', ')}` : ''}`;
  }

  async decode(buffer: Buffer): Promise<Settlement> {
    if (buffer.length < 5 || buffer[0] !== 0) throw new SettleError('NOT_CONFLUENT_WIRE_FORMAT', 'record value is not Confluent wire format (magic byte 0 + schema id)', { category: 'data' });
    try {
      return plain(await this.registry.decode(buffer)) as Settlement;
    } catch (error) {
      const msg = (error as Error).message ?? '';
      if (/not found|40403|404/i.test(msg)) throw new SettleError('UNKNOWN_SCHEMA_ID', `schema id ${buffer.readInt32BE(1)} is unknown to the registry`, { category: 'data', cause: error });
      if (/ECONNREFUSED|ETIMEDOUT|ECONNRESET|socket|5\d\d/i.test(msg)) throw registryError(error, 'schema registry unavailable');
      throw new SettleError('AVRO_DECODE_FAILED', `record cannot be decoded: ${msg}`, { category: 'data', cause: error });
    }
  }
}

/** avsc returns record class instances; the domain wants plain objects. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function registryError(error: unknown, what: string): SettleError {
  const msg = (error as Error).message ?? String(error);
  const incompatible = /409|incompatible/i.test(msg);
  return new SettleError(incompatible ? 'SCHEMA_INCOMPATIBLE' : 'SCHEMA_REGISTRY_FAILED', `${what}: ${msg}`, { category: incompatible ? 'data' : 'transient', cause: error });
}
