import type { SettlementRuleFields } from '../../domain/settlement/settlement.js';
import { SETTLEMENT_RULE_FIELDS } from '../../domain/settlement/validate-settlement.js';
import { RepeatedText, REPEATING_TEXT_FIELDS } from '../repeated-text.js';
import {
  type AvroNode,
  BAIL,
  compileSchema,
  cursor,
  readBlockCount,
  readLong,
  readPresent,
  type Skip,
  stringBounds,
  UnsupportedSchema,
} from './avro-binary.js';

/**
 * The consumer's rule fields (SETTLEMENT_RULE_FIELDS) read straight from a record's Avro bytes in the reader's own
 * layout: what RegistrySettlementDecoder.decodeRuleFields answers, without avsc's resolver, and with the strings that
 * repeat from record to record (REPEATING_TEXT_FIELDS: a merchant id, a currency, a method, a date, a fee type) made
 * once and handed out again.
 *
 * It is an accelerator, never a second definition: avsc's read of the rule projection (settlement-decoder.ts) says what
 * the fields are, and a unit test compares the two over generated days, every cut of a record and random changed
 * bytes. Whenever it cannot promise avsc's answer it answers null and the decoder asks avsc, which reads the value or
 * refuses it: a truncated body, trailing bytes, a union branch other than 0 or 1, a long beyond ±2^52 anywhere in the
 * record (avsc refuses those beyond 2^53 when it reads them, and the projection reads every long).
 */
export class SettlementRuleReader {
  readonly #steps: readonly Step[];
  /** The captured rule fields of the record being read, by their index in SETTLEMENT_RULE_FIELDS. */
  readonly #values: unknown[] = new Array<unknown>(SETTLEMENT_RULE_FIELDS.length).fill(null);
  /** What read() answers, filled anew by each call (see read). */
  readonly #fields = fill({} as Writable<SettlementRuleFields>, this.#values);

  private constructor(steps: readonly Step[]) {
    this.#steps = steps;
  }

  /** The reader for a schema (its JSON text), or null when the schema holds a type it does not read or lacks a rule field. */
  static forSchema(schemaText: string): SettlementRuleReader | null {
    try {
      const top = compileSchema(JSON.parse(schemaText) as unknown);
      if (top.kind !== 'record') return null;
      const found = new Set<string>();
      const steps = top.fields.map((f): Step => {
        const slot = SETTLEMENT_RULE_FIELDS.findIndex((r) => r.field === f.name);
        if (slot < 0) return { slot: -1, read: null, skip: f.node.skip };
        found.add(f.name);
        return { slot, read: reader(f.node, SETTLEMENT_RULE_FIELDS[slot]?.members ?? null, f.name), skip: f.node.skip };
      });
      return found.size === SETTLEMENT_RULE_FIELDS.length ? new SettlementRuleReader(steps) : null;
    } catch (error) {
      if (error instanceof UnsupportedSchema) return null;
      throw error;
    }
  }

