import { readFileSync } from 'node:fs';
import { isJsonObject } from '../../domain/shared/json-object.js';
import { fromPackageRoot } from '../package-root.js';

/**
 * config/capacity-baseline.json: the bench run `settle plan` plans from when it is given no --bench. It holds one
 * whole settlement day measured end to end (10,000,000 rows through the built settle, Kafka and MariaDB: the
 * bench's JSON line, unedited), the command that produced it and the machine and server it ran on, so every default
 * the plan prints can be traced to a run a reader can repeat (docs/capacity.md). To plan from your own hardware,
 * run the same command there and pass its output with --bench, or replace this file.
 */
export const CAPACITY_BASELINE_FILE = fromPackageRoot('config', 'capacity-baseline.json');

export interface CapacityBaseline {
  /** The command that printed `report`, run from the repository root on the local stack. */
  readonly command: string;
  /** When and on what it ran: the date, the machine, the server settings that are not in the report. */
  readonly measuredOn: string;
  /** The bench's JSON line (`npm run bench -- --json`), as printed. */
  readonly report: Record<string, unknown>;
}

/** Reads and checks the baseline; a missing or malformed file is an install defect, named with the file and field. */
export function readCapacityBaseline(file = CAPACITY_BASELINE_FILE): CapacityBaseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`capacity baseline ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonObject(parsed)) throw new Error(`capacity baseline ${file}: expected a JSON object`);
  const { command, measuredOn, report } = parsed;
  if (typeof command !== 'string' || command === '') throw new Error(`capacity baseline ${file}: "command" must be the bench command, a non-empty string`);
  if (typeof measuredOn !== 'string' || measuredOn === '') throw new Error(`capacity baseline ${file}: "measuredOn" must be a non-empty string`);
  if (!isJsonObject(report)) throw new Error(`capacity baseline ${file}: "report" must be the bench's JSON object`);
  return { command, measuredOn, report };
}
