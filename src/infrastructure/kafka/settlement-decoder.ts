import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { RecordDecoder } from '../../application/ingest/ports.js';
import type { Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { CONFLUENT_HEADER_BYTES, readSettlementSchema } from './settlement-serde.js';

type Read = (payload: Buffer) => Settlement;

/**
 * The consumer's decoder: Confluent wire format, the writer schema fetched from the registry by id ONCE
 * (one promise per id; the registry client compiles a schema per waiting caller on a cold cache, which on a
 * 3,000-record batch took 11 s and 1 GB), then resolved into our reader schema so records written by an
 * older or newer compatible schema read as our Settlement shape. Poison → data errors; registry down → transient.
 */
export class RegistrySettlementDecoder implements RecordDecoder {
  private readonly readers = new Map<number, Promise<Read>>();
  private readonly loaded = new Map<number, Read>();
  /** Ids whose writer schema is the reader schema itself (canonical form): their bytes are in the reader's layout. */
  private readonly readerLayout = new Set<number>();
  private readonly reader: avsc.Type;

  constructor(
    private readonly registry: SchemaRegistry,
    schemaText = readSettlementSchema(),
  ) {
    this.reader = avsc.Type.forSchema(JSON.parse(schemaText) as avsc.Schema);
  }

  /** Synchronous once the writer schema of the id is loaded; a promise only for the first records of an id. */
  decode(value: Buffer): Settlement | Promise<Settlement> {
    if (value.length < CONFLUENT_HEADER_BYTES || value[0] !== 0)
      throw new SettleError('NOT_CONFLUENT_WIRE_FORMAT', 'record value is not Confluent wire format (magic byte 0 + schema id)');
    const id = value.readInt32BE(1);
    const read = this.loaded.get(id);
    return read ? readWith(read, id, value) : this.readerFor(id).then((r) => readWith(r, id, value));
  }

  inReaderLayout(value: Buffer): boolean {
    return value.length >= CONFLUENT_HEADER_BYTES && this.readerLayout.has(value.readInt32BE(1));
  }

  private readerFor(id: number): Promise<Read> {
    let reader = this.readers.get(id);
    if (!reader) {
      reader = this.load(id);
      this.readers.set(id, reader);
      // a failed lookup is not cached: the registry may be back (or the id registered) next time
      reader.then(
        (read) => this.loaded.set(id, read),
        () => this.readers.delete(id),
      );
    }
    return reader;
  }

  private async load(id: number): Promise<Read> {
    let writer: avsc.Type;
    try {
      writer = (await this.registry.getSchema(id)) as unknown as avsc.Type;
    } catch (error) {
      const msg = (error as Error).message ?? String(error);
      const status = (error as { status?: number }).status;
      if (status === 404 || /not found|40403|404/i.test(msg))
        throw new SettleError('UNKNOWN_SCHEMA_ID', `schema id ${id} is unknown to the registry`, { cause: error });
      throw new SettleError('SCHEMA_REGISTRY_FAILED', `schema registry unavailable while reading schema id ${id}: ${msg}`, {
        cause: error,
      });
    }
    if (typeof (writer as { fromBuffer?: unknown }).fromBuffer !== 'function')
      throw new SettleError('NOT_AVRO_SCHEMA', `schema id ${id} is not an Avro schema`);
    try {
      const resolver = this.reader.createResolver(writer);
      if (writer.equals(this.reader)) this.readerLayout.add(id);
      // our reader schema types the record as a Settlement (a unit test keeps the schema and the shape equal)
      return (payload) => this.reader.fromBuffer(payload, resolver) as Settlement;
    } catch (error) {
      // the writer's schema cannot be read as ours: every record written with it is poison, not a retry
      throw new SettleError('SCHEMA_NOT_READABLE', `schema id ${id} cannot be read as the settlement schema: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

function readWith(read: Read, id: number, value: Buffer): Settlement {
  try {
    return read(value.subarray(CONFLUENT_HEADER_BYTES));
  } catch (error) {
    throw new SettleError('AVRO_DECODE_FAILED', `record cannot be decoded with schema id ${id}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
