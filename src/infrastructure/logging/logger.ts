import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One root logger. JSON to stderr (stdout carries results); readable lines when stderr is a terminal.
 * Secrets are redacted by path as a second line of defence (config values are Secret objects already).
 */
export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stderr.isTTY === true && !options.destination);
  const redact = { paths: ['*.password', '*.secretKey', '*.authorization', 'headers.authorization', '*.MYSQL_URL', '*.TOSS_SECRET_KEY'], censor: '[redacted]' };
  if (pretty) {
    return pino({ level, redact, base: undefined, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino({ level, redact, base: { pid: process.pid } }, (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: false }));
}
