import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import { createRequire } from 'node:module';
import type { SchemaRegistryAPIClientArgs } from '@kafkajs/confluent-schema-registry/dist/api/index.js';
import type { Config } from '../config/config.js';
import type { Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { fitToAvro } from './avro-fit.js';
import { SettlementJsonAvro } from './settlement-json-avro.js';

import { readSettlementSchema, subjectFor } from './settlement-schema-file.js';

export { SETTLEMENT_SCHEMA_FILE, readSettlementSchema, subjectFor } from './settlement-schema-file.js';

/** A row the schema refused (a nested field Toss sent as null or left out, say), with where. */
export interface Unfit {
  readonly unfit: string;
}

const CHUNK_BYTES = 1024 * 1024;

/** Confluent wire format: magic byte 0 and the 4-byte big-endian schema id, then the Avro body. */
export const CONFLUENT_HEADER_BYTES = 5;
const BYTES_PER_ROW_GUESS = 512;

/**
 * How long one registry request may take. The client has no deadline of its own: a registry that accepts the
 * connection and never answers (a JVM stuck in a pause, a half-open connection) would hang produce before its
 * first page and a consumer before its first decode. Past the deadline the request fails, which is transient.
 */
export const REGISTRY_REQUEST_TIMEOUT_MS = 15_000;

// the CommonJS build of mappersmith, the one the registry client itself loads (its ESM build is another module)
type RegistryMiddleware = NonNullable<SchemaRegistryAPIClientArgs['middlewares']>[number];
const { TimeoutMiddleware } = createRequire(import.meta.url)('mappersmith/middleware/timeout') as { TimeoutMiddleware: (ms: number) => RegistryMiddleware };

export function createSchemaRegistry(registry: Config['registry'], options: { timeoutMs?: number } = {}): SchemaRegistry {
  const auth = registry.username && registry.password ? { username: registry.username, password: registry.password.reveal() } : undefined;
  const timeout = TimeoutMiddleware(options.timeoutMs ?? REGISTRY_REQUEST_TIMEOUT_MS);
  return new SchemaRegistry({ host: registry.url, clientId: 'settle', ...(auth ? { auth } : {}), retry: { retries: 3 }, middlewares: [timeout] });
}

/**
 * The writing side of Avro in Confluent wire format (magic 0, 4-byte big-endian schema id, Avro body).
 * Registering makes the subject BACKWARD compatible. Reading needs only the registry (the writer's schema is
 * fetched by id), so other teams' consumers read our records without our code; ours is
 * RegistrySettlementDecoder.
 */
export class SettlementSerde {
  /** The fast path from Toss's JSON bytes to this schema's records (null: the schema is not one it writes). */
  readonly jsonAvro: SettlementJsonAvro | null;

  private constructor(
    private readonly type: avsc.Type,
    readonly schemaId: number,
  ) {
    this.jsonAvro = SettlementJsonAvro.forType(type);
  }

  static async register(registry: SchemaRegistry, topic: string, schemaText = readSettlementSchema()): Promise<SettlementSerde> {
    const type = avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema);
    for (let attempt = 1; ; attempt++) {
      try {
        const { id } = await registry.register(
          { type: SchemaType.AVRO, schema: schemaText },
          { subject: subjectFor(topic), compatibility: COMPATIBILITY.BACKWARD },
        );
        return new SettlementSerde(type, id);
      } catch (error) {
        // workers of a sharded window start together: on a new subject each registers (the same schema, the same id),
        // then sets the subject's level; the registry refuses the second "set" with a conflict, and a worker that
        // reads the level between another's registration and its "set" sees the registry's default (NONE). Once one
        // has set it, registering again finds the level in place and only registers.
        // and a request that got no answer within its deadline is asked again (registering is idempotent: the same
        // schema gets the same id), so one lost or stalled connection does not fail a run
        if (attempt < 4 && (lostFirstRegistrationRace(error) || registryTimedOut(error))) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        throw registryError(error, subjectFor(topic));
      }
    }
  }

  /** An encoder for a schema id known without asking the registry (tests; the id is written as given). */
  static withSchemaId(schemaId: number, schemaText = readSettlementSchema()): SettlementSerde {
    return new SettlementSerde(avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema), schemaId);
  }

  async encode(settlement: Settlement): Promise<Buffer> {
    const [value] = this.encodeBatch([settlement]);
    if (!Buffer.isBuffer(value)) throw new SettleError('AVRO_ENCODE_FAILED', `row ${settlement.transactionKey} ${value?.unfit ?? 'could not be encoded'}`);
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
        out.push({ unfit: this.unfitReason(row) });
        continue;
      }
      out.push(chunk.subarray(pos, end));
      pos = end;
    }
    return out;
  }

  /**
   * Writes one row's Confluent-framed value (magic 0, schema id, Avro body) into `chunk` at `pos`. Returns the end
   * offset, or a negative number (bytes missing) when the chunk is too small; throws when the row does not fit the
   * schema (unfitReason says where).
   */
  writeValue(row: Settlement, chunk: Buffer, pos: number): number {
    return this.#write(row, chunk, pos);
  }

  /** Returns the end offset, or a negative number (bytes missing) when the chunk is too small. */
  #write(row: Settlement, chunk: Buffer, pos: number): number {
    if (chunk.length - pos < CONFLUENT_HEADER_BYTES) return -CONFLUENT_HEADER_BYTES;
    chunk[pos] = 0;
    chunk.writeInt32BE(this.schemaId, pos + 1);
    try {
      // avsc writes only the schema's fields and fills defaults for undefined ones: no copy of the row needed
      return this.type.encode(row, chunk, pos + CONFLUENT_HEADER_BYTES);
    } catch {
      // nested values as Toss sent them may leave optional fields out: shape them, then try once more
      return this.type.encode(fitToAvro(this.type, row), chunk, pos + CONFLUENT_HEADER_BYTES);
    }
  }

  /** Why a row writeValue refused does not fit the schema, with the paths. */
  unfitReason(row: Settlement): string {
    const paths: string[] = [];
    this.type.isValid(fitToAvro(this.type, row), { errorHook: (path: string[]) => paths.push(path.join('.')) });
    return `does not fit the Avro schema${paths.length ? ` at ${paths.slice(0, 5).join(', ')}` : ''}`;
  }
}

