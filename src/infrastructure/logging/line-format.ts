/**
 * The terminal's log line: one line per entry, `HH:MM:SS LEVEL component message key=value …`, for a person at a
 * shell. (Off a terminal the logs are pino's JSON lines, untouched.) Values print bare when they are plain words,
 * quoted as JSON otherwise; objects as compact JSON; an error as `Type: message` (its stack is in the JSON logs).
 * Newlines never reach the output, so an entry is always exactly one line.
 */
const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO ', color: '32' },
  40: { name: 'WARN ', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '31;1' },
};

/** pino's own fields and those shown elsewhere on the line (kafkajs's `timestamp` and `logger` repeat ours). */
const HIDDEN = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'v', 'timestamp', 'logger', 'stack']);
const BARE = /^[\w.:/@+#,=-]+$/;

export interface LineFormatOptions {
  readonly color: boolean;
}

export function formatLogLine(entry: Record<string, unknown>, options: LineFormatOptions): string {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level).toUpperCase().padEnd(5), color: '0' };
  const time = typeof entry.time === 'number' ? clock(new Date(entry.time)) : clock(new Date());
  const parts = [paint('2', time), paint(level.color, level.name)];
  if (typeof entry.component === 'string' && entry.component) parts.push(paint('36', entry.component));
  if (entry.msg !== undefined && entry.msg !== '') parts.push(oneLine(String(entry.msg)));
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    parts.push(`${paint('2', `${key}=`)}${formatValue(value)}`);
  }
  return `${parts.join(' ')}\n`;
}

const two = (n: number) => String(n).padStart(2, '0');
const clock = (d: Date) => `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

function formatValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value !== '' && BARE.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (isErrorShape(value)) {
    const code = typeof value.code === 'string' || typeof value.code === 'number' ? ` (${String(value.code)})` : '';
    return JSON.stringify(oneLine(`${value.type ?? 'Error'}: ${value.message}${code}`));
  }
  return JSON.stringify(value) ?? String(value);
}

/** pino's serialized error (type, message, stack, own fields). */
const isErrorShape = (v: unknown): v is { type?: string; message: string; code?: unknown } =>
  typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string' && typeof (v as { stack?: unknown }).stack === 'string';
