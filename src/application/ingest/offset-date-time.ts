const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an ISO-8601 date-time that carries its own offset (Toss's approvedAt), or null when it
 * is not a real instant. Strict where Date.parse is lenient (it rolls 02-30 over to March) and never consults
 * the machine's time zone. Fractions beyond milliseconds are truncated.
 */
export function parseOffsetDateTime(text: string): number | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(local);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  if (m[8] === 'Z') return local;
  const oh = Number(m[10]);
  const om = Number(m[11]);
  if (oh > 18 || om > 59) return null;
  const offsetMs = (oh * 60 + om) * 60_000 * (m[9] === '-' ? -1 : 1);
  return local - offsetMs;
}
