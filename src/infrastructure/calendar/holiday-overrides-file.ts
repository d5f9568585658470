import { readFile } from 'node:fs/promises';
import { LocalDate } from '../../domain/calendar/local-date.js';
import { isSettleError, SettleError } from '../../domain/shared/settle-error.js';
import { fromPackageRoot } from '../package-root.js';
import { isJsonObject } from '../../domain/shared/json-object.js';

/** config/holidays.json at the package root: operators add 임시공휴일 and elections here without a release. */
export const DEFAULT_HOLIDAY_OVERRIDES_FILE = fromPackageRoot('config', 'holidays.json');

export interface HolidayOverrides {
  readonly add: ReadonlyArray<{ readonly date: LocalDate; readonly name: string }>;
  /** Dates that are business days after all (a weekday holiday cancelled or wrong in our data). */
  readonly remove: readonly LocalDate[];
  /**
   * The operators' statement that they checked this year's holidays against the government's list and added its
   * 임시공휴일 here; it raises the calendar's horizon past the built-in year (never lowers it). Null when absent.
   */
  readonly verifiedThroughYear: number | null;
}

export const NO_OVERRIDES: HolidayOverrides = { add: [], remove: [], verifiedThroughYear: null };

/**
 * Reads `{ "add": [{ "date": "YYYY-MM-DD", "name": "..." }], "remove": ["YYYY-MM-DD"], "verifiedThroughYear": YYYY }`
 * (every key optional); keys starting with "_" are comments. A missing file is an error only when `required` (the operator named it in HOLIDAY_OVERRIDES_FILE).
 */
export async function loadHolidayOverrides(file: string, options: { required: boolean }): Promise<HolidayOverrides> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!options.required && (error as NodeJS.ErrnoException).code === 'ENOENT') return NO_OVERRIDES;
    throw new SettleError('HOLIDAY_OVERRIDES_UNREADABLE', `cannot read holiday overrides file ${file}: ${(error as Error).message}`, {
      cause: error,
      details: { file },
    });
  }
  return parseHolidayOverrides(text, file);
}

/** Validates the whole file and reports every bad entry at once, each named by its place in the file. */
export function parseHolidayOverrides(text: string, file: string): HolidayOverrides {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  if (!isJsonObject(json)) throw invalid(file, ['the top level must be an object with "add" and "remove" lists']);

  const problems: string[] = [];
  for (const key of Object.keys(json))
    if (!key.startsWith('_') && !KEYS.includes(key)) problems.push(`unknown key "${key}" (expected "add", "remove", "verifiedThroughYear" or a "_comment")`);

  const add: Array<{ date: LocalDate; name: string }> = [];
  const addList = json.add ?? [];
  if (!Array.isArray(addList)) problems.push('"add" must be a list of { "date": "YYYY-MM-DD", "name": "..." }');
  else
    addList.forEach((entry: unknown, i) => {
      const at = `add[${i}]`;
      if (!isJsonObject(entry)) return void problems.push(`${at} must be { "date": "YYYY-MM-DD", "name": "..." }, got ${JSON.stringify(entry)}`);
      const date = parseDate(entry.date, `${at}.date`, problems);
      if (typeof entry.name !== 'string' || entry.name.trim() === '') problems.push(`${at}.name must be a non-empty string (the holiday's name)`);
      else if (date) add.push({ date, name: entry.name.trim() });
    });

  const remove: LocalDate[] = [];
  const removeList = json.remove ?? [];
  if (!Array.isArray(removeList)) problems.push('"remove" must be a list of "YYYY-MM-DD" dates');
  else
    removeList.forEach((entry: unknown, i) => {
      const date = parseDate(entry, `remove[${i}]`, problems);
      if (date) remove.push(date);
    });

  let verifiedThroughYear: number | null = null;
  if (json.verifiedThroughYear !== undefined) {
    const year = json.verifiedThroughYear;
    if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 9999)
      problems.push(`"verifiedThroughYear" must be a year such as 2027 (a number), got ${JSON.stringify(year)}`);
    else verifiedThroughYear = year;
  }

  for (const date of remove) if (add.some((a) => a.date.equals(date))) problems.push(`${date.toString()} is both added and removed`);
  if (problems.length > 0) throw invalid(file, problems);
  return { add, remove, verifiedThroughYear };
}

function parseDate(value: unknown, label: string, problems: string[]): LocalDate | null {
  if (typeof value !== 'string') {
    problems.push(`${label} must be a "YYYY-MM-DD" string, got ${JSON.stringify(value) ?? 'nothing'}`);
    return null;
  }
  try {
    return LocalDate.parse(value, label);
  } catch (error) {
    if (!isSettleError(error)) throw error;
    problems.push(error.message);
    return null;
  }
}

const KEYS: readonly string[] = ['add', 'remove', 'verifiedThroughYear'];

function invalid(file: string, problems: readonly string[]): SettleError {
  return new SettleError('HOLIDAY_OVERRIDES_INVALID', `holiday overrides file ${file} is invalid:\n  - ${problems.join('\n  - ')}`, {
    details: { file, problems },
  });
}
