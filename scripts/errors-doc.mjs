// Rewrites the table of error codes in docs/errors.md from src/domain/shared/error-codes.ts (through dist: run
// `npm run build` first; `npm run docs:errors` does both). A unit test fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { withErrorCodesTable } from '../dist/presentation/cli/error-codes-doc.js';

const file = new URL('../docs/errors.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = withErrorCodesTable(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'docs/errors.md is up to date' : 'docs/errors.md rewritten');
