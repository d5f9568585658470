import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { RecordDecoder } from '../../application/ingest/ports.js';
import type { Settlement, SettlementRuleFields } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { SETTLEMENT_RULE_FIELDS } from '../../domain/settlement/validate-settlement.js';
import { CONFLUENT_HEADER_BYTES, readSettlementSchema } from './settlement-serde.js';
import { SettlementRuleReader } from './settlement-rule-reader.js';

/** A loaded writer schema: how to read its records whole (the whole value, header included), and whether their bytes are in the reader's own layout. */
interface Loaded {
  readonly read: (value: Buffer) => Settlement;
  readonly readerLayout: boolean;
}

/**
 * The consumer's decoder: Confluent wire format, the writer schema fetched from the registry by id ONCE
 * (one promise per id; the registry client compiles a schema per waiting caller on a cold cache, which on a
 * 3,000-record batch took 11 s and 1 GB), then resolved into our reader schema so records written by an
 * older or newer compatible schema read as our Settlement shape. Poison → data errors; registry down → transient.
 */
export class RegistrySettlementDecoder implements RecordDecoder {
  private readonly readers = new Map<number, Promise<Loaded>>();
  private readonly loaded = new Map<number, Loaded>();
  private readonly reader: avsc.Type;
  /** The reader schema cut down to the rule fields (ruleProjection), and how it reads the reader's own layout. */
  private readonly rules: avsc.Type;
  private readonly rulesFromReader: avsc.Resolver;
  /** The same rule fields read straight from the bytes (settlement-rule-reader.ts); avsc answers what it declines. */
  private readonly ruleReader: SettlementRuleReader | null;

  constructor(
    private readonly registry: SchemaRegistry,
    schemaText = readSettlementSchema(),
  ) {
    const schema = JSON.parse(schemaText) as avsc.Schema;
    this.reader = avsc.Type.forSchema(schema);
    this.rules = avsc.Type.forSchema(ruleProjection(schema));
    this.rulesFromReader = this.rules.createResolver(this.reader);
    this.ruleReader = SettlementRuleReader.forSchema(schemaText);
  }

  /** Synchronous once the writer schema of the id is loaded; a promise only for the first records of an id. */
  decode(value: Buffer): Settlement | Promise<Settlement> {
    if (value.length < CONFLUENT_HEADER_BYTES || value[0] !== 0)
      throw new SettleError('NOT_CONFLUENT_WIRE_FORMAT', 'record value is not Confluent wire format (magic byte 0 + schema id)');
    const id = value.readInt32BE(1);
    const loaded = this.loaded.get(id);
    return loaded ? loaded.read(value) : this.readerFor(id).then((l) => l.read(value));
  }

  /**
   * The rule fields alone (SettlementRuleFields, and the longs: see ruleProjection) of a value in the reader's layout
   * whose writer schema is loaded; null otherwise (decode it whole). It fails on exactly the values `decode` fails on:
   * what it skips are strings, booleans and ints, which avsc reads without a check its skip lacks.
   */
  decodeRuleFields(value: Buffer): SettlementRuleFields | null {
    if (value.length < CONFLUENT_HEADER_BYTES || value[0] !== 0) return null;
    const id = value.readInt32BE(1);
    if (this.loaded.get(id)?.readerLayout !== true) return null;
    return this.ruleReader?.read(value, CONFLUENT_HEADER_BYTES) ?? (readAfterHeader(this.rules, this.rulesFromReader, id, value) as SettlementRuleFields);
  }

  inReaderLayout(value: Buffer): boolean {
    return value.length >= CONFLUENT_HEADER_BYTES && this.loaded.get(value.readInt32BE(1))?.readerLayout === true;
  }

  private readerFor(id: number): Promise<Loaded> {
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

  private async load(id: number): Promise<Loaded> {
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
      // our reader schema types the record as a Settlement (a unit test keeps the schema and the shape equal)
      return { read: (value) => readAfterHeader(this.reader, resolver, id, value) as Settlement, readerLayout: writer.equals(this.reader) };
    } catch (error) {
      // the writer's schema cannot be read as ours: every record written with it is poison, not a retry
      throw new SettleError('SCHEMA_NOT_READABLE', `schema id ${id} cannot be read as the settlement schema: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/**
 * The record after the Confluent header, read in place (no Buffer view per record) with `type` through `resolver`,
 * refused as fromBuffer refuses it (a truncated body, trailing bytes) or as avsc's read does: AVRO_DECODE_FAILED.
 */
function readAfterHeader(type: avsc.Type, resolver: avsc.Resolver, id: number, value: Buffer): unknown {
  let read: { value: unknown; offset: number };
  try {
    read = type.decode(value, CONFLUENT_HEADER_BYTES, resolver);
  } catch (error) {
    throw decodeFailed(id, error);
  }
  if (read.offset < 0) throw decodeFailed(id, new Error('truncated buffer'));
  if (read.offset !== value.length) throw decodeFailed(id, new Error('trailing data'));
  return read.value;
}

const decodeFailed = (id: number, error: unknown): SettleError =>
  new SettleError('AVRO_DECODE_FAILED', `record cannot be decoded with schema id ${id}: ${(error as Error).message}`, { cause: error });

/**
 * The settlement schema cut down to what the ingest must decode to check a record it will not decode whole: the
 * fields of SETTLEMENT_RULE_FIELDS, and every field whose decoding can fail where skipping it cannot (a long beyond
 * 2^53 is refused by avsc's read, not by its skip; arrays, maps and the rest are kept too). Dropped: the strings,
 * booleans and ints outside the rule fields, and records (or `[null, record]`) made only of such fields. avsc reads
 * the reader's layout into this by skipping what it lacks.
 */
export function ruleProjection(schema: avsc.Schema): avsc.Schema {
  const top = schema as { type: string; fields: SchemaField[] };
  const fields = top.fields.flatMap((f) => {
    const rule = SETTLEMENT_RULE_FIELDS.find((r) => r.field === f.name);
    if (rule === undefined) return mustRead(f.type) ? [{ ...f, type: keepNeeded(f.type, []) }] : [];
    return [{ ...f, type: keepNeeded(f.type, rule.members ?? null) }];
  });
  return { ...top, fields } as avsc.Schema;
}

interface SchemaField {
  readonly name: string;
  readonly type: unknown;
}

const SKIPPABLE = new Set(['null', 'string', 'boolean', 'int']);

/** Whether skipping a value of this type (instead of reading it) could let through bytes a read refuses. */
function mustRead(type: unknown): boolean {
  if (typeof type === 'string') return !SKIPPABLE.has(type);
  if (Array.isArray(type)) return type.some(mustRead);
  const t = type as { type: string; fields?: SchemaField[] };
  if (t.type === 'record') return (t.fields ?? []).some((f) => mustRead(f.type));
  return !SKIPPABLE.has(t.type);
}

/** The type with a record's members cut to `members` (null: all of them) and those that must be read. */
function keepNeeded(type: unknown, members: readonly string[] | null): unknown {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.map((t) => keepNeeded(t, members));
  const t = type as { type: string; fields?: SchemaField[]; items?: unknown };
  if (t.type === 'array') return { ...t, items: keepNeeded(t.items, members) };
  if (t.type !== 'record' || members === null) return t;
  const fields = (t.fields ?? []).filter((f) => members.includes(f.name) || mustRead(f.type)).map((f) => ({ ...f, type: keepNeeded(f.type, []) }));
  return { ...t, fields };
}
