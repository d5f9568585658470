import { readFileSync } from 'node:fs';
import { fromPackageRoot } from '../package-root.js';

// Apart from settlement-serde.ts (which loads avsc and the registry client) so that `settle schema`'s help can name
// the file without loading them.
export const SETTLEMENT_SCHEMA_FILE = fromPackageRoot('schemas', 'toss-settlement.avsc');
export const subjectFor = (topic: string): string => `${topic}-value`;

export function readSettlementSchema(file = SETTLEMENT_SCHEMA_FILE): string {
  return readFileSync(file, 'utf8');
}
