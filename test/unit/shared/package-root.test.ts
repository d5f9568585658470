import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../../src/infrastructure/mysql/migrator.js';
import { SETTLEMENT_SCHEMA_FILE } from '../../../src/infrastructure/kafka/settlement-schema-file.js';
import { DEFAULT_HOLIDAY_OVERRIDES_FILE } from '../../../src/infrastructure/calendar/holiday-overrides-file.js';
import { findPackageRoot, PACKAGE_ROOT } from '../../../src/infrastructure/package-root.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

describe('the package root', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'settle-root-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is the repository from src/ (vitest), and every resource lookup starts there', () => {
    expect(PACKAGE_ROOT).toBe(repo);
    expect(MIGRATIONS_DIR).toBe(join(repo, 'migrations'));
    expect(SETTLEMENT_SCHEMA_FILE).toBe(join(repo, 'schemas', 'toss-settlement.avsc'));
    expect(DEFAULT_HOLIDAY_OVERRIDES_FILE).toBe(join(repo, 'config', 'holidays.json'));
  });

  it('is the nearest folder above a module whose package.json is named settle, past other package.json files', () => {
    const root = join(scratch, 'app');
    const deep = join(root, '.bench-dist', 'src', 'infrastructure');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'settle', version: '0.0.0' }));
    writeFileSync(join(root, '.bench-dist', 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(root, '.bench-dist', 'src', 'package.json'), '{ not json');
    expect(findPackageRoot(pathToFileURL(join(deep, 'package-root.js')))).toBe(root);
    expect(findPackageRoot(pathToFileURL(join(root, 'dist', 'main.js')))).toBe(root);
  });

  it('names where it looked when no settle package.json is above the module', () => {
    const lone = join(scratch, 'lone', 'dist');
    mkdirSync(lone, { recursive: true });
    expect(() => findPackageRoot(pathToFileURL(join(lone, 'x.js')), 'settle-does-not-exist')).toThrow(
      `no package.json named "settle-does-not-exist" in ${lone}`,
    );
  });
});
