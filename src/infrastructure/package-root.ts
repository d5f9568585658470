import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * settle's package root: the nearest folder above this module whose package.json is named "settle". Resource files
 * (migrations/, schemas/, config/, package.json, bin/) are found from it, never by a path relative to the compiled
 * module, so the same lookup works from src/ (vitest), dist/ (the built CLI, the image's /app, a packed install)
 * and from the bench's own build (.bench-dist/src/, one folder deeper). `from`: a module's file URL (`import.meta.url`).
 */
export function findPackageRoot(from: string | URL = import.meta.url, name = 'settle'): string {
  const start = dirname(fileURLToPath(from));
  for (let dir = start; ; dir = dirname(dir)) {
    if (packageName(join(dir, 'package.json')) === name) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "${name}" in ${start} or any folder above it`);
  }
}

function packageName(file: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined; // no package.json here (or not one we can read): keep walking up
  }
}

export const PACKAGE_ROOT = findPackageRoot();

/** A path under the package root, e.g. `fromPackageRoot('migrations')`. */
export const fromPackageRoot = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts);
