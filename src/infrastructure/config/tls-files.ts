import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Reads a PEM CA bundle named by a variable, for loadConfig: a problem (naming the variable and the path,
 * never the contents) instead of a throw, so every configuration problem is reported at once.
 */
export function readCaFile(variable: string, path: string, problems: string[]): string | null {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return null;
  }
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!first) {
    problems.push(`${variable}: ${path} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
    return null;
  }
  try {
    new X509Certificate(first);
    return pem;
  } catch {
    problems.push(`${variable}: ${path} holds no PEM certificate that parses`);
    return null;
  }
}