/** mappersmith's TimeoutMiddleware: the request got no answer within REGISTRY_REQUEST_TIMEOUT_MS (or the given deadline). */
function registryTimedOut(error: unknown): boolean {
  return /\bTimeout \(\d+ms\)/.test((error as Error | undefined)?.message ?? '');
}

/**
 * The signs of another worker registering the same new subject at this moment: Apicurio's answer to a second
 * concurrent "set the subject's compatibility level" (409: the rule exists), or the registry's default level
 * (NONE) read before the first worker set BACKWARD. A subject really left at NONE fails the same way after the
 * retries (SCHEMA_COMPATIBILITY_LEVEL).
 */
function lostFirstRegistrationRace(error: unknown): boolean {
  const message = (error as Error | undefined)?.message ?? '';
  if (/rule named '?COMPATIBILITY'? already exists/i.test(message)) return true;
  return (error as Error | undefined)?.name === 'ConfluentSchemaRegistryCompatibilityError' && /\(BACKWARD != NONE\)/.test(message);
}

/**
 * Why registering failed, as the exit code a rerun needs: a schema the subject refuses (409) is a data problem and
 * a subject on another compatibility level than BACKWARD (the client checks before registering) a configuration
 * problem; retrying either never helps. Anything else (registry down or slow) is transient.
 */
function registryError(error: unknown, subject: string): SettleError {
  const what = `could not register the settlement schema under ${subject}`;
  const msg = (error as Error).message ?? String(error);
  if ((error as Error).name === 'ConfluentSchemaRegistryCompatibilityError')
    return new SettleError(
      'SCHEMA_COMPATIBILITY_LEVEL',
      `${what}: ${msg}; settle registers under BACKWARD: set the subject's level (PUT <registry>/config/${subject} {"compatibility":"BACKWARD"}), then run settle schema check`,
      {
        cause: error,
      },
    );
  const incompatible = (error as { status?: unknown }).status === 409 || /409|incompatible/i.test(msg);
  return new SettleError(incompatible ? 'SCHEMA_INCOMPATIBLE' : 'SCHEMA_REGISTRY_FAILED', `${what}: ${msg}`, { cause: error });
}
