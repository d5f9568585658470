import avsc from 'avsc';
import { SettleError } from '../../domain/shared/settle-error.js';

export interface LocalVerdict {
  readonly compatible: boolean;
  readonly reason: string | null;
}

/** Parses Avro schema text, or throws a data error naming `label` (a bad .avsc is an invalid input file). */
export function parseAvroSchema(text: string, label: string): avsc.Type {
  try {
    return avsc.Type.forSchema(JSON.parse(text) as avsc.Schema);
  } catch (error) {
    throw new SettleError('SCHEMA_INVALID', `${label} is not a valid Avro schema: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * BACKWARD, checked without the registry: a reader using `next` can decode data written with `previous`
 * (avsc builds a resolver only when every field of the reader is in the writer's data or has a default and
 * every shared field's type can be promoted).
 */
export function backwardCompatible(next: avsc.Type, previous: avsc.Type): LocalVerdict {
  try {
    next.createResolver(previous);
    return { compatible: true, reason: null };
  } catch (error) {
    return { compatible: false, reason: (error as Error).message };
  }
}
