import type { RecordVersion } from '../../../src/application/ingest/record-version.js';

/**
 * The "newer record wins" rule as a table: run against the pure function (unit) and against the SQL upsert
 * on MariaDB (integration), so the two can never disagree.
 */
export interface RecordVersionCase {
  readonly name: string;
  readonly stored: RecordVersion;
  readonly incoming: RecordVersion;
  readonly newer: boolean;
}

export const RECORD_VERSION_CASES: readonly RecordVersionCase[] = [
  { name: 'the same record redelivered', stored: { timestamp: 1_000, offset: 5 }, incoming: { timestamp: 1_000, offset: 5 }, newer: false },
  {
    name: 'a replay of an older offset with an older timestamp',
    stored: { timestamp: 2_000, offset: 9 },
    incoming: { timestamp: 1_000, offset: 4 },
    newer: false,
  },
  { name: 'a producer replay appending a later record', stored: { timestamp: 1_000, offset: 5 }, incoming: { timestamp: 9_000, offset: 70 }, newer: true },
  {
    name: 'a later record at a smaller offset (partition count changed)',
    stored: { timestamp: 1_000, offset: 500 },
    incoming: { timestamp: 2_000, offset: 3 },
    newer: true,
  },
  {
    name: 'an older record at a larger offset (other partition, redriven dead letter)',
    stored: { timestamp: 2_000, offset: 3 },
    incoming: { timestamp: 1_000, offset: 900 },
    newer: false,
  },
  { name: 'the same millisecond, a later offset', stored: { timestamp: 1_000, offset: 5 }, incoming: { timestamp: 1_000, offset: 6 }, newer: true },
  { name: 'the same millisecond, an earlier offset', stored: { timestamp: 1_000, offset: 6 }, incoming: { timestamp: 1_000, offset: 5 }, newer: false },
];
