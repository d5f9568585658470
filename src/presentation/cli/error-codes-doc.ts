import { ERROR_CODES, isRetriableCode, type ErrorCode } from '../../domain/shared/error-codes.js';
import { exitCodeFor } from './exit-codes.js';

/** The markers around the generated table in docs/errors.md (`npm run docs:errors` rewrites what is between them). */
export const ERRORS_DOC_START = '<!-- error-codes:start (generated from src/domain/shared/error-codes.ts by `npm run docs:errors`; do not edit) -->';
export const ERRORS_DOC_END = '<!-- error-codes:end -->';

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** Every code of the table, alphabetically (an operator looks up the code stderr printed), with its exit code. */
export function errorCodesTable(): string {
  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).sort();
  const rows = codes.map((code) => {
    const { category, summary } = ERROR_CODES[code];
    return `| \`${code}\` | ${exitCodeFor(category)} | ${category} | ${isRetriableCode(code) ? 'yes' : 'no'} | ${cell(summary)} |`;
  });
  return ['| code | exit | category | retried | what it means: what to do |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** `doc` with the text between the markers replaced by the current table; throws when a marker is missing. */
export function withErrorCodesTable(doc: string): string {
  const start = doc.indexOf(ERRORS_DOC_START);
  const end = doc.indexOf(ERRORS_DOC_END);
  if (start < 0 || end < start) throw new Error(`the error-code markers are missing: ${ERRORS_DOC_START} … ${ERRORS_DOC_END}`);
  return `${doc.slice(0, start + ERRORS_DOC_START.length)}\n${errorCodesTable()}\n${doc.slice(end)}`;
}