  /**
   * The rule fields of the Avro body in `value` from `start` to its end, or null (the decoder then asks avsc). The
   * object is this reader's own, filled anew by its next call: read what you need from it first (the ingest keeps only
   * the key). One object per record was ~160 bytes of garbage a record.
   */
  read(value: Buffer, start: number): SettlementRuleFields | null {
    const values = this.#values;
    const end = value.length;
    try {
      let pos = start;
      for (const step of this.#steps) {
        if (step.read === null) pos = step.skip(value, pos, end);
        else {
          values[step.slot] = step.read(value, pos, end);
          pos = next;
        }
      }
      if (pos !== end) return null; // trailing bytes
      return fill(this.#fields, values);
    } catch (error) {
      if (error !== BAIL) throw error;
      return null;
    }
  }
}

/** One top-level field: captured into its slot by `read`, or passed over. */
interface Step {
  readonly slot: number;
  readonly read: Read | null;
  readonly skip: Skip;
}

/** The value at `pos`; sets `next` past it. */
type Read = (v: Buffer, pos: number, end: number) => unknown;
/** Where the last Read stopped (one module-level position, as avro-binary's cursor: no object per read). */
let next = 0;

/** How a captured field is read: strings, longs, `[null, X]`, arrays, and records cut to `members` (null: all). */
function reader(node: AvroNode, members: readonly string[] | null, path: string): Read {
  switch (node.kind) {
    case 'string': {
      const repeated = REPEATING_TEXT_FIELDS.has(path) ? new RepeatedText() : null;
      return (v, pos, end) => {
        const to = stringBounds(v, pos, end);
        next = to;
        // UTF-8 as avsc decodes it (U+FFFD for bytes that are not); utf8Slice, as avsc calls it, skips toString's checks
        return repeated === null ? (v as unknown as Utf8Sliced).utf8Slice(cursor, to) : repeated.text(v, cursor, to, false);
      };
    }
    case 'long':
      return (v, pos, end) => {
        const n = readLong(v, pos, end);
        next = cursor;
        return n;
      };
    case 'nullable': {
      const inner = reader(node.inner, members, path);
      return (v, pos, end) => {
        if (readPresent(v, pos, end)) return inner(v, cursor, end);
        next = cursor;
        return null;
      };
    }
    case 'array': {
      const item = reader(node.items, members, `${path}[]`);
      return (v, pos, end) => {
        let out: unknown[] | null = null;
        let p = pos;
        for (;;) {
          const count = readBlockCount(v, p, end);
          p = cursor;
          if (count === 0) break;
          if (count > end - p) throw BAIL; // more items than bytes left: not for an array of records (avsc decides)
          // sized by the first block's count (an array grown by push starts with room for 17): one block is the rule
          let k = out === null ? 0 : out.length;
          if (out === null) out = new Array<unknown>(count);
          else out.length += count;
          for (const last = k + count; k < last; k++) {
            out[k] = item(v, p, end);
            p = next;
          }
        }
        next = p;
        return out ?? [];
      };
    }
    case 'record': {
      const kept = node.fields.map((f) =>
        members === null || members.includes(f.name) ? { name: f.name, read: reader(f.node, null, `${path}.${f.name}`) } : null,
      );
      const skips = node.fields.map((f) => f.node.skip);
      return (v, pos, end) => {
        const out: Record<string, unknown> = {};
        let p = pos;
        for (let i = 0; i < kept.length; i++) {
          const k = kept[i];
          if (k === null || k === undefined) p = (skips[i] as Skip)(v, p, end);
          else {
            out[k.name] = k.read(v, p, end);
            p = next;
          }
        }
        next = p;
        return out;
      };
    }
    default:
      throw new UnsupportedSchema(`rule field ${path} is a ${node.kind}`);
  }
}

/** A slot of SETTLEMENT_RULE_FIELDS by field name (forSchema made sure each is captured). */
const SLOT = Object.fromEntries(SETTLEMENT_RULE_FIELDS.map((r, i) => [r.field, i])) as Record<keyof SettlementRuleFields, number>;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The captured values into the reader's own object (the first call gives it its shape, in this order). */
function fill(f: Writable<SettlementRuleFields>, x: readonly unknown[]): Writable<SettlementRuleFields> {
  f.mId = x[SLOT.mId] as string;
  f.paymentKey = x[SLOT.paymentKey] as string;
  f.transactionKey = x[SLOT.transactionKey] as string;
  f.orderId = x[SLOT.orderId] as string;
  f.currency = x[SLOT.currency] as string;
  f.method = x[SLOT.method] as string;
  f.amount = x[SLOT.amount] as number;
  f.fees = x[SLOT.fees] as Array<{ type: string }> | null;
  f.fee = x[SLOT.fee] as number | null;
  f.supplyAmount = x[SLOT.supplyAmount] as number;
  f.vat = x[SLOT.vat] as number;
  f.payOutAmount = x[SLOT.payOutAmount] as number;
  f.approvedAt = x[SLOT.approvedAt] as string;
  f.soldDate = x[SLOT.soldDate] as string;
  f.paidOutDate = x[SLOT.paidOutDate] as string;
  f.cancel = x[SLOT.cancel] as Record<string, unknown> | null;
  f.unknownFields = x[SLOT.unknownFields] as string | null;
  return f;
}

/** Buffer's own UTF-8 decoder, as avsc calls it (toString checks its arguments first). */
interface Utf8Sliced {
  utf8Slice(from: number, to: number): string;
}
