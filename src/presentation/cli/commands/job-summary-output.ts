import type { JobSummary } from '../../../application/settlement/run-settlement-job.js';

/** The summary line naming the fields Toss sent that the schema does not model, or null when there were none. */
export function unknownFieldsLine(s: Pick<JobSummary, 'unknownFields'>): string | null {
  const unknown = Object.entries(s.unknownFields);
  if (unknown.length === 0) return null;
  return `unknown fields (kept in unknownFields; evolve the schema to model them): ${unknown.map(([name, rows]) => `${name} ${rows} rows`).join(', ')}`;
}
